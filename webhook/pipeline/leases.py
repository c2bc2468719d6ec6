"""Shard leases: each inbox shard is read by one worker at a time, so order per user holds.

A worker heartbeats into a sorted set, holds leases on its fair share of shards, renews them
every pass, and gives back what it holds beyond its share. A dead worker's leases expire and a
live worker takes the shards over, with what was left pending on them.
"""

from __future__ import annotations

import math
import time

import redis

from webhook import keys

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leases:
    """The shards one worker holds."""

    def __init__(self, client: redis.Redis, name: str, shards: int,
                 lease_ms: int = 10_000) -> None:
        self.client = client
        self.name = name
        self.shards = shards
        self.lease_ms = lease_ms
        self.owned: set[int] = set()
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def heartbeat(self) -> None:
        """Say this worker is alive; forget workers silent for three lease periods."""
        now = time.time()
        pipe = self.client.pipeline()
        pipe.zadd(keys.workers(), {self.name: now})
        pipe.zremrangebyscore(keys.workers(), "-inf", now - 3 * self.lease_ms / 1000)
        pipe.execute()

    def refresh(self) -> tuple[set[int], set[int]]:
        """Renew held leases and move toward a fair share; return (held, newly taken)."""
        self.owned = {shard for shard in self.owned if self._renew(
            keys=[keys.shard_owner(shard)], args=[self.name, self.lease_ms])}
        share = math.ceil(self.shards / max(1, self._live_workers()))
        while len(self.owned) > share:
            self.release(max(self.owned))
        taken = set()
        for shard in range(self.shards):
            if len(self.owned) >= share:
                break
            if shard not in self.owned and self.client.set(
                    keys.shard_owner(shard), self.name, nx=True, px=self.lease_ms):
                self.owned.add(shard)
                taken.add(shard)
        return set(self.owned), taken

    def release(self, shard: int) -> None:
        """Give a shard back."""
        self._release(keys=[keys.shard_owner(shard)], args=[self.name])
        self.owned.discard(shard)

    def release_all(self) -> None:
        """Give every shard back and leave the set of live workers."""
        for shard in list(self.owned):
            self.release(shard)
        self.client.zrem(keys.workers(), self.name)

    def _live_workers(self) -> int:
        since = time.time() - 3 * self.lease_ms / 1000
        return int(self.client.zcount(keys.workers(), since, "+inf"))


def live_workers(client: redis.Redis, within_seconds: float = 30.0) -> int:
    """How many workers heartbeat recently (for /healthz)."""
    return int(client.zcount(keys.workers(), time.time() - within_seconds, "+inf"))
