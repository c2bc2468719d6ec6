"""Serve the published answers from the content store, in every process, without a restart.

Each process keeps the published content in memory with its revision number, and checks the
store's revision (one small Redis read) before serving: a change published by any editor is
used on the very next answer, in every web process and worker.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import redis

from webhook.content.loader import load_folder
from webhook.content.model import ContentSet, Response, Settings
from webhook.content.render import to_nlg_reply
from webhook.content.versions import ContentVersions

log = logging.getLogger(__name__)


class PublishedContent:
    """The published answers and settings; seeded from `seed_folder` when the store lacks them."""

    def __init__(self, client: redis.Redis, seed_folder: Path | None = None) -> None:
        self.versions = ContentVersions(client)
        self.client = client
        self.seed_folder = seed_folder
        self._lock = threading.Lock()
        self._revision = -1
        self._content = ContentSet(responses={}, settings=Settings(default_language="km"))
        self._seeded = seed_folder is None

    def responses(self) -> dict[str, Response]:
        """All published answers by name."""
        return self.current().responses

    def settings(self) -> Settings:
        """The published settings."""
        return self.current().settings

    def reply(self, name: str, language: str,
              values: dict[str, str] | None = None) -> dict[str, Any]:
        """The answer `name` in `language` as Rasa's NLG reply, settings (and `values`) filled."""
        content = self.current()
        return to_nlg_reply(content.responses[name], language, content.settings, values)

    def warm(self) -> None:
        """Seed and load now (at start), so the first answer does not wait; a Redis that is
        not up yet is only logged: the first answer tries again."""
        try:
            self.current()
        except redis.RedisError as exc:
            log.warning("content store not loaded at start", extra={"error": type(exc).__name__})

    def current(self) -> ContentSet:
        """Everything published, at the store's latest revision (one Redis read when
        nothing changed)."""
        revision = self.versions.revision()
        if not self._seeded or (revision == 0 and self.seed_folder is not None):
            self._seeded = False  # an empty store (a new Redis, or one that lost its data)
            self._seed()
            revision = self.versions.revision()
        if revision != self._revision:
            with self._lock:
                if revision != self._revision:
                    self._revision, self._content = self.versions.snapshot()
        return self._content

    def _seed(self) -> None:
        """Add answers that responses/ has and the store lacks (new deployments, new answers)."""
        with self._lock:
            if self._seeded or self.seed_folder is None:
                return
            added = self.versions.seed(load_folder(self.seed_folder))
            if added:
                log.info("content store: added from responses/", extra={"items": len(added)})
            self._seeded = True
