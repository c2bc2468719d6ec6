"""An optional outgoing webhook (e.g. a staff group chat) when a case enters the queue.

It carries no message content and no user id: only that a case is waiting, why, in which
language, and how many are waiting.
"""

from __future__ import annotations

import logging
import threading

import requests

log = logging.getLogger(__name__)


class Notifier:
    """POSTs a small JSON body to HANDOFF_NOTIFY_URL, from a thread, never blocking the worker."""

    def __init__(self, url: str, console_url: str = "") -> None:
        self.url = url
        self.console_url = console_url

    def queued(self, reason: str, language: str, waiting: int) -> None:
        """Tell staff a case is waiting."""
        body = {"event": "handoff_queued", "reason": reason, "language": language,
                "waiting": waiting, "console": self.console_url}
        threading.Thread(target=self._post, args=(body,), daemon=True).start()

    def _post(self, body: dict) -> None:
        try:
            requests.post(self.url, json=body, timeout=5).raise_for_status()
        except requests.RequestException as exc:
            log.warning("handoff notification failed", extra={"error": type(exc).__name__})
