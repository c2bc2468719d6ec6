"""Why a conversation is handed to a person, read from the tracker's last user intents."""

from __future__ import annotations

from typing import Any

from bot.clarify import CONTENT_TOPICS
from bot.taxonomy import topic_of

URGENT_INTENTS = ("scam_victim", "account_hacked", "online_harassment")


def handoff_why(tracker: dict[str, Any]) -> dict[str, str]:
    """Why the conversation goes to a person, from what the user said just before their yes
    (or their tap on "talk to a person"); a sub-topic counts as its topic (a loan app's
    harassment is `scam_victim`).

    `reason` (routes and is counted): `scam_victim`, `account_hacked`, `online_harassment`,
    `fallback` or `user_request`. `topic` (routes and heads the case summary): that message's
    topic when it is one of the menu's, else "".
    """
    intents = [((event.get("parse_data") or {}).get("intent") or {}).get("name")
               for event in tracker.get("events") or [] if event.get("event") == "user"]
    before = topic_of(intents[-2]) if len(intents) >= 2 else ""
    if before in URGENT_INTENTS:
        reason = before
    else:
        reason = "fallback" if before == "nlu_fallback" else "user_request"
    return {"reason": reason, "topic": before if before in CONTENT_TOPICS else ""}
