"""What a user would see on their phone for an answer: the Messenger messages it becomes."""

from __future__ import annotations

from typing import Any

from webhook.content.model import Response, Settings
from webhook.content.render import to_nlg_reply
from webhook.pipeline.render import render

# shown instead of the numbers the system fills in when it sends the message
SAMPLE_VALUES = {"queue_position": "2", "wait_minutes": "10", "next_open": "Mon 08:00"}


def messenger_messages(response: Response, language: str,
                       settings: Settings) -> list[dict[str, Any]]:
    """The Send API messages of `response` in `language` (empty when it has no such version)."""
    if language not in response.versions:
        return []
    reply = to_nlg_reply(response, language, settings, SAMPLE_VALUES)
    return render([reply]).messages
