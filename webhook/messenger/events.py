"""Turn a Messenger webhook body into the small, flat events the worker handles.

Only what the worker needs is kept (no profile data): the kind, who, when, the message id, the
text or payload, attachment types, the attachments' CDN addresses (a single picture's for the
scam check; all of them for the evidence store while a person handles the case), and what
people share on purpose: the URL and title of a shared link or post (to check it for scams), a
referral's `ref` (which campaign link, QR code or advert opened the chat), reactions to our
messages and edits.
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
        event = {"kind": "postback", "mid": _text(postback.get("mid")),
                 "payload": _text(postback.get("payload")), "text": _text(postback.get("title"))}
        if isinstance(postback.get("referral"), dict):  # Get Started in a new thread
            event["referral"] = _referral(postback["referral"])
        return event
    if isinstance(raw.get("referral"), dict):  # an existing thread opened from a link or ad
        return {"kind": "referral", "referral": _referral(raw["referral"])}
    if isinstance(raw.get("reaction"), dict):
        return _reaction(raw["reaction"])
    if isinstance(raw.get("message_edit"), dict):
        edit = raw["message_edit"]
        return {"kind": "edit", "target_mid": _text(edit.get("mid")),
                "text": _text(edit.get("text"))[:MAX_FIELD], "num_edit": _int(edit.get("num_edit"))}
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
        items = [a for a in attachments if isinstance(a, dict)]
        kinds = [str(a.get("type", "file")) for a in items]
        sticker = message.get("sticker_id") or _sticker_id(items)
        if sticker:
            kinds = ["sticker"]
        found = {**content, "kind": "attachment", "attachments": kinds or ["file"]}
        shared = [link for a in items for link in _shared(a)][:MAX_SHARED]
        if shared:
            found["shared"] = shared
        if sticker:
            found["sticker_id"] = str(sticker)
        urls = _urls(items, kinds)
        if urls:
            found["attachment_urls"] = urls
        image = _image_url(attachments) if kinds == ["image"] else ""
        return {**found, "image_url": image} if image else found
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


MAX_SHARED = 5
MAX_FIELD = 2000  # characters kept of a shared URL or title, a ref or an edit's text


def _referral(referral: dict[str, Any]) -> dict[str, str]:
    """Which link, QR code, advert or plugin opened the chat (no advert content kept)."""
    return {"ref": _text(referral.get("ref"))[:MAX_FIELD],
            "source": _text(referral.get("source"))[:40],
            "ad_id": str(referral.get("ad_id") or "")[:40]}


def _reaction(reaction: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "reaction", "target_mid": _text(reaction.get("mid")),
            "reaction": _text(reaction.get("reaction"))[:20],
            "emoji": _text(reaction.get("emoji"))[:8],
            "action": "unreact" if reaction.get("action") == "unreact" else "react"}


def _sticker_id(items: list[dict[str, Any]]) -> Any:
    for item in items:
        payload = item.get("payload")
        if isinstance(payload, dict) and payload.get("sticker_id"):
            return payload["sticker_id"]
    return None


def _shared(attachment: dict[str, Any]) -> list[dict[str, str]]:
    """The links a shared link (`fallback`) or post (`template`) carries, with their titles."""
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    if attachment.get("type") == "fallback":
        url = payload.get("url") or attachment.get("url") or attachment.get("URL")
        title = payload.get("title") or attachment.get("title")
        return [_link(url, title)] if isinstance(url, str) and url else []
    if attachment.get("type") != "template":
        return []
    links = []
    for element in payload.get("elements") or []:
        if not isinstance(element, dict):
            continue
        action = element.get("default_action") if isinstance(element.get("default_action"),
                                                             dict) else {}
        buttons = [b for b in element.get("buttons") or [] if isinstance(b, dict)]
        for url in [element.get("url"), action.get("url"), *(b.get("url") for b in buttons)]:
            if isinstance(url, str) and url:
                links.append(_link(url, element.get("title")))
    return links


def _link(url: str, title: Any) -> dict[str, str]:
    return {"url": url[:MAX_FIELD], "title": _text(title)[:MAX_FIELD]}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
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
        if isinstance(value, dict):
            return {key: fix(item) for key, item in value.items()}
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
    if event["kind"] == "edit":
        return f"ed:{event['target_mid']}:{event['num_edit']}"
    if event["kind"] in ("reaction", "referral"):
        return f"{event['kind'][:3]}:{event['psid']}:{event['timestamp']}"
    return ""
