"""Canonical URLs: one key per page, however a reader or a feed reached it.

The canonical form is an identity key for the ``articles.canonical_url`` unique
index, not a link to show (``articles.url`` keeps what was fetched). Rules, in order:

- resolve against ``base``; lowercase scheme and host; IDNA-encode the host; drop
  user info, default ports and the fragment;
- unwrap AMP caches (``*.cdn.ampproject.org/c/s/…``, ``google.com/amp/s/…``);
- fold ``www.``, ``amp.``, ``m.`` and ``mobile.`` host prefixes into the plain host;
- normalise percent-encoding (unreserved characters decoded, hex uppercased,
  anything illegal encoded), resolve ``.``/``..`` segments;
- drop the AMP path forms (an ``/amp`` segment, a ``.amp`` suffix) and a trailing
  slash on any path but ``/`` (CMSs serve both; we keep one);
- drop tracking and AMP query parameters, sort the rest.

Anything that is not an absolute http(s) URL comes back stripped, never an error.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

# Exact (lowercase) names of query parameters that only track the reader or pick the AMP view.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "ocid",
        "ncid",
        "smid",
        "smtyp",
        "sr_share",
        "__twitter_impression",
        "_ga",
        "_gl",
        "spm",
        "xtor",
        "ito",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "s_cid",
        "wt.mc_id",
        "__tn__",
        "mkt_tok",
        "soc_src",
        "soc_trk",
        "amp",
        "_amp",
    }
)
# Parameters that select the AMP rendering only with this value: outputType=amp (Washington Post).
AMP_PARAM_VALUES = {"outputtype": "amp"}
# Name prefixes of tracking parameter families: utm_source, utm_medium, at_medium, pk_campaign...
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "hsa_", "vero_", "oly_", "__hs")
HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")
DEFAULT_PORTS = {"http": 80, "https": 443}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "".join(sorted(_UNRESERVED)) + "!$&'()*+,;=:@/%"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE_OR_CHAR = re.compile(r"%([0-9A-Fa-f]{2})|(.)", re.DOTALL)
_AMP_CACHE_PATH = re.compile(r"^/(?:[cvi]/)?(s/)?([^/]+)(/.*)?$")


def canonicalize(url: str, base: str | None = None) -> str:
    """Return the canonical form of ``url`` (resolved against ``base``); junk comes back stripped."""
    stripped = url.strip() if isinstance(url, str) else ""
    try:
        absolute = urljoin(base, stripped) if base else stripped
        parts = urlsplit(absolute)
        if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
            return stripped
        unwrapped = _unwrap_amp_cache(parts)
        return _build(unwrapped) if unwrapped is not None else _build(parts)
    except ValueError:  # bad port, bad IPv6 literal, IDNA label errors (UnicodeError is a ValueError)
        return stripped


def _build(parts: SplitResult) -> str:
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _path(parts.path)
    query = _query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _unwrap_amp_cache(parts: SplitResult) -> SplitResult | None:
    """The publisher's URL inside an AMP cache URL, or None when this is not one."""
    host = (parts.hostname or "").lower()
    is_google_amp = host in ("google.com", "www.google.com") and parts.path.startswith("/amp/")
    if not (host.endswith(".cdn.ampproject.org") or is_google_amp):
        return None
    path = parts.path[len("/amp") :] if is_google_amp else parts.path
    found = _AMP_CACHE_PATH.match(path)
    if found is None or "." not in found.group(2):
        return None
    scheme = "https" if found.group(1) else "http"
    inner = urlsplit(f"{scheme}://{found.group(2)}{found.group(3) or '/'}")
    return inner._replace(query=parts.query)


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal: urlsplit removed the brackets
        return f"[{host}]"
    for prefix in HOST_PREFIXES:
        rest = host[len(prefix) :]
        if host.startswith(prefix) and rest.count(".") >= 1:
            return rest
    return host


def _normalise_escapes(text: str, safe: str) -> str:
    """Decode escapes of unreserved characters, uppercase the others, encode what is illegal."""

    def fix(match: re.Match[str]) -> str:
        escape, char = match.group(1), match.group(2)
        if escape is not None:
            decoded = chr(int(escape, 16))
            return decoded if decoded in _UNRESERVED else "%" + escape.upper()
        return char if char in safe and char != "%" else _encode_char(char)  # a lone % becomes %25

    return _ESCAPE_OR_CHAR.sub(fix, text)


def _encode_char(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def _path(raw_path: str) -> str:
    segments = _remove_dot_segments(_normalise_escapes(raw_path, _PATH_SAFE).split("/"))
    segments = [seg for seg in segments if seg.lower() != "amp"]
    while len(segments) > 1 and segments[-1] == "":  # trailing slashes go (see module docstring)
        segments.pop()
    if segments and segments[-1].lower().endswith(".amp"):
        segments[-1] = segments[-1][: -len(".amp")]
    elif segments and ".amp." in segments[-1].lower():  # story.amp.html -> story.html
        segments[-1] = re.sub(r"(?i)\.amp\.", ".", segments[-1])
    path = "/".join(segments)
    path = path if path.startswith("/") else "/" + path
    return path


def _remove_dot_segments(segments: list[str]) -> list[str]:
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    return kept


def _query(raw_query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for item in raw_query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        if _is_tracking(key, value):
            continue
        pairs.append((_normalise_escapes(key, _QUERY_SAFE), _normalise_escapes(value, _QUERY_SAFE)))
    pairs.sort()
    return "&".join(f"{key}={value}" if value else key for key, value in pairs)


def _is_tracking(raw_key: str, raw_value: str) -> bool:
    name = unquote(raw_key.replace("+", " ")).strip().lower()
    if name in AMP_PARAM_VALUES:
        return unquote(raw_value).strip().lower() == AMP_PARAM_VALUES[name]
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)
