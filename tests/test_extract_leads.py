"""The lead pre-check (monitor.extract.leads) only saves time: it never refuses a line its patterns
would match. Checked on every line of the vendored dev pages, the cleaning cases and the seeds, and on
generated lines built from the patterns' own vocabulary."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract import boilerplate as bp
from monitor.extract.leads import Leads
from tests.test_clean_families import BODY, NOISE

REPO = Path(__file__).resolve().parent.parent


@cache
def real_lines() -> list[str]:
    lines = [line for line, _ in NOISE] + BODY
    for path in sorted((REPO / "bench" / "data" / "extraction-dev" / "html").glob("*.html.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        lines += [line.strip() for line in re.sub(r"<[^>]*>", "\n", text).split("\n") if line.strip()]
    texts = [*(REPO / "bench" / "data" / "cleaning-cases").glob("*.txt"), *(REPO / "seeds").glob("*.txt")]
    for path in texts:
        lines += [line[2:] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) > 10_000
    return [line for line in lines if len(line) <= bp.FURNITURE_BANDS[-1][0]]


@pytest.mark.parametrize("band", range(len(bp.FURNITURE_BANDS)))
def test_no_real_line_a_band_matches_is_refused_by_its_leads(band: int) -> None:
    _, leads, families, _ = bp.FURNITURE_BANDS[band]
    matched = [line for line in real_lines() if families.fullmatch(line)]
    assert matched, "no line to check the leads on"
    assert [line for line in matched if not leads.may_begin(line)] == []


def test_leads_of_a_small_pattern() -> None:
    pattern = re.compile(r"(?:accept|ok)(?: all)?\s*!*|\d+ shares", re.IGNORECASE)
    leads = Leads([pattern])
    assert not leads.always
    for line in ("Accept", "OK", "ok!", "Accept all", "12 shares", "7 shares"):
        assert pattern.fullmatch(line) and leads.may_begin(line), line
    for line in ("China", "A", "Shares rose", "1.2k shares"):
        assert not leads.may_begin(line), line
    assert leads.may_begin("Élan")  # not ASCII: always tried


def test_a_pattern_that_can_begin_with_anything_is_always_tried() -> None:
    assert Leads([re.compile(r".{0,80} by clicking here")]).always


WORDS = st.sampled_from(
    ["Accept", "all", "Tags:", "Next", "Post", "Sign", "in", "1", "23", "/", "of", "Image", "Share", "this",
     "Photo:", "Published", "Nov", "19,", "2019", "«", "-", "Ok", "cookies", "«Previous", "0shares"]
)


@given(st.lists(WORDS, min_size=1, max_size=6).map(" ".join))
def test_generated_lines_from_the_vocabulary_are_never_refused_wrongly(line: str) -> None:
    for _, leads, families, _ in bp.FURNITURE_BANDS:
        if families.fullmatch(line):
            assert leads.may_begin(line)
