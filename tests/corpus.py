"""A generated newsroom corpus: ~200 articles from ten outlets with known publication times.

Wire stories are carried by 2-6 outlets (the same text, sometimes with a closing line of their
own), the rest are single-outlet pieces. Every text is written here from sentence templates (no
third-party article text). Files carry front matter (outlet, published, url), as a ``files``
source reads it, and are ingested in shuffled order so the first copy stored is rarely the
first one published: what the front page says must come from publication times.

    python -m tests.corpus DIR        # writes DIR/monitor.db, ingested through the real pipeline
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from monitor.config import Config, MonitorSettings, ServeSettings
from monitor.fetch.client import FetchSettings
from monitor.pipeline import Context, ingest_paths
from monitor.store.articles import sync_taxonomy
from monitor.store.db import open_db
from monitor.tagging import load_taxonomy

OUTLETS = (
    "Reuters",
    "Mining Weekly",
    "Asia Metals Daily",
    "The Rare Earth Observer",
    "Metal Bulletin Wire",
    "Nikkei Materials",
    "Pacific Resources Review",
    "Investing Minerals",
    "Energy Transition Times",
    "Balkan Minerals Report",
)
ELEMENTS = ("dysprosium", "terbium", "neodymium", "praseodymium", "yttrium", "lanthanum", "samarium")
COMPANIES = (
    "Lynas",
    "MP Materials",
    "Iluka Resources",
    "Neo Performance Materials",
    "Arafura",
    "Energy Fuels",
    "China Northern Rare Earth",
    "Solvay",
)
PLACES = (
    "Malaysia",
    "Texas",
    "Western Australia",
    "Greenland",
    "Brazil",
    "Inner Mongolia",
    "Estonia",
    "Vietnam",
    "Quebec",
    "Kazakhstan",
)
PEOPLE = ("Ana Ruiz", "Tom Okafor", "Mei Lin", "Jonas Berg", "Priya Nair", "Liam Walsh", "Sara Kim")
VERBS = (
    "expands",
    "delays",
    "secures funding for",
    "restarts",
    "signs offtake for",
    "cuts output at",
    "opens",
    "sells stake in",
)
NOUNS = ("separation plant", "magnet line", "processing hub", "mine", "refinery", "recycling unit")

# Slots every few words (and a project name of each story's own in most sentences) keep two stories'
# 4-word shingles apart: near-duplicate detection must group copies, not stories on one template.
SENTENCES = (
    "{company} expects {project} to ship {n} tonnes of {element} oxide by {month} {year}.",
    "{element} oxide prices in {place} rose {pct}% on {day}, {bank} data showed.",
    "{project} will feed rare-earth magnets to {buyer} from {year}, {person} said.",
    "{bank} sees {project} easing {element} shortages before {year}.",
    "{person} of {company} declined to put a value on {project}.",
    "Licences for {element} from {project} took {n} days in {month}, exporters said.",
    "{buyer} wants {n} tonnes of {project} magnets a year, {bank} estimates.",
    "{company} shares gained {pct}% on {day} after {project} news.",
    "{place} lent {n} million dollars to {project} in {month}.",
    "Residents near {project} in {place} asked for a waste review on {day}.",
    "{project} should reach {n} tonnes of {element} by {year}, {person} told investors.",
    "{buyer} and {company} stockpiled {element} since {month}, {bank} said.",
    "A second {project} {noun} near {place} needs {n} million dollars.",
    "Magnet exports to {buyer} fell {pct}% in {month}, {place} customs said.",
    "{person} called {project} talks with {buyer} early-stage on {day}.",
    "Lynas's {place} plant beat {project} output by {pct}% in {month}.",
    "{project} holds an option on {element} concentrate from {place}, {person} noted.",
    "Engineers test {element} extraction at {project} until {month} {year}.",
)
BUYERS = ("Toyota", "Siemens Gamesa", "Bosch", "Vestas", "Hyundai", "Stellantis", "Nidec", "BYD", "ABB")
SYLLABLES = ("kor", "va", "lin", "tem", "ro", "sa", "quel", "mir", "dan", "tho", "bre", "ux", "zal", "pe")
BANKS = ("Macquarie", "Citi", "Benchmark Minerals", "Argus", "Adamas Intelligence", "Project Blue")
MONTHS = ("January", "March", "April", "June", "August", "October")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ACTS = ("raise", "lift", "cut", "double", "trim")


@dataclass(frozen=True)
class Copy:
    outlet: str
    published: datetime
    url: str
    extra: str = ""  # a closing line of the outlet's own: a near copy, not an exact one


@dataclass
class Story:
    key: str
    title: str
    paragraphs: list[str]
    copies: list[Copy] = field(default_factory=list)

    @property
    def first(self) -> Copy:
        return min(self.copies, key=lambda c: c.published)

    def in_order(self) -> list[Copy]:
        return sorted(self.copies, key=lambda c: c.published)


def _fill(rng: random.Random, template: str, project: str) -> str:
    return template.format(
        project=project,
        buyer=rng.choice(BUYERS),
        company=rng.choice(COMPANIES),
        element=rng.choice(ELEMENTS),
        place=rng.choice(PLACES),
        person=rng.choice(PEOPLE),
        bank=rng.choice(BANKS),
        month=rng.choice(MONTHS),
        day=rng.choice(DAYS),
        act=rng.choice(ACTS),
        noun=rng.choice(NOUNS),
        n=rng.randint(2, 900),
        pct=rng.randint(2, 40),
        year=rng.randint(2026, 2030),
    )


def _story(rng: random.Random, number: int) -> tuple[str, list[str]]:
    company, element, place = rng.choice(COMPANIES), rng.choice(ELEMENTS), rng.choice(PLACES)
    title = f"{company} {rng.choice(VERBS)} {element} {rng.choice(NOUNS)} in {place} ({number})"
    project = "".join(rng.sample(SYLLABLES, 3)).capitalize() + f" {number}"
    picked = rng.sample(SENTENCES, 7)
    lead = f"{company} agreed {element} terms for {project} in {place} on {rng.choice(DAYS)}."
    sentences = [lead, *(_fill(rng, s, project) for s in picked)]
    return title, [" ".join(sentences[:3]), " ".join(sentences[3:6]), " ".join(sentences[6:])]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def generate(now: datetime, seed: int = 13, wires: int = 40, target: int = 200) -> list[Story]:
    """Stories with copies and publication times, relative to ``now``."""
    rng = random.Random(seed)
    stories: list[Story] = []
    count, number = 0, 0
    while count < target:
        number += 1
        title, paragraphs = _story(rng, number)
        # Spread over 40 days; a quarter in the last day, so every time window has something.
        age = timedelta(hours=rng.uniform(0.5, 23)) if number % 4 == 0 else timedelta(days=rng.uniform(0, 40))
        start = now - age
        carriers = rng.randint(2, 6) if number <= wires else 1
        outlets = rng.sample(OUTLETS, carriers)
        story = Story(f"s{number:03d}", title, paragraphs)
        for index, outlet in enumerate(outlets):
            published = start + timedelta(minutes=index * rng.randint(20, 200))
            if published > now:
                published = now - timedelta(minutes=1 + index)
            extra = f"Reporting by {rng.choice(PEOPLE)} for {outlet}." if index % 3 == 2 else ""
            url = f"https://{_slug(outlet)}.example/news/{story.key}"
            story.copies.append(Copy(outlet, published, url, extra))
        stories.append(story)
        count += carriers
    return stories


def _offset_form(moment: datetime, rng: random.Random) -> str:
    """The publication time as an outlet writes it: UTC, or local time with an offset."""
    hours = rng.choice((0, 0, 8, -5, 1))
    local = moment.astimezone(UTC) + timedelta(hours=hours)
    sign = "+" if hours >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(hours):02d}:00"


def write_files(stories: list[Story], folder: Path, seed: int = 13) -> list[Path]:
    """One text file per copy, with front matter; returned in a shuffled (ingest) order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for story in stories:
        for copy in story.copies:
            path = folder / f"{story.key}-{_slug(copy.outlet)}.txt"
            head = (
                f"---\noutlet: {copy.outlet}\npublished: {_offset_form(copy.published, rng)}\n"
                f"url: {copy.url}\nauthors: {rng.choice(PEOPLE)}\n---\n"
            )
            body = "\n\n".join([story.title, *story.paragraphs, *([copy.extra] if copy.extra else [])])
            path.write_text(head + body + "\n", encoding="utf-8")
            paths.append(path)
    rng.shuffle(paths)
    return paths


def build(
    folder: Path, now: datetime | None = None, seeds: Path | None = None
) -> tuple[Database, list[Story]]:
    """Write the corpus under ``folder`` and ingest it (and the seeds, if given) into folder/monitor.db."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    stories = generate(now)
    paths = write_files(stories, folder / "corpus")
    db = open_db(folder / "monitor.db")
    config = Config(
        path=folder / "feeds.toml",
        monitor=MonitorSettings(),
        fetch=FetchSettings(),
        serve=ServeSettings(),
        sources=(),
    )
    ctx = Context(config=config, taxonomy=load_taxonomy())
    sync_taxonomy(db, ((e.tag, e.category, e.label) for e in ctx.taxonomy.entries))
    for path in paths:  # one by one, in shuffled order: arrival order is not publication order
        ingest_paths(db, ctx, [path], source_name="newsroom")
    if seeds is not None:
        ingest_paths(db, ctx, [seeds], source_name="seeds")
    return db, stories


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "data/corpus")
    database, made = build(out, seeds=Path(__file__).resolve().parent.parent / "seeds")
    print(f"{sum(len(s.copies) for s in made)} articles in {len(made)} stories: {out / 'monitor.db'}")
