"""Resident memory of every process of the stack, and the bound a run must stay within."""

from __future__ import annotations

import redis

from tests.bench.serving import memory_mb
from webhook.devstack import Stack

# A process may grow by GROWTH_SHARE of its start or by GROWTH_MIB, whichever is larger:
# small processes get room for caches and connection pools, large ones a proportional bound.
# Redis also keeps what it must (Rasa's trackers, transcripts, for RETENTION_DAYS): it may
# grow by REDIS_KIB_PER_MESSAGE more for each message of the run.
GROWTH_SHARE = 0.25
GROWTH_MIB = 100.0
REDIS_KIB_PER_MESSAGE = 32
NOT_BOUND = ("graph",)  # the test's stand-in for Facebook keeps a bounded request history


def rss_mib(stack: Stack) -> dict[str, float]:
    """MiB resident per process: web (its gunicorn workers included), Rasa, each worker, the
    Graph stand-in, and Redis (as Redis reports it)."""
    found = memory_mb(stack)
    info = redis.Redis.from_url(stack.redis_url).info("memory")
    found["redis"] = info["used_memory_rss"] / 2**20
    return found


def allowed_growth(name: str, start_mib: float, messages: int) -> float:
    """MiB process `name`, which started at `start_mib`, may grow by in a run of `messages`."""
    bound = max(GROWTH_SHARE * start_mib, GROWTH_MIB)
    return bound + (REDIS_KIB_PER_MESSAGE * messages / 1024 if name == "redis" else 0.0)


def over_bound(start: dict[str, float], end: dict[str, float], messages: int) -> list[str]:
    """The processes that grew beyond their bound (or vanished)."""
    return [name for name, mib in start.items() if name not in NOT_BOUND
            and end.get(name, float("inf")) - mib > allowed_growth(name, mib, messages)]
