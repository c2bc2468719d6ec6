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

from webhook import config
from webhook.clock import Clock
from webhook.content.loader import ContentStore
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.notify import Notifier
from webhook.handoff.service import Handoffs
from webhook.inbox import Inbox
from webhook.logging_setup import configure
from webhook.messenger.send_api import SendApi
from webhook.pipeline.handler import Handler
from webhook.pipeline.rasa_client import RasaClient
from webhook.pipeline.worker import Worker

log = logging.getLogger("webhook.worker")


def retention_seconds() -> int:
    """RETENTION_DAYS (default 30) in seconds."""
    return int(os.environ.get("RETENTION_DAYS", "30")) * 86400


def build_worker(settings: dict[str, Any], name: str | None = None) -> Worker:
    """A worker wired to Redis, Rasa and the Graph API as configured."""
    client = redis.Redis.from_url(settings["REDIS_URL"])
    send_api = SendApi(settings["GRAPH_API_URL"], settings["GRAPH_API_VERSION"],
                       settings["FB_PAGE_ACCESS_TOKEN"], settings["FB_APP_SECRET"])
    content = ContentStore(settings["RESPONSES_DIR"])
    conversations = Conversations(client, retention_seconds())
    transcript = Transcript(client, retention_seconds())
    handoffs = build_handoffs(settings, client, send_api, content, conversations, transcript)
    handler = Handler(
        client=client, rasa=RasaClient(settings["RASA_URL"]), send_api=send_api,
        content=content, conversations=conversations, transcript=transcript, handoffs=handoffs,
        app_id=os.environ.get("FB_APP_ID", ""),
        rasa_patience_seconds=float(os.environ.get("RASA_PATIENCE_SECONDS", "15")),
    )
    worker = Worker(client, handler, Inbox(client, settings["INBOX_SHARDS"]), name=name)
    timeout_s = float(os.environ.get("HANDOFF_TIMEOUT_MINUTES", "60")) * 60
    worker.periodic = lambda: handoffs.expire_idle(timeout_s)
    return worker


def build_handoffs(settings: dict[str, Any], client: redis.Redis, send_api: SendApi,
                   content: ContentStore, conversations: Conversations,
                   transcript: Transcript) -> Handoffs:
    """The handoff service as configured (HANDOFF_MODE, HANDOFF_NOTIFY_URL)."""
    notify_url = os.environ.get("HANDOFF_NOTIFY_URL", "")
    return Handoffs(
        client=client, conversations=conversations, transcript=transcript, send_api=send_api,
        content=content, clock=Clock(client, adjustable=not config.is_production(settings)),
        mode=os.environ.get("HANDOFF_MODE", "console"),
        notifier=Notifier(notify_url, f"{settings['PUBLIC_WEB_URL']}/console/")
        if notify_url else None,
    )


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
    config.ensure_secrets(settings)
    worker = build_worker(settings, args.name)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    log.info("worker started", extra={"worker": worker.name})
    worker.run(burst=args.burst)
    log.info("worker stopped", extra={"worker": worker.name})
    return 0


if __name__ == "__main__":
    sys.exit(main())
