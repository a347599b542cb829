"""Pure parts of the fetch edge: SSRF address table, robots.txt matching, charsets, Retry-After, caps."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from monitor.errors import FetchError, TooLargeError
from monitor.fetch import robots
from monitor.fetch.body import read_capped
from monitor.fetch.decode import choose_encoding, decode, to_utf8_xml
from monitor.fetch.retry_after import parse_retry_after
from monitor.fetch.ssrf import AddressPolicy, refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.1.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),  # reserved, and Python counts 240/4 as private too
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
        ("2002:5db8:d822::1", None),  # 6to4 of a public address
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
    ],
)
def test_address_refusals(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def test_trusted_networks_are_let_through_and_nothing_else() -> None:
    policy = AddressPolicy.trusting("127.0.0.1/32")
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("127.0.0.2") == "loopback"
    assert policy.refusal("169.254.169.254") == "link-local"
    assert policy.refusal("fe80::1%eth0") == "link-local"


ROBOTS = """
# comment
User-agent: Googlebot
Disallow: /

User-agent: RareEarthMonitor
User-agent: OtherBot
Disallow: /private
Allow: /private/public
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 3

User-agent: *
Disallow: /
"""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://x.com/news/1", True),
        ("https://x.com/private", False),
        ("https://x.com/private/secret", False),
        ("https://x.com/private/public/ok", True),  # longer Allow wins
        ("https://x.com/report.pdf", False),
        ("https://x.com/report.pdf?x=1", True),  # $ anchors the end
        ("https://x.com/search?q=a", False),
        ("https://x.com/search", True),
        ("https://x.com/robots.txt", True),
    ],
)
def test_robots_rules_for_our_token(url: str, allowed: bool) -> None:
    rules = robots.parse(ROBOTS, "RareEarthMonitor")
    assert rules.allows(url) is allowed
    assert rules.crawl_delay == 3.0


@pytest.mark.parametrize(
    ("text", "url", "allowed"),
    [
        ("User-agent: *\nDisallow: /a\n", "http://h/a/b", False),  # star group when ours is absent
        ("User-agent: *\nDisallow:\n", "http://h/a", True),  # empty Disallow allows all
        ("User-agent: *\nDisallow: /a\nAllow: /a\n", "http://h/a", True),  # tie: Allow wins
        ("User-agent: rareearthmonitor\nDisallow: /x\n", "http://h/x", False),  # case-insensitive
        ("User-agent: other\nDisallow: /\n", "http://h/x", True),  # no group for us
        ("User-agent: *\nDisallow: /%7Euser\n", "http://h/~user/page", False),  # percent-encoding
        ("garbage without colons\n\n", "http://h/x", True),
    ],
)
def test_robots_edge_cases(text: str, url: str, allowed: bool) -> None:
    assert robots.parse(text, "RareEarthMonitor").allows(url) is allowed


@pytest.mark.parametrize(
    ("status", "disallow_all"),
    [(200, False), (404, False), (403, False), (429, True), (500, True), (503, True), (0, True)],
)
def test_robots_status_verdicts(status: int, disallow_all: bool) -> None:
    rules = robots.verdict(status, b"User-agent: *\nAllow: /\n", "RareEarthMonitor")
    assert rules.allows("http://h/page") is not disallow_all


@pytest.mark.parametrize(
    ("body", "declared", "expected"),
    [
        ("café".encode(), "iso-8859-1", "utf-8"),  # labelled latin-1, really UTF-8
        ("café".encode(), "windows-1252", "utf-8"),
        ("café".encode("latin-1"), "utf-8", "cp1252"),  # labelled UTF-8, really latin-1
        ("café".encode("latin-1"), None, "cp1252"),
        ("café €".encode("cp1252"), "latin-1", "cp1252"),
        (("é" * 50).encode() + b"\xff", "utf-8", "utf-8"),  # mostly UTF-8 with one bad byte
        (b"plain ascii", "latin-1", "utf-8"),
        ("日本".encode("shift_jis"), "shift_jis", "shift_jis"),
        ("café".encode(), "no-such-charset", "utf-8"),
        ("café".encode(), "utf-16", "utf-8"),  # UTF-16 without a BOM is a lie
    ],
)
def test_choose_encoding(body: bytes, declared: str | None, expected: str) -> None:
    assert choose_encoding(body, declared) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (b'<meta charset="iso-8859-1"><p>caf\xe9</p>', None, '<meta charset="iso-8859-1"><p>café</p>'),
        (b"\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=latin-1", "café"),  # BOM beats the header
        ("café".encode("utf-16"), None, "café"),
        (
            b'<?xml version="1.0" encoding="windows-1252"?><a>\x93q\x94</a>',
            None,
            '<?xml version="1.0" encoding="windows-1252"?><a>“q”</a>',
        ),
    ],
)
def test_decode(body: bytes, content_type: str | None, text: str) -> None:
    assert decode(body, content_type)[0] == text


def test_to_utf8_xml_rewrites_the_prolog() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><t>café</t>'.encode()
    assert (
        to_utf8_xml(body, "text/xml; charset=iso-8859-1")
        == '<?xml version="1.0" encoding="utf-8"?><t>café</t>'.encode()
    )


NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("999999", 3600.0),  # capped
        ("Mon, 01 Jan 2024 00:10:00 GMT", 600.0),
        ("Sun, 31 Dec 2023 00:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, 3600.0, NOW) == seconds


async def _chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize(
    ("data", "encoding", "max_bytes", "max_inflated", "error"),
    [
        (b"x" * 5000, None, 4999, 10**6, "too large: body over 4999 bytes"),
        (
            gzip.compress(b"\0" * 10**6),
            "gzip",
            10**6,
            10**5,
            "too large: decompressed body over 100000 bytes",
        ),
        (b"x" * 5000, "compress", 10**6, 10**6, "unsupported content encoding: compress"),
    ],
)
def test_read_capped_refuses(
    data: bytes, encoding: str | None, max_bytes: int, max_inflated: int, error: str
) -> None:
    with pytest.raises(FetchError) as caught:
        asyncio.run(read_capped(_chunks(data), encoding, max_bytes, max_inflated))
    assert str(caught.value) == error
    assert isinstance(caught.value, TooLargeError) is error.startswith("too large")


def test_read_capped_inflates_exactly_up_to_the_cap() -> None:
    data = gzip.compress(b"a" * 100_000)
    assert asyncio.run(read_capped(_chunks(data, 7), "gzip", 10**6, 100_000)) == b"a" * 100_000


def test_fair_slots_survive_cancelled_waiters() -> None:
    from monitor.fetch.slots import FairSlots

    async def run() -> tuple[int, list[str]]:
        slots, order = FairSlots(1), []

        async def use(tenant: str, hold: float) -> None:
            async with slots.hold(tenant):
                order.append(tenant)
                await asyncio.sleep(hold)

        first = asyncio.create_task(use("a", 0.05))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(use("b", 0))
        later = [asyncio.create_task(use("a", 0)), asyncio.create_task(use("c", 0))]
        await asyncio.sleep(0.01)
        waiting.cancel()  # gave up while queued: must not keep or lose a slot
        await asyncio.gather(first, *later, return_exceptions=True)
        return slots.busy, order

    busy, order = asyncio.run(run())
    assert busy == 0 and order == ["a", "c", "a"]  # after a, c (never served) goes before a again
