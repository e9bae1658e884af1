"""URL fetching that cannot be turned against the server's own network (SSRF).

Only http(s); the host is resolved and every address checked before a connection is made (loopback,
private, link-local, multicast, reserved and cloud-metadata addresses are refused); redirects are followed by
hand so that each hop is checked again; size and time are capped. The resolver and the transport are
parameters so that tests can check private ranges without sending traffic anywhere.

What remains: the HTTP client resolves the name again when it connects, so a DNS server that answers
differently within milliseconds (rebinding) is not covered; an allow-list of hosts closes that too.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from urllib.parse import urljoin, urlsplit

import httpx

from unspin.errors import IngestError
from unspin.ingest.decode import decode_bytes
from unspin.ingest.html import article_from_html
from unspin.ingest.url import USER_AGENT
from unspin.model import Article

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_REDIRECTS = 5

# Beyond what ipaddress's is_private/is_loopback/... flags cover: cloud metadata endpoints (AWS IPv6, the
# Alibaba one) and the carrier-grade NAT range.
BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("169.254.0.0/16", "100.64.0.0/10", "100.100.100.200/32", "fd00:ec2::/32", "0.0.0.0/8")
]
BLOCKED_NAMES = {"metadata", "metadata.google.internal", "metadata.goog", "instance-data"}


class FetchRefused(IngestError):
    """The URL points where the server must not go, or the answer broke a limit."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise IngestError(host, f"cannot resolve the host name ({exc.strerror})") from exc
    return sorted({str(info[4][0]) for info in infos})


def address_problem(address: IPAddress) -> str | None:
    """Why the server must not connect to ``address``, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for flag in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(address, f"is_{flag}"):
            return f"{flag.replace('_', '-')} address {address}"
    if any(address in net for net in BLOCKED_NETWORKS):
        return f"metadata or internal address {address}"
    if not address.is_global:
        return f"non-public address {address}"
    return None


class SafeFetcher:
    def __init__(
        self,
        *,
        allow_hosts: Sequence[str] = (),
        allow_networks: Sequence[str] = (),
        timeout_s: float = 15.0,
        max_bytes: int = 10_000_000,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.allow_hosts = {h.lower().rstrip(".") for h in allow_hosts}
        self.allow_networks = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.resolver = resolver
        self.transport = transport

    def check_url(self, url: str) -> None:
        """Raise FetchRefused unless every address ``url``'s host resolves to may be fetched."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(url, "only http and https URLs can be fetched")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise FetchRefused(url, "the URL has no host")
        if parts.username or parts.password:
            raise FetchRefused(url, "URLs with credentials are not fetched")
        if self.allow_hosts and host not in self.allow_hosts:
            raise FetchRefused(url, f"host {host} is not on the server's allow-list")
        if host in BLOCKED_NAMES:
            raise FetchRefused(url, f"host {host} is a cloud metadata service")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchRefused(url, "bad port") from exc
        try:  # inet_aton reads the short forms browsers accept too ('127.1', '0x7f.1', '2130706433')
            addresses = [ipaddress.ip_address(socket.inet_ntoa(socket.inet_aton(host)))]
        except OSError:
            try:
                addresses = [ipaddress.ip_address(host)]
            except ValueError:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in self.resolver(host, port)]
        if not addresses:
            raise FetchRefused(url, f"host {host} resolves to no address")
        for address in addresses:
            if any(address in net for net in self.allow_networks):
                continue
            problem = address_problem(address)
            if problem:
                raise FetchRefused(url, f"refusing to fetch from a {problem}")

    def fetch(self, url: str) -> tuple[str, bytes]:
        """(final URL, body) of an HTML page; each redirect hop is checked before it is followed."""
        deadline = time.monotonic() + self.timeout_s
        with httpx.Client(
            follow_redirects=False,
            timeout=self.timeout_s,
            headers={"User-Agent": USER_AGENT},
            transport=self.transport,
            trust_env=False,  # a proxy from the environment would make the address checks meaningless
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                self.check_url(url)
                try:
                    with client.stream("GET", url) as resp:
                        if resp.is_redirect:
                            url = urljoin(url, resp.headers.get("location", ""))
                            continue
                        return url, self._body(url, resp, deadline)
                except httpx.TimeoutException as exc:
                    raise IngestError(url, f"timed out after {self.timeout_s:g} s") from exc
                except httpx.HTTPError as exc:
                    raise IngestError(url, f"could not fetch ({type(exc).__name__})") from exc
        raise FetchRefused(url, f"more than {MAX_REDIRECTS} redirects")

    def _body(self, url: str, resp: httpx.Response, deadline: float) -> bytes:
        if resp.status_code != 200:
            raise IngestError(url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype and ctype not in ("text/html", "application/xhtml+xml"):
            raise IngestError(url, f"not an HTML page (content-type {ctype})")
        data = bytearray()
        for chunk in resp.iter_bytes():
            data += chunk
            if len(data) > self.max_bytes:
                raise FetchRefused(url, f"page larger than {self.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise IngestError(url, f"timed out after {self.timeout_s:g} s")
        return bytes(data)

    def article(self, url: str) -> Article:
        final, data = self.fetch(url)
        return article_from_html(decode_bytes(data, final), final, url=final, kind="url")
