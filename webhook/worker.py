"""`python -m webhook.worker`: run one worker process (start as many as needed).

Options: --burst (stop when the inbox is empty), --name NAME.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any

import redis

from webhook import config, services
from webhook.inbox import Inbox
from webhook.logging_setup import configure
from webhook.pipeline.handler import Handler
from webhook.pipeline.rasa_client import RasaClient
from webhook.pipeline.rate_limit import RateLimit
from webhook.pipeline.worker import Worker

log = logging.getLogger("webhook.worker")


def build_worker(settings: dict[str, Any], name: str | None = None) -> Worker:
    """A worker wired to Redis, Rasa and the Graph API as configured."""
    client = redis.Redis.from_url(settings["REDIS_URL"])
    content = services.content(settings, client)
    handoffs = services.handoffs(settings, client, content)
    handler = Handler(
        client=client, rasa=RasaClient(settings["RASA_URL"], settings["RASA_TOKEN"]),
        send_api=handoffs.send_api,
        content=content, conversations=handoffs.conversations,
        transcript=handoffs.transcript, handoffs=handoffs,
        app_id=os.environ.get("FB_APP_ID", ""),
        rasa_patience_seconds=float(os.environ.get("RASA_PATIENCE_SECONDS", "15")),
        rate_limit=RateLimit.from_environment(client),
    )
    worker = Worker(client, handler, Inbox(client, settings["INBOX_SHARDS"]), name=name)
    timeout_s = float(os.environ.get("HANDOFF_TIMEOUT_MINUTES", "60")) * 60
    worker.periodic = lambda: (handoffs.expire_idle(timeout_s), handoffs.forget_expired())
    return worker


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or Ctrl-C (or, with --burst, until the inbox is empty)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--name")
    args = parser.parse_args(argv)
    configure(os.environ.get("LOG_LEVEL", "INFO"))
    settings = config.from_environment()
    if not settings["REDIS_URL"]:
        print("REDIS_URL is not set (make run sets it)", file=sys.stderr)
        return 2
    try:
        config.ensure_secrets(settings)
    except config.ConfigError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    worker = build_worker(settings, args.name)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    log.info("worker started", extra={"worker": worker.name})
    worker.run(burst=args.burst)
    log.info("worker stopped", extra={"worker": worker.name})
    return 0


if __name__ == "__main__":
    sys.exit(main())
