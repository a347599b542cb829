"""Dedup benchmark: signature implementations side by side, precision/recall on the labelled set,
the LSH S-curve, and insert+lookup cost as the store grows to 1,000,000 articles.

    .venv/bin/python bench/dedup.py [--quick] [--articles N] [--db PATH] [--output FILE]

Scale run: synthetic articles (300-800 words from a Zipf vocabulary of 50,000 pseudo-words, each
ending in its outlet's 30-word boilerplate, one outlet of 200; 10 % are near copies of an earlier
article: cut to 60-100 %, 1-4 sentences with 1-3 words changed, 30 % with a headline list
prepended, and their own outlet's boilerplate) go into a real SQLite file opened by
``monitor.store.db.open_db`` (real schema, WAL, pragmas). The store is filled in bulk between
checkpoints; at each checkpoint a window of articles goes through the real path one at a time:
text → ``signature`` → ``find_match`` → article row + ``index.add`` → commit. Article rows
carry no text (the store's FTS cost is not dedup's).
``--quick`` stops at 20,000 articles.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import psutil  # type: ignore[import-untyped]
from datasketch import MinHash

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.dedup import fingerprint as fp  # noqa: E402
from monitor.models import Match  # noqa: E402
from monitor.store import signatures as index  # noqa: E402
from monitor.store.db import open_db  # noqa: E402
from tests.fixtures.dedup import labelled  # noqa: E402

VOCABULARY = 50_000
OUTLETS = 200
BOILERPLATE_WORDS = 30
DUPLICATE_SHARE = 0.10
WINDOW = 1000  # articles timed one by one at each checkpoint
BULK_BATCH = 2000

U64 = npt.NDArray[np.uint64]
Ids = npt.NDArray[np.int64]


# Signature implementations compared -------------------------------------------------------------


def kperm_signature(hashes: U64, seed: int = 1) -> npt.NDArray[np.uint32]:
    """Classic k-permutation MinHash with multiply-shift hashing, in numpy: the baseline we replaced."""
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**63, size=fp.NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=fp.NUM_PERM, dtype=np.uint64)
    permuted = np.multiply.outer(hashes, multipliers)
    permuted += offsets
    permuted >>= np.uint64(32)
    result: npt.NDArray[np.uint32] = permuted.min(axis=0).astype(np.uint32)
    return result


def datasketch_signature(tokens: list[str]) -> MinHash:
    shingles = {" ".join(tokens[i : i + fp.SHINGLE_WORDS]).encode() for i in range(len(tokens) - 3)}
    sketch = MinHash(num_perm=fp.NUM_PERM, seed=1)
    sketch.update_batch(list(shingles))
    return sketch


@dataclass(frozen=True)
class Method:
    name: str
    sign: Callable[[str], Any]  # each implementation has its own signature type
    jaccard: Callable[[Any, Any], float]


def _ours(text: str) -> fp.Signature:
    return fp.signature(text)


def _kperm(text: str) -> npt.NDArray[np.uint32]:
    return kperm_signature(fp.shingle_hashes(fp.words(text)))


def _datasketch(text: str) -> MinHash:
    return datasketch_signature(fp.words(text))


METHODS = (
    Method("one-permutation MinHash, numpy (ours)", _ours, lambda a, b: fp.jaccard(a, b)),
    Method("k-permutation MinHash, numpy", _kperm, lambda a, b: float(np.mean(a == b))),
    Method("datasketch MinHash (update_batch)", _datasketch, lambda a, b: float(a.jaccard(b))),
)


def exact_jaccards(texts: list[labelled.Text]) -> dict[tuple[int, int], float]:
    sets = [set(fp.shingle_hashes(fp.words(text.body)).tolist()) for text in texts]
    return {(i, j): len(sets[i] & sets[j]) / len(sets[i] | sets[j]) for i, j, _ in labelled.pairs(texts)}


def compare_signatures(texts: list[labelled.Text], repeat: int) -> list[str]:
    exact = exact_jaccards(texts)
    rows = [
        "| implementation | µs per text | RMSE vs exact Jaccard | max abs error |",
        "|---|---:|---:|---:|",
    ]
    for method in METHODS:
        start = time.perf_counter()
        for _ in range(repeat):
            sigs = [method.sign(text.body) for text in texts]
        micros = (time.perf_counter() - start) / repeat / len(texts) * 1e6
        errors = np.array([method.jaccard(sigs[i], sigs[j]) - value for (i, j), value in exact.items()])
        rmse, worst = float(np.sqrt(np.mean(errors**2))), float(np.abs(errors).max())
        rows.append(f"| {method.name} | {micros:.0f} | {rmse:.4f} | {worst:.3f} |")
    return rows


def signature_breakdown(texts: list[labelled.Text], repeat: int) -> list[str]:
    bodies = [text.body for text in texts]
    tokens = [fp.words(body) for body in bodies]
    hashes = [fp.shingle_hashes(t) for t in tokens]
    steps: list[tuple[str, Callable[[int], object]]] = [
        ("normalise + tokenise", lambda i: fp.words(bodies[i])),
        ("shingle hashes", lambda i: fp.shingle_hashes(tokens[i])),
        ("one-permutation MinHash", lambda i: fp.signature_of_hashes(hashes[i])),
        ("content hash (whole)", lambda i: fp.content_hash(bodies[i])),
    ]
    rows = ["| signature step | µs per text |", "|---|---:|"]
    for name, step in steps:
        start = time.perf_counter()
        for _ in range(repeat):
            for i in range(len(bodies)):
                step(i)
        rows.append(f"| {name} | {(time.perf_counter() - start) / repeat / len(bodies) * 1e6:.0f} |")
    words = sum(len(t) for t in tokens) / len(tokens)
    rows.append(f"| (mean words per text: {words:.0f}) | |")
    return rows


# Labelled set: decision and full path --------------------------------------------------------------


def labelled_quality(
    texts: list[labelled.Text], sigs: list[fp.Signature]
) -> tuple[labelled.Scores, list[str]]:
    decision = labelled.score(texts, lambda i, j: fp.same_story(sigs[i], sigs[j]))
    bands = [set(sig.bands()) for sig in sigs]
    candidate_path = labelled.score(
        texts, lambda i, j: bool(bands[i] & bands[j]) and fp.same_story(sigs[i], sigs[j])
    )
    story_path = clustered_quality(texts, sigs)
    rows = [
        "| labelled pairs | precision | recall | false pos | false neg |",
        "|---|---:|---:|---:|---:|",
        _score_row("decision `same_story` (exact estimate)", decision),
        _score_row("LSH candidate AND decision, pair by pair", candidate_path),
        _score_row("index path: lookup-then-add, shuffled (story level)", story_path),
    ]
    return decision, rows


def _score_row(name: str, scores: labelled.Scores) -> str:
    return (
        f"| {name} | {scores.precision:.4f} | {scores.recall:.4f} | {scores.false_positives} | "
        f"{scores.false_negatives} |"
    )


def clustered_quality(texts: list[labelled.Text], sigs: list[fp.Signature]) -> labelled.Scores:
    """Pairs judged the same when find_match put them in one story, on a real SQLite file."""
    order = list(range(len(texts)))
    np.random.default_rng(5).shuffle(order)
    story = [0] * len(texts)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "labelled.db")
        for article_id, position in enumerate(order, start=1):
            match = index.find_match(db, sigs[position])
            story[position] = match.story_id if match and match.story_id else article_id
            _insert_rows(db, [(article_id, story[position], sigs[position])])
        db.conn.close()
    return labelled.score(texts, lambda i, j: story[i] == story[j])


def s_curve(texts: list[labelled.Text]) -> list[str]:
    exact = exact_jaccards(texts)
    positives = np.array([v for (i, j), v in exact.items() if texts[i].family == texts[j].family])
    negatives = np.array([v for (i, j), v in exact.items() if texts[i].family != texts[j].family])
    layouts = [(2, 32), (3, 32), (3, fp.NUM_BANDS), (4, 32), (3, 64)]
    header = "| rows × bands | " + " | ".join(
        f"J={j:.2f}" for j in (0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6)
    )
    rows = [header + " | E[recall] labelled | E[background candidates] at 1M |", "|---|" + "---:|" * 10]
    for r, b in layouts:

        def p(j: npt.NDArray[np.float64] | float, r: int = r, b: int = b) -> npt.NDArray[np.float64]:
            return np.asarray(1 - (1 - np.power(j, r)) ** b)

        cells = " | ".join(f"{float(p(j)):.3f}" for j in (0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6))
        mark = " (chosen)" if (r, b) == (fp.BAND_ROWS, fp.NUM_BANDS) else ""
        rows.append(
            f"| {r} × {b}{mark} | {cells} | {float(p(positives).mean()):.4f} | "
            f"{1e6 * float(p(negatives).mean()):.0f} |"
        )
    return rows


# Synthetic store ------------------------------------------------------------------------------------


class Corpus:
    """Deterministic synthetic articles: article i is regenerated from seed i whenever needed."""

    def __init__(self) -> None:
        rng = np.random.default_rng(2026)
        syllables = [
            "ka",
            "lo",
            "mi",
            "ne",
            "ru",
            "ta",
            "shi",
            "vo",
            "de",
            "pa",
            "zu",
            "ri",
            "en",
            "or",
            "ul",
        ]
        self.words = [
            "".join(rng.choice(syllables, size=int(rng.integers(2, 5)))) + str(n % 97)
            for n in range(VOCABULARY)
        ]
        self.word_hashes = np.array([zlib.crc32(w.encode()) for w in self.words], dtype=np.uint64)
        weights = 1.0 / np.power(np.arange(VOCABULARY) + 10.0, 1.05)
        self.cdf = np.cumsum(weights) / weights.sum()
        self.boilerplates = [
            self._draw(np.random.default_rng(10_000_000 + o), BOILERPLATE_WORDS) for o in range(OUTLETS)
        ]

    def _draw(self, rng: np.random.Generator, count: int) -> Ids:
        return np.searchsorted(self.cdf, rng.random(count)).astype(np.int64)

    def body(self, i: int) -> Ids:
        rng = np.random.default_rng(i)
        return self._draw(rng, int(rng.integers(300, 800)))

    def source_of(self, i: int) -> int | None:
        """The earlier article that article i copies, or None (the 10 % near duplicates)."""
        rng = np.random.default_rng((i, 1))
        if i < 10 or rng.random() >= DUPLICATE_SHARE:
            return None
        return int(rng.integers(max(0, i - 50_000), i))  # copies follow their original within a while

    def article(self, i: int) -> Ids:
        return np.concatenate([self.content(i), self.boilerplates[i % OUTLETS]])

    def content(self, i: int) -> Ids:
        """The article without its outlet's boilerplate; a copy of a copy copies the copy."""
        source = self.source_of(i)
        return self.body(i) if source is None else self._near_copy(self.content(source), i)

    def _near_copy(self, body: Ids, i: int) -> Ids:
        """Cut to 60-100 %, 1-4 sentences edited (1-3 words each), 30 % with a headline list prepended."""
        rng = np.random.default_rng((i, 2))
        body = body[: int(len(body) * rng.uniform(0.6, 1.0))].copy()
        for sentence in rng.choice(len(body) // 15, size=int(rng.integers(1, 5)), replace=False):
            words = 15 * int(sentence) + rng.choice(15, size=int(rng.integers(1, 4)), replace=False)
            body[words] = self._draw(rng, len(words))
        if rng.random() < 0.3:
            body = np.concatenate([self._draw(rng, int(rng.integers(20, 60))), body])
        return body

    def text(self, ids: Ids) -> str:
        words = [self.words[k] for k in ids]
        sentences = [" ".join(words[s : s + 15]).capitalize() + "." for s in range(0, len(words), 15)]
        return " ".join(sentences)

    def signature(self, ids: Ids) -> fp.Signature:
        return fp.signature_of_hashes(fp.shingles_of_words(self.word_hashes[ids]))


def _insert_rows(db: object, rows: Sequence[tuple[int, int, fp.Signature]]) -> None:
    conn = db.conn  # type: ignore[attr-defined]
    conn.executemany("INSERT OR IGNORE INTO stories (id) VALUES (?)", [(story,) for _, story, _ in rows])
    conn.executemany(
        "INSERT INTO articles (id, url, canonical_url, fetched, story_id) VALUES (?, ?, ?, ?, ?)",
        [
            (i, f"https://example.com/{i}", f"https://example.com/{i}", "2026-01-01T00:00:00Z", story)
            for i, story, _ in rows
        ],
    )
    conn.executemany(
        "INSERT INTO signatures (article_id, minhash) VALUES (?, ?)",
        [(i, sig.to_bytes()) for i, _, sig in rows],
    )
    conn.executemany(
        "INSERT INTO article_bands (band, article_id) VALUES (?, ?)",
        [(band, i) for i, _, sig in rows for band in sig.bands()],
    )


@dataclass
class Window:
    stored: int
    signature_us: list[float]
    lookup_us: list[float]
    insert_us: list[float]
    commit_us: list[float]
    candidates: list[int]
    copies_found: int = 0
    copies: int = 0
    false_matches: int = 0
    rss_mb: float = 0.0
    db_mb: float = 0.0


class Store:
    def __init__(self, path: Path, corpus: Corpus) -> None:
        self.db = open_db(path)
        self.path = path
        self.corpus = corpus
        self.count = 0
        self.story = np.zeros(0, dtype=np.int64)

    def _story_for(self, i: int) -> int:
        source = self.corpus.source_of(i)
        return int(self.story[source]) if source is not None else i + 1

    def _grow(self, upto: int) -> None:
        if len(self.story) < upto:
            self.story = np.concatenate([self.story, np.zeros(upto - len(self.story), dtype=np.int64)])

    def fill(self, upto: int, progress: Callable[[str], None]) -> None:
        """Bulk insert (no lookups: the synthetic truth gives each article its story)."""
        self._grow(upto)
        while self.count < upto:
            batch = range(self.count, min(upto, self.count + BULK_BATCH))
            rows = []
            for i in batch:
                self.story[i] = self._story_for(i)
                rows.append((i + 1, int(self.story[i]), self.corpus.signature(self.corpus.article(i))))
            _insert_rows(self.db, rows)
            self.db.conn.commit()
            self.count = batch.stop
            if self.count % 50_000 == 0:
                progress(f"filled {self.count:,}")

    def window(self, size: int) -> Window:
        """Store ``size`` articles the real way, one transaction each, timing every step."""
        self._grow(self.count + size)
        result = Window(self.count, [], [], [], [], [])
        for i in range(self.count, self.count + size):
            self._one(i, result)
        self.count += size
        result.rss_mb = psutil.Process().memory_info().rss / 2**20
        result.db_mb = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*")) / 2**20
        return result

    def _one(self, i: int, result: Window) -> None:
        text = self.corpus.text(self.corpus.article(i))
        t0 = time.perf_counter()
        sig = fp.signature(text)
        t1 = time.perf_counter()
        result.candidates.append(len(index.candidates(self.db, sig)))
        t2 = time.perf_counter()
        match = index.find_match(self.db, sig)
        t3 = time.perf_counter()
        self.story[i] = self._story_for(i)
        _insert_rows(self.db, [(i + 1, int(self.story[i]), sig)])
        t4 = time.perf_counter()
        self.db.conn.commit()
        t5 = time.perf_counter()
        result.signature_us.append((t1 - t0) * 1e6)
        result.lookup_us.append((t3 - t2) * 1e6)
        result.insert_us.append((t4 - t3) * 1e6)
        result.commit_us.append((t5 - t4) * 1e6)
        self._check(i, match, result)

    def _check(self, i: int, match: Match | None, result: Window) -> None:
        if self.corpus.source_of(i) is not None:
            result.copies += 1
            result.copies_found += match is not None and match.story_id == self.story[i]
        elif match is not None:
            result.false_matches += 1


def scale_rows(windows: list[Window]) -> list[str]:
    rows = [
        "| stored | signature µs | lookup µs (p99) | insert µs (p99) | **insert+lookup µs** | commit µs | "
        "total µs | insert+lookup ÷ signature | candidates mean/max | copies found | false matches | "
        "RSS MB | DB MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in windows:
        sig, look, ins, com = (np.mean(v) for v in (w.signature_us, w.lookup_us, w.insert_us, w.commit_us))
        rows.append(
            f"| {w.stored:,} | {sig:.0f} | {look:.0f} ({np.percentile(w.lookup_us, 99):.0f}) | "
            f"{ins:.0f} ({np.percentile(w.insert_us, 99):.0f}) | **{look + ins:.0f}** | {com:.0f} | "
            f"{sig + look + ins + com:.0f} | {(look + ins) / sig:.2f} | "
            f"{np.mean(w.candidates):.1f}/{max(w.candidates)} | "
            f"{w.copies_found}/{w.copies} | {w.false_matches} | {w.rss_mb:.0f} | {w.db_mb:.0f} |"
        )
    return rows


def checkpoints(total: int) -> list[int]:
    marks = [m for m in (10_000, 100_000, 1_000_000) if m < total] + [total]
    return sorted(set(marks))


def run_scale(total: int, db_path: Path, progress: Callable[[str], None]) -> list[Window]:
    corpus = Corpus()
    store = Store(db_path, corpus)
    windows = []
    for mark in checkpoints(total):
        store.fill(mark - WINDOW, progress)
        windows.append(store.window(WINDOW))
        progress(f"window at {store.count:,}: " + scale_rows(windows)[-1])
    store.db.conn.close()
    return windows


# Main --------------------------------------------------------------------------------------------


def report(args: argparse.Namespace, progress: Callable[[str], None]) -> Iterator[str]:
    texts = labelled.load()
    sigs = [fp.signature(text.body) for text in texts]
    yield f"Command: `.venv/bin/python bench/dedup.py {' '.join(args.argv)}`"
    yield ""
    yield (
        f"Parameters: {fp.SHINGLE_WORDS}-word shingles, {fp.NUM_PERM} MinHash bins, LSH "
        f"{fp.NUM_BANDS} bands × {fp.BAND_ROWS} rows, same story when Jaccard ≥ {fp.MIN_JACCARD} and "
        f"containment ≥ {fp.SAME_STORY}; index caps: {index.PER_BAND_LIMIT} newest per band, "
        f"{index.MAX_CANDIDATES} candidates."
    )
    yield ""
    decision, quality = labelled_quality(texts, sigs)
    yield (
        f"Labelled set: {len(texts)} texts, {decision.true_positives + decision.false_negatives} same-story "
        f"pairs, {decision.negatives} different-story pairs."
    )
    yield ""
    yield from quality
    yield ""
    yield from compare_signatures(texts, repeat=1 if args.quick else 3)
    yield ""
    yield from signature_breakdown(texts, repeat=1 if args.quick else 3)
    yield ""
    yield "LSH S-curve: probability that a pair with Jaccard J becomes a candidate."
    yield ""
    yield from s_curve(texts)
    yield ""
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        db_path = Path(args.db) if args.db else Path(tmp) / "dedup-bench.db"
        started = time.perf_counter()
        windows = run_scale(args.articles, db_path, progress)
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yield (
        f"Scale: {args.articles:,} synthetic articles, {WINDOW:,} timed one by one at each checkpoint "
        f"(one transaction each), {elapsed / 60:.1f} min in all; peak RSS {peak:.0f} MB."
    )
    yield ""
    yield from scale_rows(windows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="stop at 20,000 articles")
    parser.add_argument("--articles", type=int, default=None, help="articles in the scale run (1,000,000)")
    parser.add_argument("--db", help="database file for the scale run (default: a temporary file)")
    parser.add_argument("--tmp", help="directory for the temporary database")
    parser.add_argument("--output", help="also write the Markdown report here")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    args.articles = args.articles or (20_000 if args.quick else 1_000_000)

    def progress(message: str) -> None:
        print(f"# {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

    lines = []
    for line in report(args, progress):
        print(line, flush=True)
        lines.append(line)
    if args.output:
        Path(args.output).write_text("# Dedup benchmark\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
