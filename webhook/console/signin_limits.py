"""Console sign-in limits: slow a guesser down without locking the owner out for good.

Two counters are kept per attempt (issue 10, finding 9; decision 36):

- **Per client address, a growing delay.** The first CONSOLE_FREE_FAILURES_PER_IP (10) failed
  attempts from one address are free; after that each attempt must wait twice as long as the
  one before (2 s, 4 s, 8 s, ... at most CONSOLE_MAX_DELAY_SECONDS, 15 minutes). The address's
  record lasts a day after its last failure. The address is the direct peer, or the client
  named by X-Forwarded-For only when the peer is one of TRUSTED_PROXIES (webhook.proxies).
- **Per account, a lock.** CONSOLE_MAX_FAILURES_PER_USER (5) failures within
  CONSOLE_LOGIN_WINDOW_SECONDS (15 minutes) pause the account's sign-in, the right password
  too, until the window ends, except from a browser that completed a sign-in to this account
  before (a signed "known device" cookie, 90 days): a guesser anywhere cannot keep the owner
  out, and the owner still needs the password (and the second factor).

Attempts are counted before the password is checked, so parallel guesses cannot slip past;
a success takes its attempt back and clears the account's count.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import redis
from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from webhook import keys

DEFAULTS = {
    "CONSOLE_LOGIN_WINDOW_SECONDS": 15 * 60,
    "CONSOLE_MAX_FAILURES_PER_USER": 5,
    "CONSOLE_FREE_FAILURES_PER_IP": 10,
    "CONSOLE_BASE_DELAY_SECONDS": 2,
    "CONSOLE_MAX_DELAY_SECONDS": 15 * 60,
}
ADDRESS_MEMORY_SECONDS = 86400
DEVICE_COOKIE = "hl_device"
DEVICE_MAX_AGE = 90 * 86400

# KEYS: account counter, address hash {n, next}. ARGV: window, account limit, free failures
# per address, base delay, max delay, now, known device (1/0), address memory.
# Returns 0, or the seconds to wait.
_RESERVE = """
local now = tonumber(ARGV[6])
local next_at = tonumber(redis.call('hget', KEYS[2], 'next') or '0')
if next_at > now then return math.ceil(next_at - now) end
if ARGV[7] ~= '1' and tonumber(redis.call('get', KEYS[1]) or '0') >= tonumber(ARGV[2]) then
  return math.max(redis.call('ttl', KEYS[1]), 1)
end
redis.call('set', KEYS[1], 0, 'EX', ARGV[1], 'NX')
redis.call('incr', KEYS[1])
local n = redis.call('hincrby', KEYS[2], 'n', 1)
local over = n - tonumber(ARGV[3])
if over >= 0 then
  local delay = math.min(tonumber(ARGV[5]), tonumber(ARGV[4]) * 2 ^ over)
  redis.call('hset', KEYS[2], 'next', tostring(now + delay))
end
redis.call('expire', KEYS[2], ARGV[8])
return 0
"""
_FORGET = """
redis.call('del', KEYS[1])
if redis.call('exists', KEYS[2]) == 1 then
  redis.call('hincrby', KEYS[2], 'n', -1)
  redis.call('hdel', KEYS[2], 'next')
end
"""


def counters(username: str, address: str) -> tuple[str, str]:
    """The account's and the address's keys (the typed name hashed: anyone chooses it)."""
    return (keys.login_failures_user(hashlib.sha256(username.encode()).hexdigest()[:32]),
            keys.login_failures_ip(address))


def reserve(client: redis.Redis, settings: dict[str, Any], username: str, address: str,
            known_device: bool) -> int:
    """Count an attempt before checking it; 0, or how many seconds to wait."""
    values = {**DEFAULTS, **{k: settings[k] for k in DEFAULTS if k in settings}}
    return int(client.eval(_RESERVE, 2, *counters(username, address),
                           values["CONSOLE_LOGIN_WINDOW_SECONDS"],
                           values["CONSOLE_MAX_FAILURES_PER_USER"],
                           values["CONSOLE_FREE_FAILURES_PER_IP"],
                           values["CONSOLE_BASE_DELAY_SECONDS"],
                           values["CONSOLE_MAX_DELAY_SECONDS"], time.time(),
                           "1" if known_device else "0", ADDRESS_MEMORY_SECONDS))


def forget(client: redis.Redis, username: str, address: str) -> None:
    """A success: clear the account's count and take back the address's attempt."""
    client.eval(_FORGET, 2, *counters(username, address))


def _signer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="hl-known-device")


def is_known_device(request: Request, secret_key: str, username: str) -> bool:
    """True when the request carries this account's known-device cookie, unexpired."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    if not token:
        return False
    try:
        names = _signer(secret_key).loads(token, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(names, list) and username in names


def remember_device(response: Response, request: Request, secret_key: str, username: str,
                    secure: bool) -> None:
    """Mark this browser as one `username` completed a sign-in from (kept with the others)."""
    names: list[str] = []
    token = request.cookies.get(DEVICE_COOKIE, "")
    if token:
        try:
            loaded = _signer(secret_key).loads(token, max_age=DEVICE_MAX_AGE)
            names = [n for n in loaded if isinstance(n, str)][-4:] if isinstance(
                loaded, list) else []
        except BadSignature:
            names = []
    names = [n for n in names if n != username] + [username]
    response.set_cookie(DEVICE_COOKIE, _signer(secret_key).dumps(names), max_age=DEVICE_MAX_AGE,
                        path="/console/login", httponly=True, samesite="Strict", secure=secure)
