"""Pathological rows an old database can hold (before ``max_text_chars`` capped stored text): one
20 MB article and many long ones, all matching the same search. Synthetic words only."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from tests import demo_db as demo

HUGE_CHARS = 20_000_000


def filler(chars: int, seed: int = 0) -> str:
    """``chars`` characters of varied synthetic words in paragraphs, mentioning dysprosium now and then."""
    words = [f"w{(seed + i * 7919) % 5003}" for i in range(2000)]
    sentence = " ".join(words[:40]) + " dysprosium supply. "
    paragraph = sentence * 5 + "\n\n"
    return (paragraph * (chars // len(paragraph) + 1))[:chars]


def build(
    path: Path, huge: int = 1, long: int = 0, long_chars: int = 1_000_000, *, schema_before: str | None = None
) -> Database:
    """The demo database plus ``huge`` 20 MB articles and ``long`` articles of ``long_chars``; with
    ``schema_before`` as an older version left it (see :func:`tests.demo_db.build`)."""
    db = demo.build(path, schema_before=schema_before)
    sizes = [HUGE_CHARS] * huge + [long_chars] * long
    with db.atomic():
        for number, size in enumerate(sizes):
            text = "Dysprosium exports opened the week. " + filler(size, number)
            url = f"https://huge.example/{number}"
            published = f"2025-03-0{1 + number % 9}T00:00:00+00:00"
            story = db.table("stories").insert(  # every stored article belongs to a story
                {
                    "title": f"Dysprosium dossier {number}",
                    "first_seen": published,
                    "first_published": published,
                    "first_outlet": "Huge Wire",
                    "last_seen": published,
                    "outlets": 1,
                    "outlet_list": '["Huge Wire"]',
                    "articles": 1,
                }
            ).last_pk
            article = db.table("articles").insert(
                {
                    "url": url,
                    "canonical_url": url,
                    "title": f"Dysprosium dossier {number}",
                    "text": text,
                    "published": f"2025-03-0{1 + number % 9}T00:00:00+00:00",
                    "fetched": "2025-03-01T00:00:00+00:00",
                    "source": "huge",
                    "outlet": "Huge Wire",
                    "story_id": story,
                }
            ).last_pk
            db.execute("update stories set first_article_id = ? where id = ?", [article, story])
    return db
