"""What the worker makes of a user's message: secrets masked, fragments of a burst joined, the
text Rasa is told, the text the transcript shows."""

from __future__ import annotations

from typing import Any

from webhook.privacy.redact import redact

GET_STARTED = "GET_STARTED"
JOINER = "\n"  # fragments of a burst, joined; masking never removes a line break


def with_secrets_masked(event: dict[str, Any]) -> dict[str, Any]:
    """The event with codes, passwords and card numbers masked in what the user typed: the
    transcript, the console and Rasa only ever see the masked text."""
    if event["kind"] != "text" or not event.get("text"):
        return event
    masked = redact(event["text"])
    if not masked.found:
        return event
    return {**event, "text": masked.text, "secrets": sorted(masked.found)}


def joined(events: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the message the bot answers, each fragment as the transcript records it).

    Secrets are masked in the joined text, so "my password" + "hunter2" is caught; each
    fragment is recorded with its own lines of that masked text, or masked alone when only that
    catches something (a fragment that is only a code)."""
    if len(events) == 1:
        event = with_secrets_masked(events[0])
        return event, [event]
    whole = with_secrets_masked({**events[-1], "text": JOINER.join(e["text"] for e in events)})
    lines = whole["text"].split(JOINER)
    counts = [e["text"].count(JOINER) + 1 for e in events]
    if len(lines) != sum(counts):  # cannot happen with today's rules; mask each alone then
        return whole, [with_secrets_masked(event) for event in events]
    parts, secrets, start = [], set(whole.get("secrets", [])), 0
    for event, count in zip(events, counts, strict=True):
        part = {**event, "text": JOINER.join(lines[start:start + count])}
        if part["text"] == event["text"]:
            part = with_secrets_masked(event)
            secrets.update(part.get("secrets", []))
        parts.append(part)
        start += count
    text = JOINER.join(part["text"] for part in parts)
    return ({**whole, "text": text, "secrets": sorted(secrets)} if secrets else whole), parts


def typed(event: dict[str, Any]) -> str:
    """What the user wrote themselves: a tapped button's title says nothing of their language."""
    return event.get("text") or "" if event["kind"] == "text" else ""


def rasa_text(event: dict[str, Any]) -> str:
    """What Rasa is told: typed text, or a tapped payload (unknown payloads show the menu)."""
    if event["kind"] == "text":
        return event["text"]
    payload = event.get("payload") or ""
    if payload == GET_STARTED:
        return "/greet"
    return payload if payload.startswith("/") else "/help"


def shown(message: dict[str, Any]) -> str:
    """A sent message as the transcript shows it."""
    if "text" in message:
        return message["text"]
    payload = message.get("attachment", {}).get("payload", {})
    return payload.get("text") or f"[{message.get('attachment', {}).get('type', 'message')}]"


def shown_event(event: dict[str, Any]) -> str:
    """How a user's message without text appears in the transcript."""
    if event["kind"] == "referral":
        return f"[opened the chat from {event['referral'].get('ref') or 'a link'}]"
    shared = [link["url"] for link in event.get("shared", [])]
    if shared:
        return "[shared " + ", ".join(shared) + "]"
    return f"[{', '.join(event.get('attachments', ['attachment']))}]"
