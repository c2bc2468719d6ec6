"""X-Hub-Signature-256: HMAC-SHA256 of the raw request body with the app secret."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Facebook would send for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def is_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """True only for a well-formed header that matches; never raises on bad input."""
    if not header or not app_secret or not header.startswith(PREFIX):
        return False
    expected = sign(body, app_secret)
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """The `appsecret_proof` Graph API calls carry: HMAC-SHA256 of the token with the secret."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
