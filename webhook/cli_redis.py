"""Redis for the command-line tools (accounts, content transfer, NLU export): one way to find
it and to say what is wrong when it cannot be reached."""

from __future__ import annotations

import sys
from collections.abc import Callable

import redis

from webhook import config, redis_connect

MISSING = ("REDIS_URL is not set: point it at the helpline's Redis, e.g. "
           "REDIS_URL=redis://127.0.0.1:6379/0 (`make run` writes its own to .data/redis-url, "
           "which the make targets read)")


def connect() -> redis.Redis | None:
    """The Redis that REDIS_URL names (environment or .env); None, having said so, if unset."""
    url = config.from_environment()["REDIS_URL"]
    if not url:
        print(MISSING, file=sys.stderr)
        return None
    return redis_connect.connect(url)


def unreachable(error: redis.RedisError) -> int:
    """Say that Redis did not answer; the exit status for it."""
    print(f"error: Redis at REDIS_URL does not answer ({type(error).__name__}): is `make run` "
          "up?", file=sys.stderr)
    return 1


def run(command: Callable[[redis.Redis], str], refusals: tuple[type[Exception], ...]) -> int:
    """Run `command` on the configured Redis and print what it returns.

    Exit status: 0 done, 1 refused (one of `refusals`, or Redis not answering), 2 no REDIS_URL.
    """
    client = connect()
    if client is None:
        return 2
    try:
        print(command(client))
    except refusals as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except redis.RedisError as exc:
        return unreachable(exc)
    return 0
