"""Turn a Messenger webhook body into the small, flat events the worker handles.

Only what the worker needs is kept (no profile data): the kind, who, when, the message id, the
text or payload, attachment types, and the attachments' CDN addresses (a single picture's for
the scam check; all of them for the evidence store while a person handles the case).
"""

from __future__ import annotations

import math
import re
from typing import Any

# JSON may escape half of a UTF-16 pair ("\ud800"); such a string cannot be encoded as UTF-8
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class PayloadError(ValueError):
    """The body is not a Messenger webhook payload (the view answers 400)."""


def parse(body: Any) -> list[dict[str, Any]]:
    """Every event of every entry, `messaging` and `standby`, sorted by timestamp."""
    if not isinstance(body, dict) or body.get("object") != "page":
        raise PayloadError("expected a Messenger payload with object 'page'")
    entries = body.get("entry")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PayloadError("expected 'entry' to be a list of objects")
    events = []
    for entry in entries:
        for field, standby in (("messaging", False), ("standby", True)):
            items = entry.get(field) or []
            if not isinstance(items, list):
                raise PayloadError(f"expected '{field}' to be a list")
            events += [_event(item, str(entry.get("id", "")), standby) for item in items]
    return sorted((_clean(event) for event in events), key=lambda event: event["timestamp"])


def _event(raw: Any, page_id: str, standby: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PayloadError("expected each event to be an object")
    sender = _id(raw.get("sender"))
    recipient = _id(raw.get("recipient"))
    event: dict[str, Any] = {
        "page_id": page_id,
        "psid": sender,
        "timestamp": _timestamp(raw.get("timestamp")),
        "standby": standby,
    }
    event.update(_content(raw))
    if event["kind"] == "echo":
        event["psid"] = recipient  # an echo goes from the Page to the user
    return event


def _content(raw: dict[str, Any]) -> dict[str, Any]:
    message = raw.get("message")
    if isinstance(message, dict):
        return _message(message)
    postback = raw.get("postback")
    if isinstance(postback, dict):
        return {"kind": "postback", "mid": _text(postback.get("mid")),
                "payload": _text(postback.get("payload")), "text": _text(postback.get("title"))}
    for kind in ("read", "delivery"):
        if isinstance(raw.get(kind), dict):
            return {"kind": kind, "watermark": _timestamp(raw[kind].get("watermark"))}
    for action in ("pass_thread_control", "take_thread_control", "request_thread_control"):
        if isinstance(raw.get(action), dict):
            detail = raw[action]
            app = detail.get("new_owner_app_id") or detail.get("previous_owner_app_id") or \
                detail.get("requested_owner_app_id") or ""
            return {"kind": "handover", "action": action.split("_")[0], "app_id": str(app)}
    return {"kind": "unknown", "fields": sorted(k for k in raw if k not in _ENVELOPE)[:5]}


_ENVELOPE = {"sender", "recipient", "timestamp"}


def _message(message: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {"mid": _text(message.get("mid")), "text": _text(message.get("text"))}
    if message.get("is_echo"):
        app_id = message.get("app_id")
        return {**content, "kind": "echo", "app_id": str(app_id) if app_id else ""}
    quick = message.get("quick_reply")
    if isinstance(quick, dict) and quick.get("payload"):
        return {**content, "kind": "quick_reply", "payload": _text(quick["payload"])}
    attachments = message.get("attachments")
    if isinstance(attachments, list) and attachments:
        kinds = [str(a.get("type", "file")) for a in attachments if isinstance(a, dict)]
        if message.get("sticker_id"):
            kinds = ["sticker"]
        event = {**content, "kind": "attachment", "attachments": kinds or ["file"]}
        urls = _urls(attachments, kinds)
        if urls:
            event["attachment_urls"] = urls
        image = _image_url(attachments) if kinds == ["image"] else ""
        return {**event, "image_url": image} if image else event
    if content["text"]:
        return {**content, "kind": "text"}
    return {**content, "kind": "unknown", "fields": sorted(message)[:5]}


def _urls(attachments: list[Any], kinds: list[str]) -> list[list[str]]:
    """[kind, url] of each attachment with an address (at most 10, as Messenger sends)."""
    found = []
    for raw, kind in zip(attachments[:10], kinds, strict=False):
        payload = raw.get("payload") if isinstance(raw, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url:
            found.append([kind, url[:2000]])
    return found


def _image_url(attachments: list[Any]) -> str:
    """The first picture's CDN address: the scam check reads screenshots (never kept)."""
    payload = attachments[0].get("payload") if isinstance(attachments[0], dict) else None
    url = payload.get("url") if isinstance(payload, dict) else None
    return _text(url)[:2000] if isinstance(url, str) else ""


def _id(party: Any) -> str:
    if isinstance(party, dict) and isinstance(party.get("id"), str | int):
        return str(party["id"])
    raise PayloadError("expected sender and recipient ids")


def _timestamp(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):  # JSON allows 1e400 and Infinity
        return int(value)
    return 0


def _clean(event: dict[str, Any]) -> dict[str, Any]:
    """Lone surrogates become U+FFFD, so ids and text can be stored as UTF-8."""
    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return _LONE_SURROGATE.sub("\ufffd", value)
        return [fix(item) for item in value] if isinstance(value, list) else value

    return {key: fix(value) for key, value in event.items()}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def dedup_key(event: dict[str, Any]) -> str:
    """What makes a redelivered event recognisable: the message id, else a stable summary."""
    if event.get("mid"):
        return event["mid"]
    if event["kind"] == "postback":
        return f"pb:{event['psid']}:{event['timestamp']}:{event.get('payload', '')}"
    return ""
