"""The time, with an offset tests can set outside production (Messenger's 24-hour and 7-day
windows cannot be waited for in a test).

The offset lives in Redis so every web and worker process sees the same time.
"""

from __future__ import annotations

import time

import redis

OFFSET_KEY = "hl:test-clock-offset"


class Clock:
    """`now()` in seconds since the epoch: real time, plus the test offset when enabled."""

    def __init__(self, client: redis.Redis | None = None, adjustable: bool = False) -> None:
        self.client = client
        self.adjustable = adjustable and client is not None

    def now(self) -> float:
        """The current time as this deployment sees it."""
        if not self.adjustable:
            return time.time()
        return time.time() + float(self.client.get(OFFSET_KEY) or 0)

    def advance(self, seconds: float) -> None:
        """Move time forward (tests and development only)."""
        if not self.adjustable:
            raise RuntimeError("the clock can only be moved outside production")
        self.client.incrbyfloat(OFFSET_KEY, seconds)

    def reset(self) -> None:
        """Back to real time."""
        if self.adjustable:
            self.client.delete(OFFSET_KEY)
