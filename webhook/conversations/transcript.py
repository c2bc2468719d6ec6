"""The transcript of a conversation: every user, bot and person message, with time and language.

The moderator console shows it. It holds the text people wrote, so it expires with the
retention period and keeps at most the last MAX_ENTRIES messages.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from webhook import keys

MAX_ENTRIES = 500
ROLES = ("user", "bot", "person", "system")


class Transcript:
    """Append to and read a conversation's transcript."""

    def __init__(self, client: redis.Redis, retention_seconds: int) -> None:
        self.client = client
        self.retention = retention_seconds

    def add(self, psid: str, role: str, text: str, language: str | None = None,
            pipe: redis.client.Pipeline | None = None, **extra: Any) -> None:
        """Record one message (role: user, bot, person or system); in the caller's `pipe`
        (executed by the caller) when given."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        entry = {"t": time.time(), "role": role, "text": text, "lang": language or "", **extra}
        key = keys.transcript(psid)
        own = pipe is None
        pipe = self.client.pipeline() if own else pipe
        pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(key, -MAX_ENTRIES, -1)
        pipe.expire(key, self.retention)
        if own:
            pipe.execute()

    def read(self, psid: str) -> list[dict[str, Any]]:
        """All kept messages, oldest first."""
        return [json.loads(item) for item in self.client.lrange(keys.transcript(psid), 0, -1)]
