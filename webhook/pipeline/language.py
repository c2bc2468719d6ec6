"""The language the worker tells Rasa (and uses for its own answers) for one message."""

from __future__ import annotations

import json
import re

from bot.language import REPLY_LANGUAGES, detect

_LANGUAGE_PAYLOAD = re.compile(r"^/change_language(\{.*\})$")


def chosen_language(payload: str) -> str | None:
    """The language a `/change_language{"language": ...}` payload chooses, if any."""
    match = _LANGUAGE_PAYLOAD.match(payload or "")
    if not match:
        return None
    try:
        language = json.loads(match.group(1)).get("language")
    except (ValueError, AttributeError):
        return None
    return language if language in REPLY_LANGUAGES else None


def message_language(text: str, state: dict[str, str], default: str) -> str:
    """The user's explicit choice, else this message's language, else their last, else default."""
    if state.get("chosen_language") in REPLY_LANGUAGES:
        return state["chosen_language"]
    detected = detect(text).reply_language if text and not text.startswith("/") else None
    return detected or state.get("language") or default
