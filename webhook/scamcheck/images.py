"""Screenshot checks beside the worker's main loop: fetch, read (OCR), check, answer.

Reading a picture takes seconds, so it runs on a small thread pool (Tesseract itself in a
child process with a time limit): the worker's loop goes on answering other users meanwhile.
The picture is held in memory only while it is read and is never stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import redis

from webhook.logging_setup import user_ref
from webhook.scamcheck import fetch, ocr
from webhook.scamcheck.conversation import CheckerSource, check_reply, content_reply

log = logging.getLogger(__name__)
Deliver = Callable[[str, list[dict[str, Any]], str], None]  # psid, NLG messages, language


class ImageChecks:
    """Checks pictures on `workers` threads and delivers each answer when it is ready."""

    def __init__(self, source: CheckerSource, client: redis.Redis | None, deliver: Deliver,
                 hosts: tuple[str, ...], workers: int = 1,
                 ocr_timeout_s: float = ocr.TIMEOUT_S) -> None:
        self.source = source
        self.client = client
        self.deliver = deliver
        self.hosts = hosts
        self.ocr_timeout_s = ocr_timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scamcheck-ocr")

    def submit(self, psid: str, url: str, language: str) -> Future:
        """Start checking the picture at `url`; its answer is delivered when ready."""
        return self._pool.submit(self._run, psid, url, language)

    def _run(self, psid: str, url: str, language: str) -> None:
        try:
            self.deliver(psid, self.answer(url, language, psid), language)
        except Exception as error:  # noqa: BLE001 - a thread's failure is logged, never lost silently
            log.warning("picture check failed", extra={"user": user_ref(psid),
                                                       "error": type(error).__name__})

    def answer(self, url: str, language: str, psid: str = "") -> list[dict[str, Any]]:
        """The answer for the picture at `url` (unreadable pictures get a clear message)."""
        _, content = self.source.current()
        try:
            data, _ = fetch.fetch(url, self.hosts)
            text = ocr.read_text(data, self.ocr_timeout_s)
        except (fetch.FetchRefused, ocr.UnreadableImage) as error:
            log.info("picture not read", extra={"reason": str(error)[:60]})
            return [content_reply(content, "utter_scamcheck_unreadable", language)]
        if len(text.strip()) < 3:
            return [content_reply(content, "utter_scamcheck_unreadable", language)]
        return check_reply(self.source, self.client, text, language, psid, "picture")

    def shutdown(self) -> None:
        """Finish the pictures being read, then stop the threads."""
        self._pool.shutdown(wait=True)
