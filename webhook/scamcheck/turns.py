"""The worker's scam-check turns: which user messages the scam check answers instead of Rasa."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import redis

from webhook.conversations.state import Conversations
from webhook.scamcheck import conversation as talk
from webhook.scamcheck.images import ImageChecks

PENDING = "scamcheck_pending"  # conversation field: when "send me the message" was asked
CONTEXT = "scam_context_at"   # conversation field: when a scam answer was last given


@dataclass
class ScamCheckTurns:
    """Answers the turns that belong to the scam check; None leaves a turn to Rasa."""

    client: redis.Redis
    conversations: Conversations
    source: talk.CheckerSource
    images: ImageChecks | None = None

    def answer(self, event: dict[str, Any], state: dict[str, str],
               language: str) -> list[dict[str, Any]] | None:
        """The NLG messages for this event, or None when Rasa should answer it."""
        psid = event["psid"]
        request = talk.check_request(event.get("payload") or "")
        if request == "picture":
            url = talk.take_image_url(self.client, psid)
            if url:
                return self._picture(psid, url, language)
        if request is not None:
            self.conversations.update(psid, **{PENDING: time.time(), CONTEXT: time.time()})
            return [self._reply("utter_scamcheck_ask", language)]
        if talk.recent(state, PENDING, talk.PENDING_S):
            self.conversations.update(psid, **{PENDING: None})
            return self._check_now(event, language)
        if event["kind"] == "attachment" and event.get("image_url"):
            if talk.recent(state, CONTEXT, talk.CONTEXT_S):
                return self._picture(psid, event["image_url"], language)
            talk.keep_image_url(self.client, psid, event["image_url"])
            return [self._reply("utter_scamcheck_picture_offer", language)]
        return None

    def check_text(self, text: str, language: str, psid: str = "") -> list[dict[str, Any]]:
        """The check of a text the user shared (a link or post shared into the chat)."""
        return talk.check_reply(self.source, self.client, text, language, psid, "link")

    def _check_now(self, event: dict[str, Any], language: str) -> list[dict[str, Any]] | None:
        if event["kind"] == "text":
            return talk.check_reply(self.source, self.client, event.get("text") or "", language,
                                    event["psid"])
        if event["kind"] == "attachment" and event.get("image_url"):
            return self._picture(event["psid"], event["image_url"], language)
        if event["kind"] == "attachment" and set(event.get("attachments", [])) - {"sticker"}:
            return [self._reply("utter_scamcheck_not_image", language)]
        return None  # a button or a sticker: the user moved on

    def _picture(self, psid: str, url: str, language: str) -> list[dict[str, Any]]:
        """Read the picture beside the loop; say so now (the verdict follows when ready)."""
        if self.images is None:
            return [self._reply("utter_scamcheck_unreadable", language)]
        talk.remember_checked_image(self.client, psid, url)
        self.images.submit(psid, url, language)
        return [self._reply("utter_scamcheck_reading", language)]

    def _reply(self, name: str, language: str) -> dict[str, Any]:
        _, content = self.source.current()
        return talk.content_reply(content, name, language)
