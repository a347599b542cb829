"""``detect_language``: the language of an article that does not declare one.

py3langid (a maintained fork of langid.py; its model ships inside the package, so it works
offline) restricted to the languages rare-earth news comes in: fewer candidates, fewer confusions
(short Chinese headlines are otherwise taken for Wu or Cantonese). Chinese is reported as
``zh-Hant`` or ``zh-Hans`` (whether OpenCC's folding changes the text), as pages declare it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import py3langid.langid as langid

from monitor.tagging.text import is_cjk, script_text

LANGUAGES = (
    "en", "zh", "ja", "ko", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "sv", "da", "no", "fi",
    "cs", "tr", "id", "ms", "vi", "th", "ar", "hi",
)  # fmt: skip
SAMPLE = 600  # characters: a few sentences give a confident answer; the cost grows with the sample
MIN_LETTERS = 12  # shorter texts ("Lynas") say nothing reliable about their language
MIN_CONFIDENCE = 0.5


@cache
def _identifier() -> Any:
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _has_letters(sample: str) -> bool:
    letters = 0
    for char in sample:
        letters += char.isalpha()
        if letters >= MIN_LETTERS:
            return True
    return False


def detect_language(title: str, text: str) -> str | None:
    """A language code ("en", "de", "zh-Hans", ...) for the article, or None when unsure."""
    sample = f"{title}\n{text[:SAMPLE]}"[:SAMPLE]
    if not _has_letters(sample):
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    if code == "zh" and is_cjk(sample):
        return "zh-Hans" if script_text(sample) == sample else "zh-Hant"
    return str(code)
