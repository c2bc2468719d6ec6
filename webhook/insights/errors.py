"""Error counters: things that went wrong for users, counted in Redis for staff and metrics.

One hash of totals since the start (`hl:errors`, what a metrics exporter reads as counters)
and the same counts per Phnom Penh day beside the day's other aggregates (kept as long).
No user ids, no text.
"""

from __future__ import annotations

import redis

from webhook import keys
from webhook.insights.days import day_of, end_of_day
from webhook.insights.stats import KEEP_SECONDS
from webhook.redis_text import as_text

NO_ANSWER = "no_answer"  # Rasa gave nothing for a user message; the worker sent the fallback


def record(client: redis.Redis, kind: str, now: float) -> None:
    """Count one error of `kind`."""
    day = day_of(now)
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(keys.error_counts(), kind, 1)
    pipe.hincrby(keys.insights_day(day), f"errors:{kind}", 1)
    pipe.expireat(keys.insights_day(day), end_of_day(day) + KEEP_SECONDS)
    pipe.execute()


def totals(client: redis.Redis) -> dict[str, int]:
    """Every error counter since the start."""
    counts = client.hgetall(keys.error_counts())
    return {as_text(name): int(value) for name, value in counts.items()}
