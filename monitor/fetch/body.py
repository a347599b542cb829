"""Reading a response body within limits: raw bytes capped while streaming, inflation capped too.

httpx would inflate each network chunk without a bound, so a 10 kB gzip bomb could
become gigabytes in memory. We read the raw bytes and inflate them ourselves with
``decompressobj(...).decompress(data, max_length)``, stopping at the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from monitor.errors import FetchError, TooLargeError

# Encodings we can inflate with a bound; the Accept-Encoding we send lists exactly these.
ACCEPT_ENCODING = "gzip, deflate"


class _Inflater:
    """Inflates one content-coding step, never producing more than ``limit`` bytes in total."""

    def __init__(self, coding: str, limit: int) -> None:
        self._coding = coding
        self._limit = limit
        self._produced = 0
        # gzip: wbits 16+MAX; deflate is "zlib" per the RFC but raw deflate in the wild: sniff below.
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if coding == "gzip" else None
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        if self._inflater is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if _looks_zlib(data) else -zlib.MAX_WBITS)
        try:
            out = self._inflater.decompress(data, self._limit - self._produced + 1)
        except zlib.error as exc:
            raise FetchError(f"bad {self._coding} body: {exc}") from exc
        return self._count(out)

    def finish(self) -> bytes:
        if self._inflater is None:
            if self._pending:
                raise FetchError(f"bad {self._coding} body: truncated")
            return b""
        return self._count(self._inflater.flush())

    def _count(self, out: bytes) -> bytes:
        self._produced += len(out)
        if self._produced > self._limit:
            raise TooLargeError(f"too large: decompressed body over {self._limit} bytes")
        return out


def _looks_zlib(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def codings(content_encoding: str | None) -> list[str]:
    """The content codings to undo, outermost first; raises FetchError for ones we cannot undo."""
    steps = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    steps = [c for c in steps if c != "identity"]
    unknown = [c for c in steps if c not in ("gzip", "x-gzip", "deflate")]
    if unknown:
        raise FetchError(f"unsupported content encoding: {', '.join(unknown)}")
    return ["gzip" if c == "x-gzip" else c for c in reversed(steps)]


async def read_capped(
    chunks: AsyncIterator[bytes], content_encoding: str | None, max_bytes: int, max_decompressed: int
) -> bytes:
    """The decoded body, or TooLargeError as soon as either cap is passed."""
    inflaters = [_Inflater(c, max_decompressed) for c in codings(content_encoding)]
    parts: list[bytes] = []
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > max_bytes:
            raise TooLargeError(f"too large: body over {max_bytes} bytes")
        parts.append(_through(inflaters, chunk))
    parts.append(_finish(inflaters))
    return b"".join(parts)


def _through(inflaters: list[_Inflater], data: bytes) -> bytes:
    for inflater in inflaters:
        data = inflater.feed(data)
    return data


def _finish(inflaters: list[_Inflater]) -> bytes:
    data = b""
    for inflater in inflaters:
        data = inflater.feed(data) + inflater.finish() if data else inflater.finish()
    return data


def inflate(data: bytes, coding: str, limit: int) -> bytes:
    """``data`` inflated in one go (a ``.xml.gz`` file), raising TooLargeError past ``limit`` bytes."""
    inflater = _Inflater(coding, limit)
    return inflater.feed(data) + inflater.finish()
