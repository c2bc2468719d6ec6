"""Prometheus metrics: every metric the web app and the worker export, named once, here.

Counters and histograms are recorded where things happen (webhook, worker, Rasa client, Send
API, handoff, content store). Gauges that describe shared state (inbox length and age per
shard, the handoff queue, live workers, dead letters, Redis memory) are read from Redis when
Prometheus scrapes, by `RedisStateCollector`, so any web process can report them.

Several processes (gunicorn's workers, worker processes on one host) share one directory of
metric files when PROMETHEUS_MULTIPROC_DIR is set; it must be set before this module is first
imported (prometheus_client decides at import time) and emptied when the host's processes start.

No label ever holds a user id, a message text or a URL: labels are results, codes, shard and
replica numbers, languages and teams.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import redis
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

NAMESPACE = "helpline"
FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
TURN = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
WAIT = (30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200)

WEBHOOK_DELIVERIES = Counter(
    "webhook_deliveries", "POST /webhook deliveries by result "
    "(accepted, bad_signature, bad_payload, too_large, unavailable).",
    ["result"], namespace=NAMESPACE)
WEBHOOK_ACK_SECONDS = Histogram(
    "webhook_ack_seconds", "Time to acknowledge an accepted delivery.",
    namespace=NAMESPACE, buckets=FAST)
WORKER_TURNS = Counter(
    "worker_turns", "Events handled by workers, by outcome (done, retry, wait_for_rasa, "
    "dead_letter).", ["outcome"], namespace=NAMESPACE)
WORKER_TURN_SECONDS = Histogram(
    "worker_turn_seconds", "Time a worker spent on one user event, answer sent included.",
    namespace=NAMESPACE, buckets=TURN)
RASA_REQUESTS = Counter(
    "rasa_requests", "Calls to a Rasa server, by replica number and result (ok, error).",
    ["replica", "result"], namespace=NAMESPACE)
RASA_SECONDS = Histogram(
    "rasa_request_seconds", "Duration of a successful Rasa call, by replica number.",
    ["replica"], namespace=NAMESPACE, buckets=TURN)
SEND_API_CALLS = Counter(
    "send_api_calls", "Graph API Send API calls, by result (ok, transient, permanent) and "
    "Meta error code ('' when none).", ["result", "code"], namespace=NAMESPACE)
HANDOFF_WAIT_SECONDS = Histogram(
    "handoff_wait_seconds", "Time from a handoff request to a moderator's claim, by the "
    "conversation's language.", ["language"], namespace=NAMESPACE, buckets=WAIT)
CONTENT_PUBLISHES = Counter(
    "content_publishes", "Versions published in the content store (answers and settings).",
    namespace=NAMESPACE)
RATE_LIMITED = Counter(
    "rate_limited_messages", "User messages not sent to Rasa because their sender was over "
    "the per-user rate limit.", namespace=NAMESPACE)
DEAD_LETTERS = Counter(
    "dead_letters", "Events a worker could not handle and moved to the dead-letter stream.",
    namespace=NAMESPACE)
SILENT_TURNS = Counter(
    "silent_turns", "User messages Rasa gave no answer to (the worker sent the fallback).",
    namespace=NAMESPACE)
EVIDENCE_STORE_ERRORS = Counter(
    "evidence_store_errors", "Evidence store operations (put, get, delete, head, list) that "
    "failed because the folder or the S3 service refused or did not answer.", ["operation"],
    namespace=NAMESPACE)


def record_delivery(result: str, started: float | None = None) -> None:
    """Count one webhook delivery; time it when it was accepted."""
    WEBHOOK_DELIVERIES.labels(result=result).inc()
    if started is not None:
        WEBHOOK_ACK_SECONDS.observe(time.perf_counter() - started)


def record_send(result: str, code: int | str | None = None) -> None:
    """Count one Send API call by result and Meta's error code."""
    SEND_API_CALLS.labels(result=result, code=str(code or "")).inc()


class RedisStateCollector(Collector):
    """Gauges read from Redis at scrape time: what every process shares."""

    def __init__(self, client: redis.Redis, shards: int) -> None:
        self.client = client
        self.shards = shards

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Read the state in one pipeline; on a Redis error report `redis_up 0` only."""
        up = GaugeMetricFamily(f"{NAMESPACE}_redis_up", "1 when Redis answered this scrape.")
        try:
            state = self._read()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _state_families(state, self.shards)

    def _read(self) -> dict[str, Any]:
        from webhook import keys
        from webhook.pipeline.leases import live_workers

        pipe = self.client.pipeline(transaction=False)
        for shard in range(self.shards):
            pipe.xlen(keys.inbox(shard))
            pipe.xpending(keys.inbox(shard), keys.INBOX_GROUP)
            pipe.xrange(keys.inbox(shard), count=1)
        pipe.zcard(keys.handoff_queue())
        pipe.zrange(keys.handoff_queue(), 0, 0, withscores=True)
        pipe.xlen(keys.dead_letters())
        pipe.info("memory")
        try:
            replies = pipe.execute(raise_on_error=False)
        finally:
            pipe.reset()
        for reply in replies:
            if isinstance(reply, redis.ConnectionError):
                raise reply
        return {"shards": replies[:3 * self.shards], "rest": replies[3 * self.shards:],
                "workers": live_workers(self.client)}


def _state_families(state: dict[str, Any], shards: int) -> Iterator[GaugeMetricFamily]:
    now_ms = time.time() * 1000
    length = GaugeMetricFamily(f"{NAMESPACE}_inbox_length",
                               "Events in a shard's stream (waiting or being handled).",
                               labels=["shard"])
    pending = GaugeMetricFamily(f"{NAMESPACE}_inbox_pending",
                                "Events read by a worker and not yet acknowledged.",
                                labels=["shard"])
    oldest = GaugeMetricFamily(f"{NAMESPACE}_inbox_oldest_age_seconds",
                               "Age of the oldest event still in a shard's stream.",
                               labels=["shard"])
    for shard in range(shards):
        xlen, xpending, first = state["shards"][3 * shard:3 * shard + 3]
        label = [str(shard)]
        length.add_metric(label, _number(xlen))
        pending.add_metric(label, _pending_count(xpending))
        oldest.add_metric(label, _age_seconds(first, now_ms))
    yield from (length, pending, oldest)
    queue_length, queue_head, dead, memory = state["rest"]
    yield _gauge("handoff_queue_length", "Conversations waiting for a person.", queue_length)
    head_age = (time.time() - queue_head[0][1]) if isinstance(queue_head, list) and queue_head \
        else 0
    yield _gauge("handoff_queue_oldest_wait_seconds",
                 "How long the first conversation in the queue has waited.", head_age)
    yield _gauge("dead_letter_stream_length", "Entries in the dead-letter stream.", dead)
    yield _gauge("workers_alive", "Worker processes with a recent heartbeat.", state["workers"])
    memory = memory if isinstance(memory, dict) else {}
    yield _gauge("redis_used_memory_bytes", "Redis used_memory.", memory.get("used_memory", 0))
    yield _gauge("redis_maxmemory_bytes", "Redis maxmemory (0: no limit).",
                 memory.get("maxmemory", 0))


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{NAMESPACE}_{name}", documentation, value=_number(value))


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _pending_count(xpending: Any) -> float:
    return _number(xpending.get("pending")) if isinstance(xpending, dict) else 0.0


def _age_seconds(first: Any, now_ms: float) -> float:
    """Stream ids start with the time they were added, in milliseconds."""
    if not isinstance(first, list) or not first:
        return 0.0
    entry_id = first[0][0]
    entry_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return max(0.0, (now_ms - int(entry_id.split("-")[0])) / 1000)


def exposition(client: redis.Redis | None, shards: int) -> bytes:
    """Everything this host's processes recorded, plus the shared state from Redis."""
    registry = CollectorRegistry()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY if client is None else _with_state(REGISTRY, client, shards)
        return generate_latest(registry)
    if client is not None:
        registry.register(RedisStateCollector(client, shards))
    return generate_latest(registry)


def _with_state(base: CollectorRegistry, client: redis.Redis, shards: int) -> CollectorRegistry:
    """This single process's own metrics beside the Redis state, without touching `base`."""
    registry = CollectorRegistry()
    registry.register(_Forward(base))
    registry.register(RedisStateCollector(client, shards))
    return registry


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Any]:
        return iter(self.registry.collect())


def serve_worker_metrics(port: int, address: str = "0.0.0.0") -> None:  # noqa: S104
    """A worker process's own `/metrics` (a thread): its counters, or this host's directory."""
    registry = REGISTRY
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    start_http_server(port, addr=address, registry=registry)


def mark_process_dead(pid: int) -> None:
    """Gunicorn's child_exit hook: drop a dead worker's live gauges (none today; kept tidy)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
