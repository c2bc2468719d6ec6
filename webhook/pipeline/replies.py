"""What has been done for one inbox entry, so a retried or taken-over entry is answered once.

Rasa is asked once per entry; the rendered messages are kept with a count of those sent, so a
worker that dies mid-answer is followed by one that sends only what is left.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from webhook import keys
from webhook.redis_text import as_text

TTL_SECONDS = 86400


class ReplyProgress:
    """The progress record of one inbox entry."""

    def __init__(self, client: redis.Redis, entry_id: str) -> None:
        self.client = client
        self.key = keys.reply_progress(entry_id)
        self._data = {as_text(k): as_text(v) for k, v in client.hgetall(self.key).items()}

    def flag(self, name: str) -> bool:
        """True when `name` was marked done."""
        return self._data.get(name) == "1"

    def mark(self, name: str, value: str = "1",
             pipe: redis.client.Pipeline | None = None) -> None:
        """Mark a step done (or store a value); in the caller's `pipe` when given."""
        self._data[name] = value
        own = pipe is None
        pipe = self.client.pipeline() if own else pipe
        pipe.hset(self.key, name, value)
        pipe.expire(self.key, TTL_SECONDS)
        if own:
            pipe.execute()

    def plan(self) -> dict[str, Any] | None:
        """The rendered answer, once decided."""
        raw = self._data.get("plan")
        return json.loads(raw) if raw else None

    def set_plan(self, plan: dict[str, Any]) -> None:
        """Keep the rendered answer (messages and commands) before sending any of it."""
        self.mark("plan", json.dumps(plan, ensure_ascii=False))

    @property
    def sent(self) -> int:
        """How many messages of the plan were sent."""
        return int(self._data.get("sent", "0"))

    def sent_one(self) -> None:
        """One more message sent. Written as a count, not an increment, so writing it again
        after Redis failed to answer cannot count one message twice."""
        count = str(self.sent + 1)
        self.client.hset(self.key, "sent", count)
        self._data["sent"] = count

    def first_failure(self) -> float:
        """When Rasa first failed for this entry (now, if this is the first time)."""
        if "first_failure" not in self._data:
            self.mark("first_failure", str(time.time()))
        return float(self._data["first_failure"])

    def clear(self, pipe: redis.client.Pipeline) -> None:
        """Forget the entry (in the caller's pipeline, with the acknowledgement)."""
        pipe.delete(self.key)
