"""Bytes to text: which charset a body really uses.

Order of evidence: a byte-order mark; the Content-Type charset; a ``<meta>`` charset or
the XML prolog's encoding; else UTF-8 when the bytes are valid UTF-8, else windows-1252.
Declarations lie often enough that two checks overrule them:

- declared latin-1/windows-1252/ascii, but the body is valid UTF-8 with non-ASCII bytes:
  it is UTF-8 (random latin-1 text is almost never valid UTF-8);
- declared UTF-8, but the body is not valid UTF-8: if most non-ASCII characters fail to
  decode, it is windows-1252; if only a few do, it is damaged UTF-8 and we keep UTF-8.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# HTML's rule: these labels all mean windows-1252, a superset of latin-1's printable range.
_LATIN = {"latin-1", "iso8859-1", "ascii", "cp1252"}
_MARKUP_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_XML_PROLOG = re.compile(rb"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']", re.IGNORECASE)


def media_type(content_type: str | None) -> str:
    """``text/html`` from ``Text/HTML; charset=UTF-8``; "" when absent."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset.strip().strip("\"'") if isinstance(charset, str) and charset.strip() else None


def markup_charset(body: bytes) -> str | None:
    match = _MARKUP_CHARSET.search(body[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii", "replace")


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A document we can read as ASCII bytes cannot really be UTF-16/32 without a BOM.
    return None if name.startswith(("utf-16", "utf-32")) else name


def _utf8_score(body: bytes) -> tuple[int, int]:
    """(non-ASCII characters decoded, bytes that failed) when reading ``body`` as UTF-8.

    Counted with C-speed string methods: a Python loop over a 20 MB body took seconds.
    """
    text = body.decode("utf-8", "replace")
    failed = text.count("\ufffd") - body.decode("utf-8", "ignore").count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - failed, failed


def choose_encoding(body: bytes, declared: str | None) -> str:
    """The encoding to decode ``body`` with, given what the server or document declared."""
    name = _codec_name(declared)
    if name is not None and name not in _LATIN and name != "utf-8":
        return name  # a specific legacy charset (shift_jis, koi8-r, ...): trust it
    if body.isascii() or _is_utf8(body):
        return "utf-8"  # valid UTF-8 (with non-ASCII bytes, whatever was declared)
    decoded, failed = _utf8_score(body)
    if name == "utf-8" and decoded > failed:
        return "utf-8"  # damaged UTF-8: keep it, a few characters become U+FFFD
    return "cp1252"


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Leading bytes of formats that are never article text (PDF, images, archives, media, office files).
_BINARY_MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"RIFF", "RIFF media"),
    (b"\x00\x00\x00", "binary data"), (b"\xd0\xcf\x11\xe0", "MS Office file"), (b"\x7fELF", "executable"),
    (b"OggS", "Ogg media"), (b"ID3", "MP3 audio"), (b"BZh", "bzip2 data"), (b"\xfd7zXZ", "xz data"),
)
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))


def binary_kind(head: bytes) -> str | None:
    """What a body that starts with ``head`` is, when it is not text; None for text.

    A known file signature, or more than 1% NUL/control bytes in the first 8 kB (text has
    none, a broken page a stray few; UTF-16 text starts with a byte-order mark and passes).
    """
    head = head[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return None
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    controls = len(head) - len(head.translate(None, _CONTROL))
    return "binary data" if controls > len(head) // 100 else None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used) for a response body."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace"), encoding
    declared = header_charset(content_type) or markup_charset(body)
    name = _codec_name(declared)
    if name is None or name in _LATIN or name == "utf-8":
        try:  # the common case, decoded once (a 20 MB body is not copied twice to check it)
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    encoding = choose_encoding(body, declared)
    return body.decode(encoding, "replace"), encoding


def to_utf8_xml(body: bytes, content_type: str | None = None) -> bytes:
    """The same XML document re-encoded as UTF-8, its prolog saying so.

    Feed parsers trust the declared charset; we decide it here (see module doc) and hand
    them bytes whose declaration is true.
    """
    text, _ = decode(body, content_type)
    data = text.encode("utf-8")
    return _XML_PROLOG.sub(rb'\1 encoding="utf-8"', data, count=1)
