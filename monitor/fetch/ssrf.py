"""The SSRF guard: URLs that come from the web may only reach public addresses.

The check happens at connect time, inside an httpcore network backend: the host
is resolved once, every address it resolves to is checked, and the socket is
opened to one of those checked addresses. A DNS answer that changes between a
check and the connect (rebinding) therefore cannot slip through. TLS still gets
the real host name, because httpcore passes the origin's name to ``start_tls``
(SNI and certificate checks) and the ``Host`` header comes from the URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

from monitor.errors import BlockedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Where IPv6 addresses carry an IPv4 address inside them.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")


class BlockedAddressError(BlockedError):
    """Raised at connect time when a host resolves to an address the guard refuses."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if (ip in _IPV4_COMPATIBLE and int(ip) > 1) or ip in _NAT64:  # ::, ::1 are themselves
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> str | None:
    """Why an address is not public (loopback, private, ...), or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return refusal(inner)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("shared (CGNAT)", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("not global", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


# An IPv4 address as inet_aton (and so every resolver) reads it: 1 to 4 parts, decimal, octal or hex.
_NUMERIC_HOST = re.compile(r"(?i)^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names by itself, however it is spelled: dotted, decimal
    (``2130706433``), hex (``0x7f.0.0.1``), octal (``0177.0.0.1``), short (``127.1``) or IPv6
    (``[::1]``, ``[::ffff:127.0.0.1]``); None for a name that needs DNS."""
    bare = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(bare.rstrip(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare.rstrip(".")))
        except OSError:
            return None
    return None


def host_refusal(host: str, policy: AddressPolicy | None = None) -> str | None:
    """Why a host is not public by its spelling alone (no DNS asked), or None: ``localhost`` and its
    subdomains, and any literal address the policy refuses (see :func:`refusal`)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} names this machine (loopback)"
    ip = literal_address(host)
    reason = (policy or AddressPolicy()).refusal(str(ip)) if ip is not None else None
    if ip is None or reason is None:
        return None
    inner = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    shown = str(inner or ip)
    if shown == name:
        return f"{host} is {'an' if reason[0] in 'aeiou' else 'a'} {reason} address"
    return f"{host} is {shown} ({reason})"


def url_refusal(url: str, allow_private: bool = False, policy: AddressPolicy | None = None) -> str | None:
    """Why a URL cannot be fetched, known without fetching it: ``blocked: ...`` for a host that is not
    public (unless ``allow_private``), ``invalid URL: ...`` for one the HTTP client cannot read (httpx
    refuses octal IPv4 spellings). None when only the fetch can tell. The fetcher checks every
    redirect hop with it; the config check and ``sources add`` check sources with it."""
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        return f"invalid URL: {exc}"
    if host and not allow_private:
        reason = host_refusal(host, policy)
        if reason is not None:
            return f"blocked: {reason}"
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"invalid URL: {exc}"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses count as public. ``trusted`` networks are let through (tests, allowlists)."""

    trusted: tuple[IPNetwork, ...] = ()

    @classmethod
    def trusting(cls, *networks: str) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def refusal(self, address: str) -> str | None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
        if any(ip.version == net.version and ip in net for net in self.trusted):
            return None
        return refusal(ip)


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Resolves a host once and connects to the resolved address; guards it when a policy is set."""

    def __init__(self, resolver: Resolver, policy: AddressPolicy | None) -> None:
        self._resolver = resolver
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        last_error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolver(host.strip("[]"), port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if self._policy is not None:
            self._check_all(host, addresses)
        return addresses

    def _check_all(self, host: str, addresses: list[str]) -> None:
        # Every address must be public: a name that also resolves to 10.0.0.1 is refused outright.
        assert self._policy is not None
        for address in addresses:
            reason = self._policy.refusal(address)
            if reason is not None:
                raise BlockedAddressError(f"blocked: {host} resolves to {address} ({reason})")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """One httpx transport, two connection pools: guarded (the default) and open to private addresses.

    A request opts into the open pool with ``extensions={"allow_private": True}``. Separate pools
    mean a connection opened to an intranet host is never reused by a request that must be guarded.
    """

    def __init__(self, *, resolver: Resolver, policy: AddressPolicy, limits: httpx.Limits) -> None:
        self._guarded = _transport(ResolvingBackend(resolver, policy), limits)
        self._open = _transport(ResolvingBackend(resolver, None), limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        allow_private = bool(request.extensions.get("allow_private", False))
        transport = self._open if allow_private else self._guarded
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._guarded.aclose()
        await self._open.aclose()


def _transport(backend: httpcore.AsyncNetworkBackend, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    # httpx 0.28 takes no network backend argument: swap in a pool built with ours
    # (same options httpx would use; httpx is pinned <0.29 in pyproject).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        retries=0,
        network_backend=backend,
    )
    return transport
