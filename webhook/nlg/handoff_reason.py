"""Why a conversation is handed to a person, read from the tracker's last user intents."""

from __future__ import annotations

from typing import Any

from bot.taxonomy import topic_of

URGENT_INTENTS = ("scam_victim", "account_hacked", "online_harassment")


def handoff_reason(tracker: dict[str, Any]) -> str:
    """`scam_victim`, `account_hacked`, `online_harassment`, `fallback` or `user_request`.

    A sub-topic counts as its topic (a loan app's harassment is `scam_victim`).

    The handoff follows the user's yes (or their tap on "talk to a person"); what they said
    just before that tells why they need a person.
    """
    intents = [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        for event in tracker.get("events") or []
        if event.get("event") == "user"
    ]
    before = topic_of(intents[-2]) if len(intents) >= 2 else None
    if before in URGENT_INTENTS:
        return before
    if before == "nlu_fallback":
        return "fallback"
    return "user_request"
