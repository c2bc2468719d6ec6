"""The worker loop: hold shard leases, read their events in order, handle, acknowledge.

Each pass: heartbeat, refresh leases (taking over what a dead worker left pending), then for
each held shard handle its pending entries and then new ones, in stream order. An entry is
acknowledged (and deleted, so message text does not linger in the stream) only when handled;
one that must be retried blocks its shard until it succeeds, which keeps each user's order.

Text fragments of a user writing quickly are held (read, not acknowledged) while the worker
goes on with the shard's other users, and answered joined once the user is quiet for the
burst window (webhook/pipeline/bursts.py, docs/decisions.md 47). After a retry, a take-over or
a Redis outage the shard's pending entries are read again from the start and the bursts
formed again from them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import redis

from webhook import keys, metrics
from webhook.inbox import Inbox, event_of
from webhook.pipeline.bursts import (
    RECEIPTS,
    Burst,
    BurstWindow,
    Fragment,
    HeldBursts,
    is_fragment,
    stream_seconds,
)
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
                 name: str | None = None, lease_ms: int = 10_000,
                 window: BurstWindow | None = None) -> None:
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
        self.window = window or BurstWindow(0.0)
        self.held = HeldBursts()
        self._cursor: dict[int, str] = {}  # where a shard's reading of its pending entries is

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
        for shard in self.leases.held():
            self._read_pending_again(shard)
        time.sleep(self.redis_wait_s)

    def work_once(self, block_ms: int = 0) -> bool:
        """One pass: leases, then pending entries, then new ones (waiting up to `block_ms`,
        or until a held burst is due), then the bursts now due."""
        self._maintain_leases()
        self._run_periodic()
        handled = False
        for shard in sorted(self._maybe_pending & self.leases.owned):
            if self._ready(shard):
                handled |= self._work_pending(shard)
        streams = {keys.inbox(shard): ">" for shard in sorted(self.leases.owned)
                   if self._ready(shard) and shard not in self._maybe_pending}
        wait_ms = 0 if handled else self._wait_ms(block_ms)
        if not streams:
            time.sleep(wait_ms / 1000)
            return handled
        reply = self.client.xreadgroup(keys.INBOX_GROUP, self.name, streams, count=self.batch,
                                       block=wait_ms or None)
        for stream, items in reply or []:
            shard = int(as_text(stream).rsplit(":", 1)[1])
            handled |= self._work_entries(shard, [(as_text(i), f) for i, f in items])
        return self._answer_due() or handled

    def _wait_ms(self, block_ms: int) -> int:
        """How long to wait for new entries: `block_ms`, or less when a burst is due sooner."""
        due = self.held.next_due(self._burst_shards())
        if due is None:
            return block_ms
        return max(0, min(block_ms, int((due - time.time()) * 1000) + 1))

    def _burst_shards(self) -> list[int]:
        return [shard for shard in self.leases.owned
                if self._ready(shard) and shard not in self._maybe_pending]

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
        held, taken = self.leases.refresh()
        self.held.keep_only(held)
        for shard in taken:
            self.inbox.claim_pending(shard, self.name)
            self._read_pending_again(shard)

    def _ready(self, shard: int) -> bool:
        return time.monotonic() >= self._retry_at.get(shard, 0)

    def _read_pending_again(self, shard: int) -> None:
        """Read the shard's unacknowledged entries again from the start (forming its bursts
        again) before any new one: after a retry, a take-over or a Redis outage."""
        self._maybe_pending.add(shard)
        self._cursor[shard] = "0"
        self.held.drop(shard)

    def _work_pending(self, shard: int) -> bool:
        """Entries this worker holds unacknowledged on `shard` (after a retry or a take-over),
        read on from the cursor: held fragments stay pending, so reading from 0 each time
        would find them again."""
        cursor = self._cursor.get(shard, "0")
        reply = self.client.xreadgroup(keys.INBOX_GROUP, self.name, {keys.inbox(shard): cursor},
                                       count=self.batch)
        entries = [(as_text(i), f) for _, items in reply or [] for i, f in items]
        if not entries:
            self._maybe_pending.discard(shard)
            self._cursor.pop(shard, None)
            return False
        self._cursor[shard] = entries[-1][0]
        return self._work_entries(shard, entries, replay=True)

    def _work_entries(self, shard: int, entries: list[tuple[str, dict]],
                      replay: bool = False) -> bool:
        handled = False
        for entry_id, fields in entries:
            outcome, blocked = self._take(shard, entry_id, fields, replay)
            if outcome is not Outcome.DONE:
                self._blocked(shard, outcome, blocked)
                return handled
            handled = True
        self._retry_at.pop(shard, None)
        self._retry_wait.pop(shard, None)
        return handled

    def _blocked(self, shard: int, outcome: Outcome, blocked_id: str) -> None:
        """An entry (or burst) must be tried again: the shard waits, then is read again from
        its first unacknowledged entry."""
        self._back_off(shard)
        self._read_pending_again(shard)
        if outcome is Outcome.WAIT_FOR_RASA:
            self._tell_waiting(shard, blocked_id)

    def _take(self, shard: int, entry_id: str, fields: dict | None,
              replay: bool) -> tuple[Outcome, str]:
        """Hold the entry in its user's burst, or answer that burst first and then handle it."""
        if not fields:
            return self.handle_entry(shard, entry_id, fields), entry_id
        event = event_of(fields)
        psid, fragment = event.get("psid", ""), Fragment(entry_id, event)
        burst = self.held.get(shard, psid)
        if burst is not None and event.get("kind") not in RECEIPTS:
            if burst.accepts(fragment):
                burst.fragments.append(fragment)
                return Outcome.DONE, entry_id
            outcome, last = self._answer_burst(shard, psid)
            if outcome is not Outcome.DONE:
                return outcome, last
        if self._start_burst(shard, fragment, replay):
            return Outcome.DONE, entry_id
        return self.handle_entry(shard, entry_id, fields), entry_id

    def _start_burst(self, shard: int, fragment: Fragment, replay: bool) -> bool:
        """Hold a text of a user the bot answers, when bursts are on."""
        if not is_fragment(fragment.event):
            return False
        window = self.window.seconds()
        members: tuple[str, ...] = ()
        if replay:  # Rasa asked before? then the burst is exactly what was asked
            entry = keys.inbox_entry(shard, fragment.entry_id)
            plan = ReplyProgress(self.client, entry).plan()
            if plan:
                members = tuple(keys.entry_id_of(member)
                                for member in plan.get("members") or [entry])
        if (window <= 0 and not members) or not self.handler.may_hold(fragment.event):
            return False
        self.held.start(shard, fragment.event["psid"], Burst(window, [fragment], members))
        return True

    def _answer_due(self) -> bool:
        """Answer the bursts whose window has passed."""
        answered, now = False, time.time()
        for shard in self._burst_shards():
            for psid in self.held.due(shard, now):
                outcome, last = self._answer_burst(shard, psid)
                if outcome is not Outcome.DONE:
                    self._blocked(shard, outcome, last)
                    break
                answered = True
        return answered

    def _answer_burst(self, shard: int, psid: str) -> tuple[Outcome, str]:
        """Answer a held burst once, joined; acknowledge all its fragments together."""
        burst = self.held.pop(shard, psid)
        ids = [fragment.entry_id for fragment in burst.fragments]
        started = time.perf_counter()
        try:
            outcome = self.handler.answer([(keys.inbox_entry(shard, fragment.entry_id),
                                            fragment.event) for fragment in burst.fragments])
        except OUTAGES:
            raise  # read again once Redis is back
        except Exception:  # noqa: BLE001 - one bad burst must not stop the worker
            log.exception("burst failed; moved aside", extra={"entry": ids[0]})
            for fragment in burst.fragments:
                self._dead_letter(fragment.entry_id, fragment.event)
            outcome = Outcome.DONE
        metrics.WORKER_TURNS.labels(outcome=outcome.value).inc()
        metrics.WORKER_TURN_SECONDS.observe(time.perf_counter() - started)
        if outcome is Outcome.DONE:
            self._acknowledge(shard, *ids)
        return outcome, ids[-1]

    def _tell_waiting(self, shard: int, blocked_id: str) -> None:
        """Rasa is down: the users whose messages wait behind the blocked one hear of the
        delay too, not only the user at the head of the shard."""
        for entry_id, event in self.inbox.entries_after(shard, blocked_id, self.waiting_told):
            waited = time.time() - stream_seconds(entry_id)
            try:
                self.handler.tell_waiting(keys.inbox_entry(shard, entry_id), event, waited)
            except OUTAGES:
                raise
            except Exception:  # noqa: BLE001 - a courtesy: the entry itself is handled later
                log.exception("could not tell a waiting user", extra={"entry": entry_id})

    def handle_entry(self, shard: int, entry_id: str, fields: dict | None) -> Outcome:
        """Handle one entry and acknowledge it unless it must be retried."""
        outcome = Outcome.DONE
        if fields:
            event = event_of(fields)
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

    def _acknowledge(self, shard: int, *entry_ids: str) -> None:
        """Acknowledged and deleted with their progress records, in one transaction."""
        pipe = self.client.pipeline()
        self.inbox.acknowledge(shard, entry_ids, pipe)
        for entry_id in entry_ids:
            ReplyProgress(self.client, keys.inbox_entry(shard, entry_id)).clear(pipe)
        pipe.execute()

    def _dead_letter(self, entry_id: str, event: dict[str, Any]) -> None:
        metrics.DEAD_LETTERS.inc()
        self.inbox.dead_letter(entry_id, event)

    def _back_off(self, shard: int) -> None:
        wait = min(self.retry_max, self._retry_wait.get(shard, self.retry_base / 2) * 2)
        self._retry_wait[shard] = wait
        self._retry_at[shard] = time.monotonic() + wait

    def _inbox_empty(self) -> bool:
        return all(self.client.xlen(keys.inbox(shard)) == 0 for shard in self.leases.owned)
