"""Open a Redis client from a URL: `redis://`, `rediss://` (TLS) or `redis+sentinel://`.

A Sentinel URL names the sentinels, the service and the database:
    redis+sentinel://[:password@]sentinel-1:26379,sentinel-2:26379/mymaster/0
The client then follows the current primary through the sentinels (failover included); the
password, if any, is the primary's. Everything else is redis-py's own `from_url`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

import redis
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"


def connect(url: str, **options: Any) -> redis.Redis:
    """A client for `url`; `options` go to the connection (e.g. socket_timeout)."""
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return redis.Redis.from_url(url, **options)
    hosts, service, db, password = parse_sentinel_url(url)
    sentinel = Sentinel(hosts, socket_timeout=options.get("socket_timeout", 1.0))
    return sentinel.master_for(service, db=db, password=password, **options)


def parse_sentinel_url(url: str) -> tuple[list[tuple[str, int]], str, int, str | None]:
    """(sentinel addresses, service name, database, password) of a Sentinel URL."""
    parsed = urlparse(url)
    netloc = parsed.netloc.rsplit("@", 1)[-1]
    hosts = []
    for address in filter(None, netloc.split(",")):
        host, _, port = address.rpartition(":")
        hosts.append((host or address, int(port) if host else 26379))
    parts = [part for part in parsed.path.split("/") if part]
    if not hosts or not parts:
        raise ValueError("a Sentinel URL needs sentinels and a service: "
                         "redis+sentinel://host:26379/mymaster/0")
    db = int(parts[1]) if len(parts) > 1 else 0
    password = unquote(parsed.password) if parsed.password else None
    return hosts, parts[0], db, password
