"""Which reverse proxies may say who the client is (X-Forwarded-For, X-Forwarded-Proto).

TRUSTED_PROXIES is a comma-separated list of addresses or networks (`127.0.0.1`,
`10.0.0.0/8`, `::1`). The forwarding headers are believed only when the direct peer is one
of them; then werkzeug's ProxyFix takes the address the proxy appended (the right-most).
Anyone else who sends the headers is ignored and counted under their own address, so a
forged header cannot buy fresh sign-in attempts (issue 10, finding 9).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PEER_KEY = "REMOTE_ADDR"  # the WSGI environ's direct peer (not an environment variable)


class ProxyConfigError(ValueError):
    """TRUSTED_PROXIES holds something that is not an address or a network."""


def parse(value: str) -> tuple[Network, ...]:
    """The networks of a TRUSTED_PROXIES value (empty: no proxy is trusted)."""
    networks = []
    for item in (part.strip() for part in (value or "").split(",")):
        if not item:
            continue
        if "." not in item and ":" not in item:
            raise ProxyConfigError(f"TRUSTED_PROXIES lists proxy addresses or networks "
                                   f"(e.g. 127.0.0.1 or 10.0.0.0/8), not {item!r}")
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ProxyConfigError(f"TRUSTED_PROXIES: {error}") from error
    return tuple(networks)


def is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    """True when `address` is in one of `networks`."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxyFix:
    """WSGI middleware: ProxyFix for requests whose direct peer is a trusted proxy, else the
    request as it came (its forwarding headers ignored)."""

    def __init__(self, app: Any, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if is_trusted(environ.get(PEER_KEY, ""), self.networks):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
