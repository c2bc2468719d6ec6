"""Turn one language's version of an answer into Rasa's NLG reply, with settings filled in.

A line that uses an empty setting is left out (and so is a quick reply or button that does), so
staff can leave unknown contacts empty and the answer still reads well.
"""

from __future__ import annotations

import re
from typing import Any

from webhook.content.model import Choice, Response, Settings, Version

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
BUBBLE_SEPARATOR = "\n\n"


def fill(text: str, settings: Settings, language: str,
         values: dict[str, str] | None = None) -> str | None:
    """`text` with placeholders replaced; None when a placeholder it uses is empty or unknown.

    `values` are filled at run time (a place in the queue) and win over settings.
    """
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        found = (values or {}).get(name) or settings.value(name, language)
        missing = missing or not found
        return found

    filled = PLACEHOLDER.sub(value, text)
    return None if missing else filled


def fill_lines(text: str, settings: Settings, language: str,
               values: dict[str, str] | None = None) -> str:
    """Fill each line of `text`, dropping the lines that use an empty setting."""
    lines = (fill(line, settings, language, values) for line in text.split("\n"))
    return "\n".join(line for line in lines if line is not None).strip()


def to_nlg_reply(response: Response, language: str, settings: Settings,
                 values: dict[str, str] | None = None) -> dict[str, Any]:
    """Rasa's NLG JSON for `response` in `language` (see rasa.core.nlg.callback)."""
    version = response.versions[language]
    reply: dict[str, Any] = {"text": _text(version, settings, language, values)}
    buttons = _choices(version.quick_replies, "quick_reply", settings, language)
    buttons += _choices(version.buttons, None, settings, language)
    if buttons:
        reply["buttons"] = buttons
    if version.image:
        reply["image"] = fill(version.image, settings, language)
    if response.command:
        reply["custom"] = {"command": response.command.get("name"), **_command_args(response)}
    return reply


def _text(version: Version, settings: Settings, language: str,
          values: dict[str, str] | None) -> str:
    bubbles = (fill_lines(bubble, settings, language, values) for bubble in version.bubbles)
    return BUBBLE_SEPARATOR.join(bubble for bubble in bubbles if bubble)


def _choices(
    choices: tuple[Choice, ...], kind: str | None, settings: Settings, language: str
) -> list[dict[str, str]]:
    rendered = []
    for choice in choices:
        title = fill(choice.title, settings, language)
        target = fill(choice.url, settings, language) if choice.url else choice.payload
        if not title or not target:
            continue
        if choice.url:
            rendered.append({"title": title, "url": target, "type": "web_url"})
        else:
            rendered.append({"title": title, "payload": target, "type": kind or "postback"})
    return rendered


def _command_args(response: Response) -> dict[str, Any]:
    return {key: value for key, value in (response.command or {}).items() if key != "name"}
