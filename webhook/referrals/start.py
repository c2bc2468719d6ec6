"""The first answer of a conversation opened from a campaign link, QR code or advert.

An unknown or missing ref gets the greeting (through Rasa, as Get Started does); a known one
gets its starting point. The worker calls this only when the bot owns the conversation, so a
ref never changes anything for a conversation a person has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webhook.content.model import Content
from webhook.referrals.store import Start

GREETING = "/greet"
GUIDE_PREFIX = "guide_"  # a tree's first step is named guide_<tree> (webhook/guides/tree.py)
SCAM_CHECK_PAYLOAD = '/scam_check{"check": "message"}'  # the scam check's own button


@dataclass(frozen=True)
class Opening:
    """Either answers ready to send, or what to hand on (to Rasa or the guided steps)."""

    answer: list[dict[str, Any]] | None = None
    payload: str = ""
    guide: tuple[str, str] | None = None  # (tree, step) of guided steps to start


def referral_of(event: dict[str, Any]) -> dict[str, str] | None:
    """The referral an event carries: an OPEN_THREAD referral, or Get Started in a new thread."""
    referral = event.get("referral")
    return referral if isinstance(referral, dict) else None


def opening(start: Start | None, language: str, content: Content) -> Opening:
    """How the conversation starts for `start` (None: an unknown or missing ref)."""
    if start is None:
        return Opening(payload=GREETING)
    if start.kind == "answer":  # named as /nlg names answers, so it can be rated
        return Opening(answer=[content.reply(start.target, language),
                               {"custom": {"response": start.target}}])
    if start.kind == "language":
        return Opening(answer=[content.reply("utter_greet", language)])
    if start.kind == "guide":
        return Opening(guide=(start.target.removeprefix(GUIDE_PREFIX), start.target))
    return Opening(payload=SCAM_CHECK_PAYLOAD)
