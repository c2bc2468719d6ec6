"""Count something once per user message, however many times Rasa calls /nlg for it."""

from __future__ import annotations

import redis

from webhook import keys

ONCE_SECONDS = 86400


def first_time(client: redis.Redis, kind: str, message_id: str) -> bool:
    """True the first time `kind` is seen for Rasa's `message_id` (a random id, not a user's)."""
    return bool(client.set(keys.insights_once(kind, message_id), 1, nx=True, ex=ONCE_SECONDS))
