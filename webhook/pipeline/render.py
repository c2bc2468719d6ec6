"""Render Rasa's answer into Messenger messages that respect Messenger's limits.

Rasa's REST channel gives, per response, `text` (bubbles separated by a blank line),
`buttons` (each with a `type`: quick_reply, postback or web_url, see webhook.content.render),
`image` and `custom` (commands for the worker). Messenger wants text of at most 2000
characters, at most 13 quick replies with titles of at most 20, and at most 3 buttons in a
button template whose text is at most 640.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from webhook.content import limits

_SENTENCE_END = re.compile(r"(?<=[.!?។៕\n])\s+")
_KHMER_DEPENDENT = re.compile("[\u17b6-\u17d3\u17dd]")
_COENG = "\u17d2"


@dataclass
class Rendered:
    """The Messenger messages to send, in order, and the commands the answer carried."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)  # the answers' names, when /nlg said


def render(rasa_messages: list[dict[str, Any]]) -> Rendered:
    """Messenger messages for one Rasa turn."""
    rendered = Rendered()
    for message in rasa_messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("command"):
            rendered.commands.append(custom)
        elif isinstance(custom, dict) and isinstance(custom.get("response"), str):
            rendered.responses.append(custom["response"])
        rendered.messages += _messages_for(message)
    return rendered


def _messages_for(message: dict[str, Any]) -> list[dict[str, Any]]:
    text = message.get("text") or ""
    bubbles = [part for bubble in _bubbles(text) for part in split_text(bubble)]
    buttons = message.get("buttons") or []
    quick = [b for b in buttons if b.get("type", "quick_reply") == "quick_reply"]
    template = [b for b in buttons if b.get("type") in ("postback", "web_url")]
    quick += [b for b in template[limits.MAX_BUTTONS:] if b.get("type") == "postback"]
    out: list[dict[str, Any]] = [{"text": bubble} for bubble in bubbles]
    if template:
        text = out.pop()["text"] if out else "👇"
        out += _button_template(text, template[: limits.MAX_BUTTONS])
    if message.get("image"):
        out.append({"attachment": {"type": "image",
                                   "payload": {"url": message["image"], "is_reusable": True}}})
    if quick and out:
        out[-1]["quick_replies"] = [_quick_reply(b) for b in quick[: limits.MAX_QUICK_REPLIES]]
    return out


def _bubbles(text: str) -> list[str]:
    return [bubble.strip() for bubble in text.split("\n\n") if bubble.strip()]


def split_text(text: str, most: int = limits.MAX_MESSAGE_CHARS) -> list[str]:
    """Split `text` into parts of <= `most`, at sentence ends, else at spaces, else anywhere."""
    parts = []
    while len(text) > most:
        cut = _last_break(text, most)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


def _last_break(text: str, most: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, most + 1)]
    if ends and ends[-1] > most // 4:
        return ends[-1]
    space = text.rfind(" ", 0, most)
    return space if space > 0 else most


def _button_template(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lead: list[dict[str, Any]] = []
    if len(text) > limits.MAX_BUBBLE_CHARS:  # the template's text is limited to 640
        lead, text = [{"text": text}], "👇"
    payload = {"template_type": "button", "text": text,
               "buttons": [_template_button(button) for button in buttons]}
    return [*lead, {"attachment": {"type": "template", "payload": payload}}]


def _template_button(button: dict[str, Any]) -> dict[str, Any]:
    title = fit_title(str(button.get("title", "")))
    if button.get("type") == "web_url":
        return {"type": "web_url", "title": title, "url": button["url"]}
    return {"type": "postback", "title": title,
            "payload": str(button.get("payload", ""))[: limits.MAX_PAYLOAD_CHARS]}


def _quick_reply(button: dict[str, Any]) -> dict[str, Any]:
    return {"content_type": "text", "title": fit_title(str(button.get("title", ""))),
            "payload": str(button.get("payload", ""))[: limits.MAX_PAYLOAD_CHARS]}


def fit_title(title: str, most: int = limits.MAX_TITLE_CHARS) -> str:
    """`title` cut to `most` code points if needed, never inside a Khmer syllable."""
    if len(title) <= most:
        return title
    cut = most - 1
    while cut > 0 and (_KHMER_DEPENDENT.match(title[cut]) or title[cut - 1] == _COENG):
        cut -= 1
    return title[:cut].rstrip() + "…"
