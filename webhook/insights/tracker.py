"""What the insights need from the tracker Rasa sends with each /nlg request."""

from __future__ import annotations

import functools
from typing import Any

from bot.project import intents as domain_intents

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_RESPONSES = ("utter_fallback",)
# Not the question itself: "yes" to the offer of a person, a greeting, or the request for a
# person (what the user asked before it is what the assistant did not answer well enough).
NOT_A_QUESTION = frozenset({"affirm", "deny", "cancel_handoff", "greet", "thank", "goodbye",
                            "help", "change_language", "request_human"})
LOOK_BACK = 3


def intent_of(message: dict[str, Any]) -> str:
    """The top intent Rasa predicted for a user message (its `parse_data` or latest_message)."""
    data = message.get("parse_data") or message
    return str((data.get("intent") or {}).get("name") or "")


def counted_intent(name: str) -> str:
    """`name` when it is an intent of the domain (or the NLU fallback), else "other": a name
    Rasa cannot predict must not become a counter of its own."""
    return name if name in _known_intents() else "other"


@functools.lru_cache(maxsize=1)
def _known_intents() -> frozenset[str]:
    return frozenset(domain_intents() | {FALLBACK_INTENT})


def is_fallback(response: str, latest: dict[str, Any]) -> bool:
    """The NLU did not understand (nlu_fallback), or no rule fitted (the core fallback)."""
    return intent_of(latest) == FALLBACK_INTENT or response in FALLBACK_RESPONSES


def typed(message: dict[str, Any]) -> bool:
    """True for words the user wrote; False for a tapped button's payload ("/…")."""
    text = message.get("text") or ""
    return bool(text.strip()) and not text.startswith("/")


def question_before_handoff(tracker: dict[str, Any]) -> dict[str, Any] | None:
    """The user's own words that led to a handoff: among the last few user messages of this
    session, the newest one they typed that is not a mere reply such as "yes" or the request
    for a person itself. None when there is none (someone who only asked for a person)."""
    users: list[dict[str, Any]] = []
    for event in tracker.get("events") or []:
        if event.get("event") == "session_started":
            users = []
        elif event.get("event") == "user":
            users.append(event)
    for event in reversed(users[-LOOK_BACK:]):
        if typed(event) and intent_of(event) not in NOT_A_QUESTION:
            return event
    return None
