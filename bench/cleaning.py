"""Text-cleaning benchmark: how much real page noise the cleaner removes, how much article text it keeps.

    .venv/bin/python bench/cleaning.py [--data DIR] [--cases DIR] [--output FILE]

Two sets, scored the same way (noise lines removed %, body lines kept %):

* **Mined from the dev pages** (``bench/data/extraction-dev``: 88 pages with their ground-truth body,
  MIT). Each page is rendered to text lines the way a scraper sees it: scripts, styles and hidden
  elements out, every block a line. Lines are labelled against the page's ground truth: a line that is
  part of the ground-truth body is *body*; a line that shares no word trigram with it is *noise* (it is
  real navigation, consent, share, caption, related-story text); lines in between (partly overlapping)
  are not scored. Two renderings:
  - *article region*: the smallest element that holds the ground-truth body, with whatever furniture
    sits inside it (share bars, captions, related links, prompts, bylines) — what a plain-text scrape
    of an article carries, and what the targets apply to;
  - *whole page*: every visible line of the page, menus and footers included — shown for reference;
    a text cleaner is not an extractor.
* **Own cases** (``bench/data/cleaning-cases/*.txt``): noisy documents written for this project,
  mirroring real constructions, with the expected verdict on each line (``+`` kept, ``-`` removed) and
  optionally the expected title (``# title: ...``).

Every rendered line is fed to ``monitor.extract.clean.clean`` as one text (the cleaner sees the
whole rendering, scored or not, as a scraper's text has it); a scored line counts as kept when its
normalised words are among the cleaned text's paragraphs, or, for a body line, among the captions
the cleaner set aside (a caption the ground truth counts as body is kept, in the ``captions`` field).

Labelling rules and corrections (this round; see BENCHMARKS.md for their effect):

* words are runs of letters and digits: a line of underscores (``_____``) has none and is not scored;
* a line that is one word and a colon (``Photo:``, ``Фото:``) names what follows: not scored;
* ``bench/data/cleaning-label-fixes.json`` lists, line by line with the reason, the few ground-truth
  lines that are plainly noise although the ground truth includes them (links to other stories under
  "Story Timeline"; 6 of a page's 22 identical photo credits). Only inconsistencies of the ground truth
  are corrected there, never a line because the cleaner removes it; lines the cleaner turns into
  fields by design (``(Reporting by ...)``, ``Originally published on ...``, disclaimers) stay body and
  count as lost.
* The dev pages' article region is also scored on its even and odd pages (sorted ids): a rule that
  helps one half only is suspect.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from selectolax.lexbor import LexborHTMLParser, LexborNode  # noqa: E402

from bench.extraction import decode  # noqa: E402  (the pages' charset rules, once)
from monitor.extract.clean import clean  # noqa: E402
from monitor.extract.layout import render  # noqa: E402
from monitor.extract.noise import HIDDEN, NEVER_TEXT  # noqa: E402
from monitor.extract.plain import extract_plain  # noqa: E402

DEV_DATA = REPO / "bench" / "data" / "extraction-dev"
CASES = REPO / "bench" / "data" / "cleaning-cases"
LABEL_FIXES = REPO / "bench" / "data" / "cleaning-label-fixes.json"
_WORD = re.compile(r"[^\W_]+")  # a line of underscores is a rule, not a word
_LABEL = re.compile(r"[^\W_]+\s*:")  # "Photo:", "Фото:", "Source:" alone on a line
_MIN_NOISE_OVERLAP = 0.0  # a noise line shares no trigram with the body
_MIN_BODY_OVERLAP = 0.9  # a short body line must be (almost) all in the body
PAGE_KEPT = 0.98  # a document whose body survives this well counts as whole


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    noise: bool | None  # the expected verdict: True = should be removed, None = not scored (see label)


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    lines: tuple[Line, ...]
    title: str | None = None  # expected title (own cases only)


@dataclass(slots=True)
class Tally:
    """Counts over documents: noise lines removed, body lines kept, and what went wrong."""

    documents: int = 0
    noise: int = 0
    noise_removed: int = 0
    body: int = 0
    body_kept: int = 0
    titles: int = 0
    titles_right: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (document, noise line kept)
    lost: list[tuple[str, str]] = field(default_factory=list)  # (document, body line removed)
    wrong_titles: list[tuple[str, str, str]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)  # why the removed noise lines went
    lost_reasons: Counter[str] = field(default_factory=Counter)  # why body lines went
    pages_whole: int = 0  # documents that kept at least PAGE_KEPT of their body lines
    body_captioned: int = 0  # body lines kept in the captions field rather than the text

    @property
    def removed_rate(self) -> float:
        return self.noise_removed / self.noise if self.noise else 1.0

    @property
    def kept_rate(self) -> float:
        return self.body_kept / self.body if self.body else 1.0


# ---------------------------------------------------------------------------------------------------------
# Dev pages → labelled lines.


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _trigrams(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    if len(tokens) < 3:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def dev_documents(data: Path, region: bool, fixes: Path = LABEL_FIXES) -> list[Document]:
    """The dev pages as labelled line sequences (see the module docstring), with the ground-truth
    corrections of ``fixes`` applied."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    corrections = label_fixes(fixes)
    documents = []
    for key in sorted(truth):
        html = decode(gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()))
        body = truth[key].get("articleBody", "")
        lines = label(page_lines(html, body if region else None), body, page_titles(html))
        fixed = corrections.get(key[:8], {})
        lines = [Line(line.text, fixed[line.text]) if line.text in fixed else line for line in lines]
        documents.append(Document(key, tuple(lines)))
    return documents


def label_fixes(path: Path) -> dict[str, dict[str, bool | None]]:
    """Ground-truth corrections: page id (first 8 characters) → line → verdict (true = noise)."""
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return {
        page: {fix["line"]: fix["noise"] for fix in fixes}
        for page, fixes in loaded.items()
        if not page.startswith("_")
    }


def page_lines(html: str, body: str | None) -> list[str]:
    """The page's visible text lines; with ``body``, only the region around that body."""
    tree = LexborHTMLParser(html)
    for node in tree.css(NEVER_TEXT):
        node.remove()
    root = tree.body
    if root is None:
        return []
    for node in root.css(HIDDEN):
        node.remove()
    if body is not None:
        root = _region(root, body) or root
    return [line for paragraph in render(root) for line in paragraph.split("\n") if line.strip()]


def page_titles(html: str) -> list[str]:
    """The page's own headline as <title>, og:title and <h1> give it: not noise, not body either (the
    ground truth leaves it out, and a cleaner must never remove a title), so it is not scored."""
    tree = LexborHTMLParser(html)
    found = [node.text(deep=True) for node in tree.css("title, h1")]
    found += [node.attributes.get("content") or "" for node in tree.css("meta[property='og:title']")]
    return [" ".join(words(title)) for title in found if title.strip()]


def _region(root: LexborNode, body: str) -> LexborNode | None:
    """The smallest element holding the body's first and last paragraphs."""
    paragraphs = [p for p in body.split("\n") if len(p.strip()) > 30]
    if not paragraphs:
        return None
    first, last = _probe(paragraphs[0]), _probe(paragraphs[-1])
    best: LexborNode | None = None
    for node in root.css("*"):
        text = " ".join(words(node.text(deep=True)))
        if first in text and last in text:
            best = node  # document order: a later match is a descendant of an earlier one or beside it
    if best is None:
        return None
    return best


def _probe(paragraph: str) -> str:
    return " ".join(words(paragraph)[:8])


def label(lines: Iterable[str], body: str, titles: Sequence[str] = ()) -> list[Line]:
    """Body, noise, or not scored (None: partly overlapping, a label, or the page's title) for each line.
    Every line is kept, scored or not: the cleaner sees the whole rendering, as a scraper's text has it."""
    body_words = words(body)
    body_text = " " + " ".join(body_words) + " "
    body_grams = _trigrams(body_words)
    labelled = []
    used: Counter[str] = Counter()  # body copies of a line already matched
    for line in lines:
        labelled.append(Line(line, _verdict(line, body, body_text, body_grams, titles, used)))
    return labelled


def _verdict(
    line: str,
    body: str,
    body_text: str,
    body_grams: set[tuple[str, ...]],
    titles: Sequence[str],
    used: Counter[str],
) -> bool | None:
    tokens = words(line)
    if not tokens or _LABEL.fullmatch(line.strip()):
        return None  # no words, or one word and a colon ("Photo:", "Фото:"): it names what follows
    key = " " + " ".join(tokens) + " "
    if len(tokens) >= 3 and any(" ".join(tokens) in title for title in titles):
        return None  # the headline (or the part of <title> before the site's name)
    if key in body_text:
        used[key] += 1
        if used[key] > body_text.count(key):
            return None  # one more copy than the body has: a repeat, but the body has the words
        if len(tokens) >= 3 or _whole_paragraph(line, body):
            return False
        return None  # a word or two found somewhere in the body: not evidence either way
    grams = _trigrams(tokens)
    shared = len(grams & body_grams) / len(grams)
    if shared <= _MIN_NOISE_OVERLAP:
        return True
    if shared >= _MIN_BODY_OVERLAP and len(tokens) >= 6:
        return False
    return None


def _whole_paragraph(line: str, body: str) -> bool:
    target = words(line)
    return any(words(paragraph) == target for paragraph in body.split("\n"))


# ---------------------------------------------------------------------------------------------------------
# Own cases.


def case_documents(directory: Path) -> list[Document]:
    """The hand-written cases: ``+ line`` is kept, ``- line`` removed, ``# title: ...`` the title."""
    documents = []
    for path in sorted(directory.glob("*.txt")):
        lines: list[Line] = []
        title = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.startswith("# title: "):
                title = raw[len("# title: ") :]
            elif raw.startswith(("+ ", "- ")):
                lines.append(Line(raw[2:], noise=raw[0] == "-"))
            elif raw.strip() and not raw.startswith("#"):
                raise ValueError(f"{path.name}: a case line starts with '+ ', '- ' or '#': {raw!r}")
        documents.append(Document(path.stem, tuple(lines), title))
    return documents


# ---------------------------------------------------------------------------------------------------------
# Scoring.


def _key(text: str) -> str:
    return " ".join(words(text))


def score(documents: Sequence[Document]) -> Tally:
    tally = Tally()
    for document in documents:
        tally.documents += 1
        text = "\n".join(line.text for line in document.lines)
        cleaned = clean(text)
        kept = Counter(_key(p) for p in cleaned.text.split("\n\n"))
        captioned = Counter(_key(caption) for caption in cleaned.captions)
        why = {_key(removed.text): removed.reason for removed in cleaned.removed}
        body_before, kept_before = tally.body, tally.body_kept
        for line in document.lines:
            key = _key(line.text)
            survived = kept[key] > 0
            if survived:
                kept[key] -= 1
            if line.noise is None:
                continue  # not scored; it was part of the text the cleaner saw
            if line.noise:
                tally.noise += 1
                tally.noise_removed += not survived
                if not survived:
                    tally.reasons[why.get(key, "changed")] += 1
                if survived:
                    tally.missed.append((document.name, line.text))
            else:
                tally.body += 1
                if not survived and captioned[key] > 0:  # kept, in the captions field
                    captioned[key] -= 1
                    tally.body_captioned += 1
                    survived = True
                tally.body_kept += survived
                if not survived:
                    tally.lost.append((document.name, line.text))
                    tally.lost_reasons[why.get(key, "changed")] += 1
        body = tally.body - body_before
        tally.pages_whole += not body or (tally.body_kept - kept_before) >= PAGE_KEPT * body
        if document.title is not None:
            tally.titles += 1
            title = extract_plain(text).title
            tally.titles_right += title == document.title
            if title != document.title:
                tally.wrong_titles.append((document.name, document.title, title))
    return tally


def results(dev: Path, cases: Path, whole_page: bool = True, halves: bool = True) -> dict[str, Tally]:
    """Every set's tally by name (the whole-page set only with ``whole_page``; the article region's
    even and odd pages in sorted id order, as an overfitting check, with ``halves``); a missing data
    set raises: a gate must never pass on no data."""
    if not (dev / "ground-truth.json").is_file():
        raise FileNotFoundError(f"dev pages not found: {dev / 'ground-truth.json'}")
    own = case_documents(cases)
    if not own:
        raise FileNotFoundError(f"no cleaning cases in {cases}")
    region = dev_documents(dev, region=True)
    tallies = {"dev pages, article region": score(region)}
    if halves:
        tallies["article region, even pages"] = score(region[0::2])
        tallies["article region, odd pages"] = score(region[1::2])
    if whole_page:
        tallies["dev pages, whole page"] = score(dev_documents(dev, region=False))
    tallies["own cases"] = score(own)
    return tallies


def speed(data: Path, repeat: int = 3) -> tuple[float, float]:
    """(ms per page, MB/s) of ``clean`` alone over what the HTML extractor makes of the dev pages: the
    text the pipeline cleans. Best of ``repeat`` passes, CPU time."""
    from monitor.extract import extract_text

    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: decode(gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())) for key in truth}
    texts = [extract_text(pages[key], truth[key]["url"]) for key in sorted(truth)]
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for text in texts:
            clean(text)
        best = min(best, time.process_time() - started)
    size = sum(len(text.encode("utf-8")) for text in texts)
    return best * 1000 / len(texts), size / best / 1e6


def report(tallies: dict[str, Tally], command: str, seconds: float, pace: tuple[float, float]) -> str:
    rows = [
        "| set | documents | noise lines | noise removed | body lines | body kept "
        "| documents with ≥ 98 % body kept | titles right |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        titles = f"{t.titles_right}/{t.titles}" if t.titles else "–"
        rows.append(
            f"| {name} | {t.documents} | {t.noise} | {t.removed_rate:.1%} | {t.body} | {t.kept_rate:.1%} "
            f"| {t.pages_whole}/{t.documents} | {titles} |"
        )
    region = next(iter(tallies.values()))
    reasons = ", ".join(f"{reason} {count}" for reason, count in region.reasons.most_common())
    lost = ", ".join(f"{reason} {count}" for reason, count in region.lost_reasons.most_common())
    return (
        "# Cleaning benchmark\n\n"
        + "\n".join(rows)
        + f"\n\nNoise lines removed on the first set, by reason: {reasons}.\n"
        + f"\nBody lines removed on the first set, by reason: {lost}. Body lines kept in the captions field "
        f"rather than the text (counted as kept): {region.body_captioned}.\n"
        + f"\nCleaner speed on the extracted text of the dev pages: {pace[0]:.2f} ms per page, "
        f"{pace[1]:.1f} MB/s (CPU time, best of 3).\n"
        + f"\nCommand: `{command}` ({seconds:.0f} s)\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA, help="dev pages (ground-truth.json, html/)")
    parser.add_argument("--cases", type=Path, default=CASES, help="hand-written cleaning cases")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "cleaning.md")
    parser.add_argument("--show", type=int, default=0, help="print this many missed/lost lines per set")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tallies = results(args.data, args.cases)
    text = report(tallies, "python bench/cleaning.py", time.perf_counter() - started, speed(args.data))
    print(text)
    for name, t in tallies.items():
        if args.show:
            print(f"\n## {name}: noise kept")
            for doc, line in t.missed[: args.show]:
                print(f"  {doc[:8]}  {line[:150]!r}")
            print(f"\n## {name}: body removed")
            for doc, line in t.lost[: args.show]:
                print(f"  {doc[:8]}  {line[:150]!r}")
            for doc, want, got in t.wrong_titles:
                print(f"  title {doc}: want {want!r} got {got!r}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
