"""SSRF: a URL from the web reaches only public addresses, whatever form the address takes.

The fetcher resolves a host once, checks every address and connects to the checked one
(monitor.fetch.ssrf). Real local servers on 127.0.0.1 stand in for the intranet.
"""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.fetch import Fetcher, FetchSettings
from monitor.fetch.ssrf import AddressPolicy, refusal, system_resolver, url_refusal
from monitor.models import FetchResult
from tests.servers import Reply, redirect, serve

pytestmark = pytest.mark.security
FAST = FetchSettings(min_delay=0, connect_timeout=1, read_timeout=1, deadline=2.0)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
XML = {"Content-Type": "application/rss+xml"}


async def _get(url: str, policy: AddressPolicy | None = None, **kwargs: Any) -> FetchResult:
    async with Fetcher(FAST, policy=policy or AddressPolicy(), **kwargs) as fetcher:
        return await fetcher.get(url)


def get(url: str, policy: AddressPolicy | None = None, **kwargs: Any) -> FetchResult:
    return asyncio.run(_get(url, policy, **kwargs))


# Loopback written every way a URL parser or inet_aton accepts it.
LOOPBACK_FORMS = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "127.1",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::1]",
    "localhost",
    "localhost.",
    "0.0.0.0",
    "[::ffff:127.0.0.1]",
]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_every_spelling_of_loopback_is_blocked_before_connecting(host: str) -> None:
    with serve({"/x": Reply(200, XML, RSS)}) as server:
        result = get(f"http://{host}:{server.port}/x")
        assert server.requests == []  # nothing reached the "intranet" server
    # Refused with the address it stands for (a literal, before any connection) or the address it
    # resolves to (at connect time); never "internal error".
    assert result.status == 0 and result.error is not None, result
    assert result.error.startswith(f"blocked: {host.strip('[]')} "), result.error


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:10.0.0.1",
        "fd00::1",
        "fe80::1",
        "64:ff9b::a00:1",
        "2002:a00:1::1",
        "::10.0.0.1",
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://167772161/",  # 10.0.0.1 as one decimal number
        "http://0x0a000001/",  # 10.0.0.1 in hex
        "http://[::ffff:10.0.0.1]/",
        "http://[::1]:{port}/x",
        "http://0177.0.0.1:{port}/x",  # octal: the HTTP client cannot even read it
        "http://0xa.1:{port}/x",  # 10.0.0.1, short hex
        "http://[::ffff:127.0.0.1]:{port}/x",
        "http://localhost.:{port}/x",
        "http://0.0.0.0:{port}/x",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_private_address_is_not_followed(target: str) -> None:
    policy = AddressPolicy.trusting("127.0.0.1/32")  # 127.0.0.1 stands in for a public server

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "public.example" else await _system(host, port)

    with serve({"/feed": redirect(target.replace("{port}", "1")), "/x": Reply(200, XML, RSS)}) as server:
        result = get(server.url("/feed", host="public.example"), policy, resolver=resolver)
        assert "/x" not in [r.path for r in server.requests]
    assert result.error is not None, result
    if "0177" in target:  # httpx refuses the Location header itself: the redirect is never followed
        assert result.error.endswith("Invalid URL in location header: Invalid IPv4 address: '0177.0.0.1'.")
    else:
        assert result.error.startswith("blocked"), result.error


async def _system(host: str, port: int) -> list[str]:
    return await system_resolver(host, port)


def test_dns_rebinding_cannot_slip_a_private_address_past_the_check() -> None:
    # The name first answers with a "public" address, then rebinds to a private one: every connection
    # checks the answer it connects to, so after the rebinding nothing reaches the server.
    rebound = False

    async def rebinding(host: str, port: int) -> list[str]:
        return ["10.0.0.7", "127.0.0.1"] if rebound else ["127.0.0.1"]

    policy = AddressPolicy.trusting("127.0.0.1/32")
    with serve({"/x": Reply(200, XML, RSS)}) as server:
        url = server.url("/x", host="rebind.example")
        first = get(url, policy, resolver=rebinding)
        hits = len(server.requests)
        rebound = True
        second = get(url, policy, resolver=rebinding)
        assert len(server.requests) == hits
    assert first.ok and hits >= 1
    assert second.error == "blocked: rebind.example resolves to 10.0.0.7 (private)"


def test_an_allowed_private_source_spelled_in_octal_gets_a_clear_error() -> None:
    async def fetch() -> FetchResult:
        async with Fetcher(FAST) as fetcher:
            return await fetcher.get("http://0177.0.0.1:1/x", allow_private=True)

    result = asyncio.run(fetch())
    assert result.error == "invalid URL: Invalid IPv4 address: '0177.0.0.1'"


CONFIG_FORMS = [
    ("0177.0.0.1", "0177.0.0.1 is 127.0.0.1 (loopback)"),
    ("0x7f.0.0.1", "0x7f.0.0.1 is 127.0.0.1 (loopback)"),
    ("2130706433", "2130706433 is 127.0.0.1 (loopback)"),
    ("127.1", "127.1 is 127.0.0.1 (loopback)"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is 127.0.0.1 (loopback)"),
    ("[::1]", "::1 is a loopback address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("localhost.", "localhost. names this machine (loopback)"),
    ("169.254.169.254", "169.254.169.254 is a link-local address"),
    ("10.1", "10.1 is 10.0.0.1 (private)"),
]


@pytest.mark.parametrize(("host", "why"), CONFIG_FORMS)
def test_config_check_and_sources_add_refuse_a_source_on_a_private_address(
    tmp_path: Path, host: str, why: str
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[source]]\nname = "a"\nkind = "rss"\nurl = "http://{host}/feed"\n', encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(cli, ["--config", str(config), "config", "check"])
    assert checked.exit_code != 0
    assert f"source[0].url: blocked: {why}: only public addresses are fetched" in checked.output
    assert "allow_private = true" in checked.output and "Traceback" not in checked.output
    config.write_text("", encoding="utf-8")
    add = ["--config", str(config), "sources", "add", f"http://{host}/feed", "--name", "b"]
    added = runner.invoke(cli, add)
    assert added.exit_code != 0 and f"blocked: {why}" in added.output, added.output
    assert config.read_text(encoding="utf-8") == ""  # nothing written
    allowed = runner.invoke(cli, [*add, "--allow-private"])
    if host.startswith("0177"):  # allowed, but no HTTP client reads octal: say so now, not at fetch time
        assert allowed.exit_code != 0 and "invalid URL: Invalid IPv4 address" in allowed.output
    else:
        assert allowed.exit_code == 0, allowed.output


def test_a_public_address_in_any_spelling_is_not_refused_by_its_form() -> None:
    assert url_refusal("http://1.1.1.1/") is None and url_refusal("http://0x01010101/") is None
    assert url_refusal("https://feeds.example/rss") is None
