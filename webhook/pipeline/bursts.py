"""Bursts: consecutive text messages of one user, written quickly, read as one message.

People write "sousdey bong", "knhom mean banhaa", "facebook knhom", "trov ke hack" a second
apart. The worker holds such fragments (unacknowledged, in its shard's pending list) until the
user has been quiet for the window, then answers them once, joined (see docs/decisions.md 47).

This module is the bookkeeping only (no Redis, no answering): which fragments a worker holds,
per shard and user, whether the next event joins a burst, when a burst is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from webhook import keys

MAX_FRAGMENTS = 10     # a burst is answered once it has this many fragments
MAX_CHARS = 2000       # or would grow past Messenger's length of one message
# order-free: handled at once, they neither join nor end a burst
RECEIPTS = ("read", "delivery", "reaction")


def stream_seconds(entry_id: str) -> float:
    """When an inbox entry was queued: stream ids are Redis's clock in milliseconds."""
    return int(entry_id.split("-")[0]) / 1000


def is_fragment(event: dict[str, Any]) -> bool:
    """A typed text the user sent to the bot (taps, attachments and standby never join)."""
    return event.get("kind") == "text" and not event.get("standby") and bool(event.get("text"))


@dataclass
class Fragment:
    """One held inbox entry."""

    entry_id: str
    event: dict[str, Any]

    @property
    def arrived(self) -> float:
        return stream_seconds(self.entry_id)


@dataclass
class Burst:
    """The fragments of one user held so far. `members` fixes which entries belong to it when
    an earlier try already asked Rasa (a retried or taken-over burst is answered as planned)."""

    window: float
    fragments: list[Fragment] = field(default_factory=list)
    members: tuple[str, ...] = ()

    @property
    def last(self) -> Fragment:
        return self.fragments[-1]

    def accepts(self, fragment: Fragment) -> bool:
        """True when `fragment` continues this burst."""
        if self.members:
            return fragment.entry_id in self.members
        if not is_fragment(fragment.event) or len(self.fragments) >= MAX_FRAGMENTS:
            return False
        size = sum(len(f.event["text"]) + 1 for f in self.fragments) + len(fragment.event["text"])
        return size <= MAX_CHARS and _close(self.last, fragment, self.window)

    def due_at(self) -> float:
        """When to answer: `window` after the last fragment arrived (at once when complete)."""
        if self.members and len(self.fragments) >= len(self.members):
            return 0.0
        if len(self.fragments) >= MAX_FRAGMENTS:
            return 0.0
        return self.last.arrived + self.window


def _close(last: Fragment, fragment: Fragment, window: float) -> bool:
    """Arrived within the window of the last one, and written within it too (Facebook's
    timestamps: messages written minutes apart and delivered together after an outage are
    separate messages)."""
    if fragment.arrived - last.arrived > window:
        return False
    written, previous = fragment.event.get("timestamp") or 0, last.event.get("timestamp") or 0
    return not (written and previous) or abs(written - previous) <= window * 1000


class HeldBursts:
    """The bursts one worker holds, by shard and user."""

    def __init__(self) -> None:
        self._by_shard: dict[int, dict[str, Burst]] = {}

    def get(self, shard: int, psid: str) -> Burst | None:
        """The burst `psid` has open on `shard`, if any."""
        return self._by_shard.get(shard, {}).get(psid)

    def start(self, shard: int, psid: str, burst: Burst) -> None:
        """Hold a new burst."""
        self._by_shard.setdefault(shard, {})[psid] = burst

    def pop(self, shard: int, psid: str) -> Burst:
        """Stop holding a burst (to answer it)."""
        return self._by_shard[shard].pop(psid)

    def due(self, shard: int, now: float) -> list[str]:
        """The users of `shard` whose bursts are due, oldest first."""
        bursts = self._by_shard.get(shard, {})
        return sorted((psid for psid, b in bursts.items() if b.due_at() <= now),
                      key=lambda psid: bursts[psid].fragments[0].entry_id)

    def next_due(self, shards: Iterable[int]) -> float | None:
        """The earliest time a burst on `shards` is due."""
        times = [b.due_at() for s in shards for b in self._by_shard.get(s, {}).values()]
        return min(times) if times else None

    def drop(self, shard: int) -> None:
        """Forget a shard's bursts: its pending entries are read again (or another worker's)."""
        self._by_shard.pop(shard, None)

    def keep_only(self, shards: Iterable[int]) -> None:
        """Forget the bursts of shards no longer held."""
        for shard in set(self._by_shard) - set(shards):
            self.drop(shard)

    def count(self) -> int:
        """How many bursts are held."""
        return sum(len(bursts) for bursts in self._by_shard.values())


class BurstWindow:
    """The quiet window in seconds (0: no joining). Outside production tests may set another
    in Redis (like the test clock), so one running stack serves tests that need different
    windows."""

    def __init__(self, seconds: float, client: redis.Redis | None = None,
                 adjustable: bool = False) -> None:
        self.default = seconds
        self.client = client if adjustable else None

    def seconds(self) -> float:
        """The window now."""
        if self.client is None:
            return self.default
        override = self.client.get(keys.burst_window_override())
        return self.default if override is None else float(override)

    def set(self, seconds: float | None) -> None:
        """Set (or with None, clear) the override (tests and development only)."""
        if self.client is None:
            raise RuntimeError("the burst window can only be changed outside production")
        if seconds is None:
            self.client.delete(keys.burst_window_override())
        else:
            self.client.set(keys.burst_window_override(), str(seconds))
