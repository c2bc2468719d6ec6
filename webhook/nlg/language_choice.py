"""Which language to answer in, from what Rasa's tracker says about the user.

Order: the user's explicit choice (the `language` slot), else the language the worker detected
and sent in the message metadata, else the language of the user's last clear message, else
the organisation's default.
"""

from __future__ import annotations

from typing import Any

from bot.language import REPLY_LANGUAGES, detect


def answer_language(tracker: dict[str, Any], default: str) -> str:
    """The language (`km` or `en`) for the next answer to this user."""
    chosen = (tracker.get("slots") or {}).get("language")
    if chosen in REPLY_LANGUAGES:
        return chosen
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    if metadata.get("language") in REPLY_LANGUAGES:
        return metadata["language"]
    for text in _user_texts_newest_first(tracker):
        language = detect(text).reply_language
        if language:
            return language
    return default


def _user_texts_newest_first(tracker: dict[str, Any]) -> list[str]:
    texts = [
        event.get("text") or ""
        for event in tracker.get("events") or []
        if event.get("event") == "user"
    ]
    latest = (tracker.get("latest_message") or {}).get("text")
    if latest and (not texts or texts[-1] != latest):
        texts.append(latest)
    # payloads ("/help") are button taps, not language the user wrote
    return [text for text in reversed(texts) if text and not text.startswith("/")]
