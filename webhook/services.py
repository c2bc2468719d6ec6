"""Wiring: the service objects the web app and the worker share, built from configuration."""

from __future__ import annotations

import os
from typing import Any

import redis

from webhook import config
from webhook.clock import Clock
from webhook.content.loader import FolderContent
from webhook.content.model import Content
from webhook.content.published import PublishedContent
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.notify import Notifier
from webhook.handoff.service import Handoffs
from webhook.messenger.send_api import SendApi


def retention_seconds() -> int:
    """RETENTION_DAYS (default 30) in seconds."""
    return int(os.environ.get("RETENTION_DAYS", "30")) * 86400


def content(settings: dict[str, Any], client: redis.Redis | None) -> Content:
    """The published answers (the content store in Redis); straight from the files in
    RESPONSES_DIR only when there is no Redis (checks and tools)."""
    if client is None:
        return FolderContent(settings["RESPONSES_DIR"])
    published = PublishedContent(client, settings["RESPONSES_DIR"])
    published.warm()
    return published


def send_api(settings: dict[str, Any]) -> SendApi:
    """The Send API client for the configured Graph API and Page."""
    return SendApi(settings["GRAPH_API_URL"], settings["GRAPH_API_VERSION"],
                   settings["FB_PAGE_ACCESS_TOKEN"], settings["FB_APP_SECRET"])


def handoffs(settings: dict[str, Any], client: redis.Redis, content: Content) -> Handoffs:
    """The handoff service as configured (HANDOFF_MODE, HANDOFF_NOTIFY_URL)."""
    notify_url = os.environ.get("HANDOFF_NOTIFY_URL", "")
    return Handoffs(
        client=client,
        conversations=Conversations(client, retention_seconds()),
        transcript=Transcript(client, retention_seconds()),
        send_api=send_api(settings),
        content=content,
        clock=Clock(client, adjustable=config.is_development(settings)),
        mode=settings.get("HANDOFF_MODE") or os.environ.get("HANDOFF_MODE", "console"),
        notifier=Notifier(notify_url, f"{settings['PUBLIC_WEB_URL']}/console/")
        if notify_url else None,
    )
