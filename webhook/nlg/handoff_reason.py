"""Why a conversation is handed to a person, read from the tracker's last user intents."""

from __future__ import annotations

from typing import Any

from bot.clarify import CONTENT_TOPICS
from bot.taxonomy import topic_of

URGENT_INTENTS = ("scam_victim", "account_hacked", "online_harassment")


def _user_intents(tracker: dict[str, Any]) -> list[str | None]:
    return [((event.get("parse_data") or {}).get("intent") or {}).get("name")
            for event in tracker.get("events") or [] if event.get("event") == "user"]


def handoff_topic(tracker: dict[str, Any]) -> str:
    """The topic the user wrote about just before asking for a person ("" when none), for
    routing and the case summary."""
    intents = _user_intents(tracker)
    before = topic_of(intents[-2]) if len(intents) >= 2 else ""
    return before if before in CONTENT_TOPICS else ""


def handoff_reason(tracker: dict[str, Any]) -> str:
    """`scam_victim`, `account_hacked`, `online_harassment`, `fallback` or `user_request`.

    A sub-topic counts as its topic (a loan app's harassment is `scam_victim`).

    The handoff follows the user's yes (or their tap on "talk to a person"); what they said
    just before that tells why they need a person.
    """
    intents = _user_intents(tracker)
    before = topic_of(intents[-2]) if len(intents) >= 2 else None
    if before in URGENT_INTENTS:
        return before
    if before == "nlu_fallback":
        return "fallback"
    return "user_request"
