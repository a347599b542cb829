"""Log lines: one event per line as key=value, secrets never printed."""

from __future__ import annotations

import pytest

from monitor.log import format_event, redact

REDACTED = [
    ("tgram://123456:ABCdef/987", "tgram://***"),
    ("mailto://user:pw@mail.example.org?to=a@b.c", "mailto://***"),
    ("https://user:hunter2@example.org/feed", "https://***@example.org/feed"),
    ("https://example.org/feed?api_key=abc123&x=1", "https://example.org/feed?api_key=***&x=1"),
    ("https://example.org/hook?key=abc123", "https://example.org/hook?key=***"),
    ("Authorization: Bearer-xyz", "Authorization: ***"),
    ("token=s3cr3t", "token=***"),
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_secrets_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_config_key_field_is_not_a_secret() -> None:
    line = format_event("config_reload_failed", {"key": "source[0].url", "line": 4})
    assert line == "config_reload_failed key=source[0].url line=4"


def test_values_with_spaces_are_quoted_and_none_is_left_out() -> None:
    assert format_event("e", {"error": 'bad "x" y', "skip": None}) == 'e error="bad \\"x\\" y"'
