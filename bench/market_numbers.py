"""Market numbers: field-level precision and recall on the labelled set, and the stage's cost.

    .venv/bin/python bench/market_numbers.py             # score bench/data/numbers/cases.jsonl
    .venv/bin/python bench/market_numbers.py --failures  # ...and print every case that is not right
    .venv/bin/python bench/market_numbers.py --speed     # ...and time the pipeline with and without
                                                  #    numbers (extract+clean+tag; the whole path)
    .venv/bin/python bench/market_numbers.py --write     # ...and write bench/results/numbers.md

Scoring (the issue-16 spec): in each case, predicted observations (confidence ≥ the store
threshold) are matched to expected ones, same metric first and then nearest value. Every field
(metric, value, value_high, change_pct, currency, unit, period; subjects only where the case lists
them) counts: precision = right fields / predicted non-null fields, recall = right fields /
expected non-null fields. Numbers are right within 0.5 % (relative), strings when equal; subjects
when the expected tags are all among the predicted ones (the set lists the subjects that must be
there, not all). An observation is right when all its scored fields are.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ heads sys.path and this file would shadow the standard library's ``numbers``
# (which ``decimal`` imports): put the repository there instead.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from monitor.models import Observation  # noqa: E402
from monitor.numbers import STORE_THRESHOLD, find_observations  # noqa: E402
from monitor.tagging import load_taxonomy, tag  # noqa: E402

CASES = ROOT / "bench" / "data" / "numbers" / "cases.jsonl"
RESULT = ROOT / "bench" / "results" / "numbers.md"
FIELDS = ("metric", "value", "value_high", "change_pct", "currency", "unit", "period")
NUMERIC = frozenset({"value", "value_high", "change_pct"})
TOLERANCE = 0.005


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    date: str
    kind: str
    text: str
    expected: tuple[dict[str, Any], ...]


@dataclass
class Tally:
    right: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.predicted += other.predicted
        self.expected += other.expected

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@dataclass
class Score:
    fields: Tally = field(default_factory=Tally)
    observations: Tally = field(default_factory=Tally)
    by_field: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_kind: dict[str, tuple[Tally, Tally]] = field(default_factory=dict)
    by_lang: dict[str, tuple[Tally, Tally]] = field(default_factory=dict)
    noisy_distractors: list[str] = field(default_factory=list)
    distractors: int = 0
    failures: list[str] = field(default_factory=list)

    def precision(self) -> float:
        return self.fields.precision

    def recall(self) -> float:
        return self.fields.recall


def load_cases(path: Path = CASES) -> list[Case]:
    """The labelled cases; a missing file raises FileNotFoundError (the gate must not pass silently)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the labelled market-number set is missing")
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            cases.append(
                Case(
                    data["id"],
                    data["lang"],
                    data["date"],
                    data["kind"],
                    data["text"],
                    tuple(data["expected"]),
                )
            )
    return cases


def predict(case: Case, threshold: float = STORE_THRESHOLD) -> list[Observation]:
    taxonomy = _taxonomy()
    tags = tag("", case.text, taxonomy)
    found = find_observations("", case.text, published=case.date, tags=tags)
    return [item for item in found if item.confidence >= threshold]


_TAGS: list[Any] = []


def _taxonomy() -> Any:
    if not _TAGS:
        _TAGS.append(load_taxonomy())
    return _TAGS[0]


def _same(name: str, got: Any, want: Any) -> bool:
    if name in NUMERIC:
        return abs(float(got) - float(want)) <= TOLERANCE * max(abs(float(want)), 1e-9)
    return bool(got == want)


def _value_gap(got: Observation, want: dict[str, Any]) -> float:
    if got.value is None or want.get("value") is None:
        return 0.0 if got.value is None and want.get("value") is None else 1e6
    return abs(got.value - float(want["value"])) / max(abs(float(want["value"])), 1e-9)


def match(predicted: Sequence[Observation], expected: Sequence[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Pairs (predicted or None, expected or None): same metric first, then nearest value."""
    pairs: list[tuple[Any, Any]] = []
    left, wanted = list(predicted), list(expected)
    for same_metric in (True, False):
        candidates = sorted(
            (_value_gap(got, want), i, j)
            for i, got in enumerate(left)
            for j, want in enumerate(wanted)
            if got is not None and want is not None and (got.metric == want["metric"]) == same_metric
        )
        for _, i, j in candidates:
            if left[i] is not None and wanted[j] is not None:
                pairs.append((left[i], wanted[j]))
                left[i] = wanted[j] = None  # type: ignore[call-overload]
    pairs.extend((got, None) for got in left if got is not None)
    pairs.extend((None, want) for want in wanted if want is not None)
    return pairs


def score_pair(got: Observation | None, want: dict[str, Any] | None) -> tuple[Tally, dict[str, Tally], bool]:
    """Field tallies of one pair, per field, and whether the observation is right as a whole."""
    total, per = Tally(), {}
    names = list(FIELDS) + (["subjects"] if want is not None and "subjects" in want else [])
    whole = got is not None and want is not None
    for name in names:
        tally = Tally()
        if name == "subjects":
            wanted = set(want["subjects"]) if want else set()
            have = set(got.subjects) if got else set()
            tally.expected = int(bool(wanted))
            tally.predicted = int(bool(have)) if wanted else 0
            tally.right = int(bool(wanted) and wanted <= have)
            ok = not wanted or wanted <= have
        else:
            value = getattr(got, name) if got is not None else None
            target = want.get(name) if want is not None else None
            tally.predicted = int(value is not None)
            tally.expected = int(target is not None)
            tally.right = int(value is not None and target is not None and _same(name, value, target))
            ok = (value is None and target is None) or bool(tally.right)
        whole = whole and ok
        per[name] = tally
        total.add(tally)
    return total, per, whole


def evaluate(cases: Iterable[Case], threshold: float = STORE_THRESHOLD) -> Score:
    score = Score()
    for case in cases:
        predicted = predict(case, threshold)
        fields, observations = Tally(), Tally(predicted=len(predicted), expected=len(case.expected))
        wrong = []
        for got, want in match(predicted, case.expected):
            tally, per, whole = score_pair(got, want)
            fields.add(tally)
            for name, item in per.items():
                score.by_field[name].add(item)
            observations.right += int(whole)
            if not whole:
                wrong.append((got, want))
        score.fields.add(fields)
        score.observations.add(observations)
        for key, table in ((case.kind, score.by_kind), (case.lang, score.by_lang)):
            table.setdefault(key, (Tally(), Tally()))
            table[key][0].add(fields)
            table[key][1].add(observations)
        if case.kind == "distractor":
            score.distractors += 1
            if predicted:
                score.noisy_distractors.append(case.id)
        if wrong:
            score.failures.append(_failure(case, wrong))
    return score


def _short(got: Observation | None) -> str:
    if got is None:
        return "-"
    keys = {name: getattr(got, name) for name in FIELDS}
    return json.dumps({**keys, "subjects": list(got.subjects), "conf": got.confidence}, ensure_ascii=False)


def _failure(case: Case, wrong: list[tuple[Observation | None, dict[str, Any] | None]]) -> str:
    lines = [f"{case.id} ({case.date}): {case.text}"]
    for got, want in wrong:
        lines.append(f"    got  {_short(got)}")
        lines.append(f"    want {json.dumps(want, ensure_ascii=False) if want else '-'}")
    return "\n".join(lines)


# Speed -------------------------------------------------------------------------------------------------


def _articles() -> list[tuple[str, str, str]]:
    """(kind, input, url): the seed articles (plain text) and the 88 dev pages (HTML)."""
    from bench.extraction import DEFAULT_DATA, decode

    found = [
        ("text", path.read_text(encoding="utf-8"), "") for path in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    truth = json.loads((DEFAULT_DATA / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        raw = gzip.decompress((DEFAULT_DATA / "html" / f"{key}.html.gz").read_bytes())
        found.append(("html", decode(raw), truth[key].get("url", "")))
    return found


def speed(rounds: int = 5) -> dict[str, dict[str, float]]:
    """Per-article CPU time of extract+clean+tag, and of the same plus numbers, alternated in one run:
    for the seed articles (about rare earths: every stage of numbers runs), the dev pages (general
    news: most are skipped after one phrase scan) and both together."""
    from monitor.extract.article import extract_article
    from monitor.extract.plain import extract_plain

    taxonomy = _taxonomy()
    articles = _articles()
    groups = {
        "seeds (rare-earth news)": [item for item in articles if item[0] == "text"],
        "dev pages (general news)": [item for item in articles if item[0] == "html"],
        "all": articles,
    }

    def pipeline(items: list[tuple[str, str, str]], with_numbers: bool, repeat: int) -> None:
        for _ in range(repeat):
            for kind, body, url in items:
                content = extract_plain(body) if kind == "text" else extract_article(body, url)
                tags = tag(content.title, content.text, taxonomy)
                if with_numbers:
                    find_observations(content.title, content.text, published="2025-06-10", tags=tags)

    started = time.process_time()
    pipeline(articles, True, 1)  # warm-up: taxonomy, pint, dateparser's language data, regex caches
    warm = time.process_time() - started
    results: dict[str, dict[str, float]] = {}
    for name, items in groups.items():
        repeat = max(1, 300 // len(items))  # a few seeds: repeated, so each timing is long enough to trust
        best = {False: float("inf"), True: float("inf")}
        for _ in range(rounds):
            for with_numbers in (False, True):  # alternate, so drifting load touches both alike
                started = time.process_time()
                pipeline(items, with_numbers, repeat)
                best[with_numbers] = min(best[with_numbers], time.process_time() - started)
        per = len(items) * repeat
        base, more = best[False] / per, best[True] / per
        results[name] = {"articles": len(items), "base_ms": base * 1e3, "numbers_ms": more * 1e3,
                         "added": (more - base) / base}  # fmt: skip
    # The same ratio timed around each call, article by article (load that comes and goes then
    # touches both stages alike; the alternated runs above compare two totals taken apart in time).
    for name, items in groups.items():
        repeat = max(1, 300 // len(items))
        base_s = numbers_s = 0.0
        for _ in range(rounds):
            for _ in range(repeat):
                for kind, body, url in items:
                    started = time.process_time()
                    content = extract_plain(body) if kind == "text" else extract_article(body, url)
                    tags = tag(content.title, content.text, taxonomy)
                    middle = time.process_time()
                    find_observations(content.title, content.text, published="2025-06-10", tags=tags)
                    base_s += middle - started
                    numbers_s += time.process_time() - middle
        results[name]["stage_added"] = numbers_s / base_s
    results["all"]["first_pass_s"] = warm
    return results


def whole_pipeline(rounds: int = 5) -> dict[str, dict[str, float]]:
    """Per-article CPU time of the WHOLE article path of ``bench/pipeline.py`` (extract + clean,
    fingerprint, tag, store into a real SQLite file: dedup lookup, article, story, tags, mentions,
    alerts, one transaction) and of ``extract_observations`` on the same article, each stage timed
    around its own call, article by article, in one run.

    Timed stage by stage rather than as two alternated runs: the store grows and checkpoints as it
    goes, so two whole runs never cost the same and their difference was mostly noise. The
    observations are computed, not stored (storing them is the storage helper's part of issue 16);
    every pass stores each article anew under its own URL with its text changed a little, as
    bench/pipeline.py does."""
    import tempfile
    from dataclasses import replace

    from monitor import config as config_module
    from monitor import pipeline as stages
    from monitor.commands import prepare_db
    from monitor.dedup import fingerprint
    from monitor.extract.article import extract_article
    from monitor.extract.plain import extract_plain
    from monitor.models import Article
    from monitor.numbers import extract_observations
    from monitor.store.db import open_db

    articles = _articles()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config_module.parse("", Path(tmp) / "feeds.toml")
        ctx = stages.Context.from_config(cfg)
        db = open_db(Path(tmp) / "bench.db")
        prepare_db(db, ctx)
        serial = iter(range(10**9))

        def one(kind: str, body: str, url: str) -> tuple[float, float]:
            """(pipeline seconds, numbers seconds) of one article."""
            started = time.process_time()
            content = extract_plain(body) if kind == "text" else extract_article(body, url)
            if not content.text:
                return time.process_time() - started, 0.0
            number = next(serial)
            content = replace(content, text=f"{content.text}\n\nEdition {number}.")
            text = content.text
            signature = fingerprint.signature(text)
            tags = tag(content.title, text, ctx.taxonomy)
            page = f"{url or 'https://example.org/seed'}?pass={number}"
            article = Article(page, page, "bench", "example.org", ctx.clock(), content, None,
                              fingerprint.content_hash(text))  # fmt: skip
            stages.store_prepared(db, ctx, stages.Prepared(article, tags, signature, None), [page])
            middle = time.process_time()
            extract_observations(content.title, text, published="2025-06-10", tags=tags)
            return middle - started, time.process_time() - middle

        for item in articles:  # warm-up: caches, the taxonomy, a first story for every page
            one(*item)
        spent: dict[str, list[float]] = {"text": [0.0, 0.0, 0], "html": [0.0, 0.0, 0]}
        for _ in range(rounds):
            for item in articles:
                for _ in range(20 if item[0] == "text" else 1):  # the few seeds, repeated
                    base, numbers = one(*item)
                    spent[item[0]][0] += base
                    spent[item[0]][1] += numbers
                    spent[item[0]][2] += 1
        groups = {"seeds (rare-earth news)": ["text"], "dev pages (general news)": ["html"]}
        groups["all (each article once)"] = ["text", "html"]
        for name, kinds in groups.items():
            if len(kinds) == 1:
                base, numbers, count = spent[kinds[0]]
            else:  # the seeds were repeated 20 times: weigh each article once
                base = spent["text"][0] / 20 + spent["html"][0]
                numbers = spent["text"][1] / 20 + spent["html"][1]
                count = spent["text"][2] / 20 + spent["html"][2]
            results[name] = {
                "articles": sum(item[0] in kinds for item in articles),
                "base_ms": base / count * 1e3,
                "numbers_ms": (base + numbers) / count * 1e3,
                "added": numbers / base,
            }
    return results


# Report ------------------------------------------------------------------------------------------------


def _row(name: str, fields: Tally, observations: Tally) -> str:
    return (
        f"| {name} | {fields.precision:.3f} | {fields.recall:.3f}"
        f" | {fields.right}/{fields.predicted}/{fields.expected}"
        f" | {observations.precision:.3f} | {observations.recall:.3f} |"
    )


def report(
    score: Score,
    cases: Sequence[Case],
    threshold: float,
    timing: dict[str, dict[str, float]] | None,
    whole: dict[str, dict[str, float]] | None = None,
    rounds: int = 5,
) -> str:
    header = (
        "| | field P | field R | right/predicted/expected fields | observation P | observation R |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    lines = [
        f"{len(cases)} cases ({sum(c.kind == 'distractor' for c in cases)} distractors), "
        f"{sum(len(c.expected) for c in cases)} expected observations; store threshold {threshold}.",
        "",
        header,
        _row("**all**", score.fields, score.observations),
    ]
    lines += [_row(f"lang {lang}", *pair) for lang, pair in sorted(score.by_lang.items())]
    lines += [_row(f"kind {kind}", *pair) for kind, pair in sorted(score.by_kind.items())]
    lines += ["", "| field | P | R |", "|---|---:|---:|"]
    lines += [f"| {name} | {t.precision:.3f} | {t.recall:.3f} |" for name, t in score.by_field.items()]
    noisy = len(score.noisy_distractors)
    lines += ["", f"Distractor cases with a stored observation: {noisy} of {score.distractors}."]
    if timing:
        lines += [
            "",
            f"Speed: per-article CPU time, best of {rounds} alternated runs (`--speed`):",
            "",
            "| articles | extract+clean+tag | + numbers | numbers add | numbers add, timed per call |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {name} ({row['articles']:.0f}) | {row['base_ms']:.2f} ms | {row['numbers_ms']:.2f} ms"
            f" | {row['added']:.1%} | {row['stage_added']:.1%} |"
            for name, row in timing.items()
        ]
        first = timing["all"]["first_pass_s"]
        lines += [
            "",
            f"First pass (loading pint, dateparser's data, the taxonomy): {first:.2f} s once per process.",
        ]
    if whole:
        lines += [
            "",
            "The whole per-article path of bench/pipeline.py (extract+clean, fingerprint, tag, store"
            f" in SQLite), {rounds} rounds, and `extract_observations` (computed, not stored) on the same"
            " article, each stage timed around its own call:",
            "",
            "| articles | whole pipeline | + numbers | numbers add |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {name} ({row['articles']:.0f}) | {row['base_ms']:.2f} ms | {row['numbers_ms']:.2f} ms"
            f" | {row['added']:.1%} |"
            for name, row in whole.items()
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--threshold", type=float, default=STORE_THRESHOLD)
    parser.add_argument("--failures", action="store_true", help="print every case not scored fully right")
    parser.add_argument("--speed", action="store_true", help="time the pipeline with and without numbers")
    parser.add_argument("--rounds", type=int, default=5, help="alternated timing runs (the best counts)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    score = evaluate(cases, args.threshold)
    if args.failures:
        print("\n\n".join(score.failures), end="\n\n")
    timing = speed(args.rounds) if args.speed else None
    whole = whole_pipeline(args.rounds) if args.speed else None
    text = report(score, cases, args.threshold, timing, whole, args.rounds)
    print(text)
    if args.write:
        command = "    .venv/bin/python bench/market_numbers.py " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        heading = "# Market numbers (bench/market_numbers.py)"
        RESULT.write_text(f"{heading}\n\n{command}\n\n{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
