"""`python -m webhook.worker`: run one worker process (start as many as needed).

Options: --burst (stop when the inbox is empty), --name NAME.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import time
from typing import Any

import redis

from webhook import config, keys, metrics, services
from webhook.attachments.fetch import allowed_hosts
from webhook.evidence.collector import EvidenceCollector
from webhook.evidence.store import EvidenceStore
from webhook.guides.position import Positions
from webhook.guides.walker import Walker
from webhook.inbox import Inbox
from webhook.logging_setup import configure
from webhook.pipeline import rasa_client
from webhook.pipeline.bursts import BurstWindow
from webhook.pipeline.handler import Handler
from webhook.pipeline.rate_limit import RateLimit
from webhook.pipeline.worker import Worker
from webhook.redis_connect import connect
from webhook.scamcheck.conversation import CheckerSource
from webhook.scamcheck.images import ImageChecks
from webhook.scamcheck.turns import ScamCheckTurns

log = logging.getLogger("webhook.worker")
DEFAULT_WINDOW_S = 3.0  # quiet window of bursts, chosen in docs/benchmarks.md 10


def build_worker(settings: dict[str, Any], name: str | None = None) -> Worker:
    """A worker wired to Redis, Rasa and the Graph API as configured."""
    client = connect(settings["REDIS_URL"])
    content = services.content(settings, client)
    handoffs = services.handoffs(settings, client, content)
    handler = Handler(
        client=client, rasa=rasa_client.from_settings(settings), send_api=handoffs.send_api,
        content=content, conversations=handoffs.conversations,
        transcript=handoffs.transcript, handoffs=handoffs,
        app_id=os.environ.get("FB_APP_ID", ""),
        rasa_patience_seconds=float(os.environ.get("RASA_PATIENCE_SECONDS", "15")),
        rate_limit=RateLimit.from_environment(client),
        guides=Walker(content, Positions(client, services.retention_seconds()),
                      handoffs.conversations),
    )
    handler.scam_turns = scam_turns(settings, client, content, handler)
    handler.evidence = evidence_collector(settings, client, handler)
    window = BurstWindow(float(os.environ.get("BURST_WINDOW_SECONDS", str(DEFAULT_WINDOW_S))),
                         client, adjustable=not config.is_production(settings))
    worker = Worker(client, handler, Inbox(client, settings["INBOX_SHARDS"]), name=name,
                    window=window)
    timeout_s = float(os.environ.get("HANDOFF_TIMEOUT_MINUTES", "60")) * 60
    sweep = handler.evidence.store.sweep
    worker.periodic = lambda: (handoffs.expire_idle(timeout_s), handoffs.forget_expired(),
                               sweep())
    return worker


def alive_on_this_host(client: redis.Redis, within_seconds: float = 30.0) -> bool:
    """A worker named after this host (the default name) has a recent heartbeat."""
    prefix = f"{socket.gethostname()}-".encode()
    recent = client.zrangebyscore(keys.workers(), time.time() - within_seconds, "+inf")
    return any(name.startswith(prefix) for name in recent)


def scam_turns(settings: dict[str, Any], client: redis.Redis, content: Any,
               handler: Handler) -> ScamCheckTurns:
    """The scam check's turns: pictures are read beside the loop and answered when ready."""
    source = CheckerSource(content, client)
    hosts = allowed_hosts(settings["GRAPH_API_URL"], config.is_production(settings))
    images = ImageChecks(source, client, handler.send_later, hosts,
                         workers=int(os.environ.get("SCAMCHECK_OCR_THREADS", "1")))
    return ScamCheckTurns(client, handler.conversations, source, images)


def evidence_collector(settings: dict[str, Any], client: redis.Redis,
                       handler: Handler) -> EvidenceCollector:
    """Attachments sent to a person are fetched beside the loop into the evidence store."""
    hosts = allowed_hosts(settings["GRAPH_API_URL"], config.is_production(settings))
    store = EvidenceStore(client, handler.conversations.retention)
    return EvidenceCollector(store, handler.conversations, handler.transcript, hosts,
                             tell_user=handler.tell_user)


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or Ctrl-C (or, with --burst, until the inbox is empty)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--name")
    parser.add_argument("--alive", action="store_true",
                        help="exit 0 if a worker on this host sent a heartbeat lately (probes)")
    args = parser.parse_args(argv)
    configure(os.environ.get("LOG_LEVEL", "INFO"))
    settings = config.from_environment()
    if not settings["REDIS_URL"]:
        print("REDIS_URL is not set (make run sets it)", file=sys.stderr)
        return 2
    if args.alive:
        return 0 if alive_on_this_host(connect(settings["REDIS_URL"])) else 1
    try:
        config.ensure_secrets(settings)
    except config.ConfigError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    worker = build_worker(settings, args.name)
    metrics_port = int(os.environ.get("WORKER_METRICS_PORT", "0") or 0)
    if metrics_port:  # on clusters, where Prometheus scrapes each worker pod
        metrics.serve_worker_metrics(metrics_port)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    log.info("worker started", extra={"worker": worker.name})
    worker.run(burst=args.burst)
    log.info("worker stopped", extra={"worker": worker.name})
    return 0


if __name__ == "__main__":
    sys.exit(main())
