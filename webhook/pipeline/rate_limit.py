"""Per-user rate limit: one sender flooding the Page must not starve everyone else.

Each user gets at most `messages` answers per window of `window_seconds` (a fixed window that
starts with their first message, counted in Redis so every worker shares it); the next message
gets one polite notice, and the rest of the window is recorded but not answered: no Rasa, no
Send API call, so a flood costs the worker a few Redis calls per message and the other users
of the same inbox shard wait for those only.
"""

from __future__ import annotations

import enum
import os

import redis

from webhook import keys, metrics

# INCR and EXPIRE in one step; EXPIRE again if a key somehow has no expiry (never a user
# limited for good)
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class Verdict(enum.Enum):
    """What the bot does with one more message from a user."""

    ANSWER = "answer"
    NOTICE = "notice"   # the first one over the limit: tell the user, once per window
    SILENT = "silent"   # recorded, not answered


class RateLimit:
    """The shared counter of answered messages per user."""

    def __init__(self, client: redis.Redis, messages: int = 15, window_seconds: int = 60) -> None:
        self.client = client
        self.messages = messages
        self.window_seconds = window_seconds
        self._count = client.register_script(_COUNT)

    @classmethod
    def from_environment(cls, client: redis.Redis) -> RateLimit | None:
        """RATE_LIMIT_MESSAGES (default 15; 0 turns the limit off) per
        RATE_LIMIT_WINDOW_SECONDS (default 60)."""
        messages = int(os.environ.get("RATE_LIMIT_MESSAGES", "15"))
        window = int(os.environ.get("RATE_LIMIT_WINDOW_SECONDS", "60"))
        return cls(client, messages, window) if messages > 0 else None

    def take(self, psid: str) -> Verdict:
        """Count one message of `psid` and say what to do with it."""
        count = int(self._count(keys=[keys.rate_limit(psid)], args=[self.window_seconds]))
        if count <= self.messages:
            return Verdict.ANSWER
        metrics.RATE_LIMITED.inc()
        return Verdict.NOTICE if count == self.messages + 1 else Verdict.SILENT
