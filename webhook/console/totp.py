"""Time-based one-time codes (TOTP, RFC 6238) as the console's second factor.

Required for admins (they can erase people's data and manage accounts), optional for other
roles. The secret is kept in the account's hash (`totp_secret`) and never shown again after
enrolment; `totp_step` holds the last time step accepted, so a code works once (a code seen
over someone's shoulder cannot be replayed). Codes of the previous and next 30-second step
are accepted for clock drift. Enrolment: a new secret waits in Redis for 10 minutes
(keys.totp_pending) until a code from the app proves it was scanned.
"""

from __future__ import annotations

import hmac
import io
import time

import pyotp
import qrcode
import qrcode.image.svg
import redis

from webhook import keys
from webhook.console.accounts import account_key

ISSUER = "Helpline console"
PENDING_SECONDS = 600
DRIFT_STEPS = 1

# Accept a step only if it is newer than the last one accepted. KEYS: account. ARGV: step.
_USE_STEP = """
if redis.call('exists', KEYS[1]) == 0 then return 0 end
local last = tonumber(redis.call('hget', KEYS[1], 'totp_step') or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('hset', KEYS[1], 'totp_step', ARGV[1])
return 1
"""


def required(role: str) -> bool:
    """True for roles that must use a second factor."""
    return role == "admin"


def has_totp(client: redis.Redis, username: str) -> bool:
    """True when the account has a confirmed second factor."""
    return bool(client.hget(account_key(username), "totp_secret"))


def start_enrolment(client: redis.Redis, username: str) -> str:
    """A new secret for `username`, waiting for a first code (kept 10 minutes)."""
    pending = client.get(keys.totp_pending(username))
    if pending:
        return pending.decode()
    secret = pyotp.random_base32()
    client.set(keys.totp_pending(username), secret, ex=PENDING_SECONDS)
    return secret


def pending_secret(client: redis.Redis, username: str) -> str | None:
    """The secret waiting for its first code, if any."""
    pending = client.get(keys.totp_pending(username))
    return pending.decode() if pending else None


def confirm_enrolment(client: redis.Redis, username: str, code: str) -> bool:
    """Keep the pending secret when `code` matches it; False (nothing kept) otherwise."""
    secret = pending_secret(client, username)
    step = _matching_step(secret, code) if secret else None
    if step is None:
        return False
    client.hset(account_key(username), mapping={"totp_secret": secret, "totp_step": step})
    client.delete(keys.totp_pending(username))
    return True


def verify(client: redis.Redis, username: str, code: str) -> bool:
    """True when `code` is right for the account and its step was not used before."""
    secret = client.hget(account_key(username), "totp_secret")
    step = _matching_step(secret.decode(), code) if secret else None
    return step is not None and bool(client.eval(_USE_STEP, 1, account_key(username), step))


def reset(client: redis.Redis, username: str) -> None:
    """Remove the account's second factor (a lost phone); admins enrol again at sign-in."""
    client.hdel(account_key(username), "totp_secret", "totp_step")
    client.delete(keys.totp_pending(username))


def provisioning_uri(username: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (from the QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The address as a QR code in SVG (no image library needed)."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is (within the drift), else None."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None
