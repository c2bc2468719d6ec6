"""Answers the worker gives without asking Rasa, and events it records without answering.

- A conversation opened from a campaign link, QR code or advert: its starting point
  (webhook/referrals); an unknown ref falls through to Rasa's greeting.
- 👍 / 👎 on "Did this help?" (webhook/feedback), and the message after a 👎.
- A shared link or post: what to do with a link (the scam check reads it where it exists);
  the thumbs-up sticker: "ok / thanks" (Rasa's `thank`).
- Reactions to our messages count as feedback; an edited message is recorded, not answered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import redis

from webhook import keys
from webhook.content.model import Content
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.feedback import flow as feedback
from webhook.feedback.store import FeedbackStore
from webhook.privacy.redact import redact
from webhook.redis_text import as_text
from webhook.referrals.start import opening, referral_of
from webhook.referrals.store import Referrals

THUMBS_UP_STICKERS = frozenset({"369239263222822", "369239343222814", "369239383222810"})
SHARED_LINK = "utter_shared_link"


@dataclass
class Answer:
    """What the worker does instead of (or before) Rasa: answers to send, or a text or
    payload to give Rasa in place of the event's own."""

    messages: list[dict[str, Any]] | None = None
    rasa_text: str = ""
    guide: tuple[str, str] | None = None  # (tree, step) of guided steps to start
    language: str = ""  # the language the answer is in, when the worker chose it
    check_text: str = ""  # a shared link or post, for the scam check


@dataclass
class WithoutRasa:
    """The worker's own answers and records (see the module docstring)."""

    client: redis.Redis
    content: Content
    conversations: Conversations
    transcript: Transcript
    # FEEDBACK_QUESTION=off: never ask "Did this help?" (reactions still count)
    ask_feedback: bool = field(
        default_factory=lambda: os.environ.get("FEEDBACK_QUESTION", "on") != "off")

    def __post_init__(self) -> None:
        self.referrals = Referrals(self.client)
        self.feedback = FeedbackStore(self.client)

    def answer(self, event: dict[str, Any], language: str) -> Answer | None:
        """The worker's answer to `event`, or None to ask Rasa as usual."""
        referral = referral_of(event)
        if referral is not None:
            return self._opening(event["psid"], referral, language)
        payload = event.get("payload") or ""
        if feedback.vote_of(payload):
            return Answer(feedback.answer_vote(payload, event["psid"], language, self.content,
                                               self.feedback))
        if event["kind"] == "text":
            self._keep_missing(event, language)
        if event["kind"] == "attachment":
            return self._attachment(event, language)
        return None

    def opened_by(self, event: dict[str, Any]) -> None:
        """Count the conversation its referral opened (once per event; no user id)."""
        referral = referral_of(event)
        if referral is not None:
            self.referrals.count(referral.get("ref", ""))

    def after_answer(self, messages: list[dict[str, Any]], responses: list[str],
                     psid: str, language: str, commands: list[dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], str]:
        """Count a topic answer as shown and, at most daily, ask if it helped; (messages,
        the topic answer's name or '')."""
        answer = feedback.topic_answer(responses, self.content)
        if not answer:
            return messages, ""
        self.feedback.count(answer, language, "shown")
        if commands or not self.ask_feedback or not self.feedback.ask_once_today(psid):
            return messages, answer
        return feedback.with_question(messages, answer, language, self.content), answer

    def record_reaction(self, event: dict[str, Any]) -> None:
        """A reaction to one of our answers counts as helpful or not for that answer."""
        if event.get("action") != "react" or not event.get("target_mid"):
            return
        answer = self.client.get(keys.sent_mid(event["target_mid"]))
        vote = feedback.reaction_vote(event.get("emoji", ""), event.get("reaction", ""))
        if answer and as_text(answer) != "1" and vote:
            language = self.conversations.get(event["psid"]).get("language") or "km"
            self.feedback.count(as_text(answer), language, vote)

    def record_edit(self, event: dict[str, Any]) -> None:
        """An edited message goes into the transcript as an edit (masked); no answer."""
        masked = redact(event.get("text") or "")
        self.transcript.add(event["psid"], "user", f"✏️ {masked.text}", kind="edit",
                            mid=event.get("target_mid"))

    def _opening(self, psid: str, referral: dict[str, str], language: str) -> Answer:
        start = self.referrals.get(referral.get("ref", ""))
        if start is not None and start.language:
            self.conversations.update(psid, chosen_language=start.language)
            language = start.language
        first = opening(start, language, self.content)
        return Answer(first.answer, first.payload, first.guide, language)

    def _attachment(self, event: dict[str, Any], language: str) -> Answer | None:
        if event.get("sticker_id") in THUMBS_UP_STICKERS:
            return Answer(rasa_text="/thank")
        if event.get("shared"):
            shared = "\n".join(f"{link['title']}\n{link['url']}" for link in event["shared"])
            return Answer([self.content.reply(SHARED_LINK, language)], check_text=shared)
        return None

    def _keep_missing(self, event: dict[str, Any], language: str) -> None:
        answer = self.feedback.take_missing(event["psid"])
        if answer and event.get("text"):
            self.feedback.keep_missing(answer, redact(event["text"]).text, language)
