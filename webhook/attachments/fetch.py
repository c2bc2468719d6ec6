"""Fetch a Messenger attachment: only from allowed hosts, with size and time limits.

Shared by the scam check (screenshots, never kept) and the evidence store (kept for the case).

In production only Facebook's CDN hosts are allowed (never a URL from the message text: the
URL comes from the attachment Facebook sent). In development and tests the Graph API stand-in
serves the pictures, so its host is allowed too.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests

FACEBOOK_CDN = ("fbcdn.net", "fbsbx.com", "facebook.com")
MAX_BYTES = 8 * 1024 * 1024
TIMEOUT_S = 10.0


class FetchRefused(ValueError):
    """The URL is not allowed, the file is too large, too slow, or the fetch failed."""


def allowed_hosts(graph_api_url: str, production: bool) -> tuple[str, ...]:
    """Facebook's CDN, plus the Graph stand-in's host outside production."""
    if production:
        return FACEBOOK_CDN
    return (*FACEBOOK_CDN, urlsplit(graph_api_url).hostname or "")


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """True when `url` is https (or http to a local stand-in) on one of `hosts`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local = host in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts if allowed)


def fetch(url: str, hosts: tuple[str, ...], max_bytes: int = MAX_BYTES,
          timeout_s: float = TIMEOUT_S) -> tuple[bytes, str]:
    """The attachment's bytes and content type."""
    if not host_allowed(url, hosts):
        raise FetchRefused("host not allowed")
    deadline = time.monotonic() + timeout_s
    try:
        with requests.get(url, stream=True, timeout=timeout_s, allow_redirects=False) as reply:
            if reply.status_code != 200:
                raise FetchRefused(f"HTTP {reply.status_code}")
            if int(reply.headers.get("Content-Length") or 0) > max_bytes:
                raise FetchRefused("too large")
            return _read(reply, max_bytes, deadline), reply.headers.get("Content-Type", "")
    except requests.RequestException as exc:
        raise FetchRefused(type(exc).__name__) from exc


def _read(reply: requests.Response, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    for chunk in reply.iter_content(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise FetchRefused("too large")
        if time.monotonic() > deadline:
            raise FetchRefused("too slow")
    return bytes(body)
