"""A conversation's state: its language, who owns it (bot or person), Messenger window times.

Stored as one Redis hash per user, expiring after the retention period.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import redis

from webhook import keys
from webhook.redis_text import as_text

BOT = "bot"
QUEUED = "queued"   # waiting for a person: the bot stays silent
PERSON = "person"


def last_user_seconds(state: dict[str, str]) -> float | None:
    """When the user last wrote, in seconds (stored in Facebook's milliseconds), if ever."""
    return float(state["last_user_at"]) / 1000 if state.get("last_user_at") else None


class Conversations:
    """Read and update conversation state."""

    def __init__(self, client: redis.Redis, retention_seconds: int) -> None:
        self.client = client
        self.retention = retention_seconds

    def get(self, psid: str) -> dict[str, str]:
        """The state as stored (empty for a new conversation)."""
        raw = self.client.hgetall(keys.conversation(psid))
        return {as_text(k): as_text(v) for k, v in raw.items()}

    def update(self, psid: str, **fields: Any) -> None:
        """Set fields (None deletes one) and renew the expiry."""
        key = keys.conversation(psid)
        pipe = self.client.pipeline()
        values = {name: str(value) for name, value in fields.items() if value is not None}
        if values:
            pipe.hset(key, mapping=values)
        removed = [name for name, value in fields.items() if value is None]
        if removed:
            pipe.hdel(key, *removed)
        if "owner" in fields:  # the index of conversations people own, for the console
            if fields["owner"] == PERSON:
                pipe.sadd(keys.owned_by_person(), psid)
            else:
                pipe.srem(keys.owned_by_person(), psid)
        pipe.expire(key, self.retention)
        pipe.execute()

    def owner(self, psid: str) -> str:
        """`bot`, or `person` while a person answers this user."""
        return as_text(self.client.hget(keys.conversation(psid), "owner")) or BOT

    def user_wrote(self, psid: str, timestamp_ms: int, language: str | None) -> None:
        """Remember when the user last wrote (Messenger's 24-hour window) and their language."""
        fields: dict[str, Any] = {"last_user_at": timestamp_ms or int(time.time() * 1000)}
        if language:
            fields["language"] = language
        self.update(psid, **fields)

    def ref(self, psid: str) -> str:
        """The conversation's reference for console URLs (made on first use)."""
        existing = as_text(self.client.hget(keys.conversation(psid), "ref"))
        if existing:
            return existing
        ref = secrets.token_urlsafe(9)
        pipe = self.client.pipeline()
        pipe.hsetnx(keys.conversation(psid), "ref", ref)
        pipe.set(keys.conversation_ref(ref), psid, ex=self.retention)
        pipe.expire(keys.conversation(psid), self.retention)
        pipe.execute()
        return as_text(self.client.hget(keys.conversation(psid), "ref"))

    def psid_for(self, ref: str) -> str | None:
        """The user id behind a reference, if the conversation is still kept."""
        return as_text(self.client.get(keys.conversation_ref(ref))) or None

    def mark_person(self, psid: str, reason: str) -> None:
        """A person (console or Page Inbox) is answering: the bot stays silent."""
        self.update(psid, owner=PERSON, owner_reason=reason, owner_since=int(time.time()))
