"""Wait out a Redis outage for writes that must not fail.

Once the Send API has delivered a message, recording that it was sent is what keeps a retried
entry from sending it again: while Redis restarts, the worker waits and writes, instead of
failing and answering the user twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

OUTAGES = (redis.ConnectionError, redis.TimeoutError)
T = TypeVar("T")
log = logging.getLogger(__name__)


def until_written(write: Callable[..., T], *args: Any, give_up_after_s: float = 120.0,
                  pause_s: float = 0.5) -> T:
    """`write(*args)`, repeated while Redis does not answer (it must be safe to repeat)."""
    deadline = time.monotonic() + give_up_after_s
    while True:
        try:
            return write(*args)
        except OUTAGES:
            if time.monotonic() > deadline:
                raise
            log.warning("redis unavailable; waiting to record what was sent")
            time.sleep(pause_s)
