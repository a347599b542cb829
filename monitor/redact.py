"""The one redaction of secrets, used by logs, ``monitor status``, the database Datasette serves and alerts.

What counts as a secret: user info in a URL (``user:pass@``), query arguments whose name says they
carry a credential (``apikey``, ``token``, ``sig``, ``password``, ...), ``name: value`` or
``name=value`` pairs with such names in free text (error messages, headers), and every non-web URL
whole (those are Apprise targets: ``mailto://``, ``json://``, ``tgram://``... are all secret).
Redaction keeps the rest of the text, so a redacted feed URL still says which feed it is.
"""

from __future__ import annotations

import re

MASK = "***"
# user:password@ (or a bare token@) right after a scheme.
_USERINFO = re.compile(r"(?<=://)[^/\s:@?#]+(:[^/\s@?#]*)?@")
# Credential-named query arguments: any name containing one of these words, after ? & or ;.
_QUERY_ARG = re.compile(
    r"(?i)(?<=[?&;])([\w.\-\[\]]*(?:key|token|secret|passw(?:or)?d|pass|auth|sig|signature|session|"
    r"credential|code)[\w.\-\[\]]*)=([^&#\s\"'<>]*)"
)
# name=value / name: value in free text (error messages, headers). A bare ``key=`` outside a query
# string is one of our own log fields (a config key), not a secret, so it is not in this list.
_FIELD = re.compile(
    r"(?i)\b(api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|secret|password|passwd|pass|auth|"
    r"authorization|webhook)([=:]\s*)((?:bearer|basic|token)\s+)?([^&\s,;\"'<>]+)"
)
_ANY_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20})://[^\s\"'<>]+")
_WEB_SCHEMES = {"http", "https", "file"}


def redact(text: str) -> str:
    """``text`` with every credential replaced by ``***``; non-web URLs (Apprise targets) go whole."""
    text = _ANY_URL.sub(_url, text)
    return _FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def _url(match: re.Match[str]) -> str:
    if match.group(1).lower() not in _WEB_SCHEMES:
        return f"{match.group(1)}://{MASK}"
    url = _USERINFO.sub(f"{MASK}@", match.group(0))
    return _QUERY_ARG.sub(lambda m: f"{m.group(1)}={MASK}", url)


def redact_optional(text: str | None) -> str | None:
    """:func:`redact` for a nullable column value."""
    return None if text is None else redact(text)
