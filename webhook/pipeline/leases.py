"""Shard leases: each inbox shard is read by one worker at a time, so order per user holds.

A worker heartbeats into a sorted set, holds leases on its fair share of shards, renews them
every pass, and gives back what it holds beyond its share. A dead worker's leases expire and a
live worker takes the shards over, with what was left pending on them.
"""

from __future__ import annotations

import math
import threading
import time

import redis

from webhook import keys

LIVE_WINDOW_S = 5.0

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
        self._lock = threading.Lock()
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._keepalive: threading.Thread | None = None
        self._stop = threading.Event()

    def start_keepalive(self, every_s: float = 1.0) -> None:
        """Heartbeat and renew held leases from a thread, so a long Rasa or Send API wait
        never lets a lease lapse while its entry is being handled."""
        def loop() -> None:
            while not self._stop.wait(every_s):
                try:
                    self.heartbeat()
                    for shard in self.held():
                        self._renew(keys=[keys.shard_owner(shard)],
                                    args=[self.name, self.lease_ms])
                except redis.RedisError:
                    pass  # the main loop notices Redis problems and reports them
        self._keepalive = threading.Thread(target=loop, name="lease-keepalive", daemon=True)
        self._keepalive.start()

    def held(self) -> list[int]:
        """The shards held now (a copy, safe to use from another thread)."""
        with self._lock:
            return sorted(self.owned)

    def heartbeat(self) -> None:
        """Say this worker is alive; forget workers silent for a minute."""
        now = time.time()
        pipe = self.client.pipeline()
        pipe.zadd(keys.workers(), {self.name: now})
        pipe.zremrangebyscore(keys.workers(), "-inf", now - 60)
        pipe.execute()

    def refresh(self) -> tuple[set[int], set[int]]:
        """Renew held leases and move toward a fair share; return (held, newly taken)."""
        kept = {shard for shard in self.held() if self._renew(
            keys=[keys.shard_owner(shard)], args=[self.name, self.lease_ms])}
        with self._lock:
            self.owned = kept
        share = math.ceil(self.shards / max(1, self._live_workers()))
        while len(self.owned) > share:
            self.release(max(self.owned))
        taken = set()
        for shard in range(self.shards):
            if len(self.owned) >= share:
                break
            if shard not in self.owned and self.client.set(
                    keys.shard_owner(shard), self.name, nx=True, px=self.lease_ms):
                with self._lock:
                    self.owned.add(shard)
                taken.add(shard)
        return set(self.owned), taken

    def release(self, shard: int) -> None:
        """Give a shard back."""
        with self._lock:
            self.owned.discard(shard)
        self._release(keys=[keys.shard_owner(shard)], args=[self.name])

    def release_all(self) -> None:
        """Stop the keepalive, give every shard back, leave the set of live workers."""
        self._stop.set()
        if self._keepalive:
            self._keepalive.join(timeout=5)
        for shard in self.held():
            self.release(shard)
        self.client.zrem(keys.workers(), self.name)

    def _live_workers(self) -> int:
        # heartbeats come every second from the keepalive thread: a worker silent for
        # LIVE_WINDOW_S is gone, and its shards are shared out as soon as its leases lapse
        since = time.time() - LIVE_WINDOW_S
        return int(self.client.zcount(keys.workers(), since, "+inf"))


def live_workers(client: redis.Redis, within_seconds: float = 30.0) -> int:
    """How many workers heartbeat recently (for /healthz)."""
    return int(client.zcount(keys.workers(), time.time() - within_seconds, "+inf"))
