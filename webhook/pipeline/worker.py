"""The worker loop: hold shard leases, read their events in order, handle, acknowledge.

Each pass: heartbeat, refresh leases (taking over what a dead worker left pending), then for
each held shard handle its pending entries and then new ones, in stream order. An entry is
acknowledged (and deleted, so message text does not linger in the stream) only when handled;
one that must be retried blocks its shard until it succeeds, which keeps each user's order.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import redis

from webhook import keys, metrics
from webhook.inbox import Inbox
from webhook.pipeline.handler import Handler, Outcome
from webhook.pipeline.leases import Leases
from webhook.pipeline.redis_wait import OUTAGES
from webhook.pipeline.replies import ReplyProgress
from webhook.redis_text import as_text

log = logging.getLogger(__name__)


class Worker:
    """One worker process's loop."""

    batch = 20           # entries read per shard per pass
    block_ms = 500       # how long an idle pass waits for new entries
    retry_base = 0.5     # first wait before retrying a shard, doubled up to retry_max
    retry_max = 8.0
    lease_refresh_s = 1.0  # heartbeat and lease renewal period (leases last lease_ms)
    periodic_every_s = 30.0  # how often one worker runs `periodic` (handback after silence)
    redis_wait_s = 1.0    # pause between passes while Redis does not answer
    waiting_told = 100    # entries behind one waiting for Rasa whose users hear of it

    def __init__(self, client: redis.Redis, handler: Handler, inbox: Inbox,
                 name: str | None = None, lease_ms: int = 10_000) -> None:
        self.client = client
        self.handler = handler
        self.inbox = inbox
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.leases = Leases(client, self.name, inbox.shards, lease_ms)
        self._retry_at: dict[int, float] = {}
        self._retry_wait: dict[int, float] = {}
        self._stopping = False
        self._maybe_pending: set[int] = set()
        self.periodic: Callable[[], Any] | None = None
        self._periodic_at = 0.0
        self._maintained_at = float("-inf")

    def stop(self) -> None:
        """Finish the current entry and leave the loop."""
        self._stopping = True

    def run(self, burst: bool = False, max_seconds: float | None = None) -> None:
        """Work until stopped; in burst mode, until nothing is left to do."""
        self.inbox.ensure_groups()
        self.leases.start_keepalive()
        deadline = time.monotonic() + max_seconds if max_seconds else None
        try:
            while not self._stopping and (deadline is None or time.monotonic() < deadline):
                try:
                    worked = self.work_once(block_ms=self.block_ms)
                except OUTAGES:
                    self._wait_for_redis()
                    continue
                if burst and not worked and not self._retry_at and self._inbox_empty():
                    break
        finally:
            with contextlib.suppress(*OUTAGES):
                self.leases.release_all()

    def _wait_for_redis(self) -> None:
        """Redis does not answer (restarting?): wait, then read again what this worker had
        read and not acknowledged; each entry's progress record says what was done."""
        log.warning("redis unavailable; waiting", extra={"worker": self.name})
        self._maybe_pending |= set(self.leases.held())
        time.sleep(self.redis_wait_s)

    def work_once(self, block_ms: int = 0) -> bool:
        """One pass: leases, then pending entries, then new ones (waiting up to `block_ms`)."""
        self._maintain_leases()
        self._run_periodic()
        handled = False
        for shard in sorted(self._maybe_pending & self.leases.owned):
            if self._ready(shard):
                handled |= self._work_pending(shard)
        streams = {keys.inbox(shard): ">" for shard in sorted(self.leases.owned)
                   if self._ready(shard) and shard not in self._maybe_pending}
        if not streams:
            if not handled:
                time.sleep(block_ms / 1000)
            return handled
        reply = self.client.xreadgroup(keys.INBOX_GROUP, self.name, streams, count=self.batch,
                                       block=None if handled else (block_ms or None))
        for stream, items in reply or []:
            shard = int(as_text(stream).rsplit(":", 1)[1])
            handled |= self._work_entries(shard, [(as_text(i), f) for i, f in items])
        return handled

    def _run_periodic(self) -> None:
        """Periodic jobs, by one worker at a time (a lock held for the period)."""
        now = time.monotonic()
        if self.periodic is None or now - self._periodic_at < self.periodic_every_s:
            return
        self._periodic_at = now
        if self.client.set(keys.maintenance_lock(), self.name, nx=True,
                           ex=max(1, int(self.periodic_every_s) - 1)):
            try:
                self.periodic()
            except Exception:  # noqa: BLE001 - a failing job must not stop the worker
                log.exception("periodic job failed")

    def _maintain_leases(self) -> None:
        """Heartbeat and lease renewal, at most every `lease_refresh_s` (not on every pass)."""
        now = time.monotonic()
        if now - self._maintained_at < self.lease_refresh_s:
            return
        self._maintained_at = now
        self.leases.heartbeat()
        _, taken = self.leases.refresh()
        for shard in taken:
            self._take_over(shard)
            self._maybe_pending.add(shard)

    def _ready(self, shard: int) -> bool:
        return time.monotonic() >= self._retry_at.get(shard, 0)

    def _work_pending(self, shard: int) -> bool:
        """Entries this worker holds unacknowledged on `shard` (after a retry or a take-over)."""
        reply = self.client.xreadgroup(keys.INBOX_GROUP, self.name, {keys.inbox(shard): "0"},
                                       count=self.batch)
        entries = [(as_text(i), f) for _, items in reply or [] for i, f in items]
        if not entries:
            self._maybe_pending.discard(shard)
            return False
        return self._work_entries(shard, entries)

    def _work_entries(self, shard: int, entries: list[tuple[str, dict]]) -> bool:
        handled = False
        for entry_id, fields in entries:
            outcome = self.handle_entry(shard, entry_id, fields)
            if outcome is not Outcome.DONE:
                self._back_off(shard)
                self._maybe_pending.add(shard)  # the rest of this read is ours, unacknowledged
                if outcome is Outcome.WAIT_FOR_RASA:
                    self._tell_waiting(shard, entry_id)
                return handled
            handled = True
        self._retry_at.pop(shard, None)
        self._retry_wait.pop(shard, None)
        return handled

    def _tell_waiting(self, shard: int, blocked_id: str) -> None:
        """Rasa is down: the users whose messages wait behind the blocked one hear of the
        delay too, not only the user at the head of the shard."""
        behind = self.client.xrange(keys.inbox(shard), min=f"({blocked_id}",
                                    count=self.waiting_told)
        for raw_id, fields in behind:
            entry_id = as_text(raw_id)
            waited = time.time() - int(entry_id.split("-")[0]) / 1000  # stream ids are times
            try:
                event = json.loads(as_text(fields.get(b"event") or fields.get("event")))
                self.handler.tell_waiting(keys.inbox_entry(shard, entry_id), event, waited)
            except OUTAGES:
                raise
            except Exception:  # noqa: BLE001 - a courtesy: the entry itself is handled later
                log.exception("could not tell a waiting user", extra={"entry": entry_id})

    def handle_entry(self, shard: int, entry_id: str, fields: dict | None) -> Outcome:
        """Handle one entry and acknowledge it unless it must be retried."""
        outcome = Outcome.DONE
        if fields:
            event = json.loads(as_text(fields.get(b"event") or fields.get("event")))
            started = time.perf_counter()
            try:
                outcome = self.handler.handle(keys.inbox_entry(shard, entry_id), event)
            except OUTAGES:
                raise  # not the event's fault: it stays pending until Redis is back
            except Exception:  # noqa: BLE001 - one bad event must not stop the worker
                log.exception("event failed; moved aside", extra={"entry": entry_id})
                self._dead_letter(entry_id, event)
            metrics.WORKER_TURNS.labels(outcome=outcome.value).inc()
            metrics.WORKER_TURN_SECONDS.observe(time.perf_counter() - started)
        if outcome is Outcome.DONE:
            self._acknowledge(shard, entry_id)
        return outcome

    def _acknowledge(self, shard: int, entry_id: str) -> None:
        pipe = self.client.pipeline()
        pipe.xack(keys.inbox(shard), keys.INBOX_GROUP, entry_id)
        pipe.xdel(keys.inbox(shard), entry_id)
        ReplyProgress(self.client, keys.inbox_entry(shard, entry_id)).clear(pipe)
        pipe.execute()

    def _dead_letter(self, entry_id: str, event: dict[str, Any]) -> None:
        summary = {"entry": entry_id, "kind": event.get("kind", ""), "t": time.time()}
        metrics.DEAD_LETTERS.inc()
        self.client.xadd(keys.dead_letters(), summary, maxlen=10_000, approximate=True)

    def _take_over(self, shard: int) -> None:
        """Claim everything pending on a newly held shard (its owner is gone)."""
        start = "0-0"
        while True:
            # not justid: redis-py then drops the cursor this loop needs
            reply = self.client.xautoclaim(keys.inbox(shard), keys.INBOX_GROUP, self.name,
                                           min_idle_time=0, start_id=start, count=100)
            start = as_text(reply[0])
            if start == "0-0":
                return

    def _back_off(self, shard: int) -> None:
        wait = min(self.retry_max, self._retry_wait.get(shard, self.retry_base / 2) * 2)
        self._retry_wait[shard] = wait
        self._retry_at[shard] = time.monotonic() + wait

    def _inbox_empty(self) -> bool:
        return all(self.client.xlen(keys.inbox(shard)) == 0 for shard in self.leases.owned)
