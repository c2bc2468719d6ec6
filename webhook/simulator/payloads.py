"""Build Messenger webhook payloads as Facebook sends them (for the simulator and tests).

Shapes follow Meta's Messenger Platform webhook reference: one `object: page` body with
`entry[]`, each with `messaging[]` (or `standby[]`) events.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from webhook.messenger.signature import sign

PAGE_ID = "1000000000000001"
_counter = itertools.count(1)


def now_ms() -> int:
    """Facebook timestamps are milliseconds since the epoch."""
    return int(time.time() * 1000)


def new_mid() -> str:
    """A message id in Facebook's style."""
    return f"m_sim{next(_counter)}_{time.time_ns()}"


def _base(sender: str, recipient: str = PAGE_ID, timestamp: int | None = None) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": recipient},
            "timestamp": timestamp or now_ms()}


def text(sender: str, body: str, mid: str | None = None, **kw: Any) -> dict[str, Any]:
    """A typed message."""
    return {**_base(sender, **kw), "message": {"mid": mid or new_mid(), "text": body}}


def quick_reply(sender: str, title: str, payload: str, mid: str | None = None) -> dict[str, Any]:
    """A tapped quick reply: the title as text, the payload beside it."""
    event = text(sender, title, mid)
    event["message"]["quick_reply"] = {"payload": payload}
    return event


def postback(sender: str, title: str, payload: str, mid: str | None = None) -> dict[str, Any]:
    """A tapped button (or Get Started, or a persistent-menu item)."""
    return {**_base(sender), "postback": {"mid": mid or new_mid(), "title": title,
                                          "payload": payload}}


def attachment(sender: str, kind: str, mid: str | None = None,
               sticker_id: int | None = None, url: str | None = None) -> dict[str, Any]:
    """An image, audio (voice note), video, file, location or sticker (`url`: where the file
    is served, e.g. by the Graph stand-in)."""
    payload: dict[str, Any] = {"url": url or f"https://cdn.example.invalid/{kind}"}
    if kind == "location":
        payload = {"coordinates": {"lat": 11.56, "long": 104.92}}
    if sticker_id:
        payload["sticker_id"] = sticker_id
    message: dict[str, Any] = {"mid": mid or new_mid(),
                               "attachments": [{"type": kind, "payload": payload}]}
    if sticker_id:
        message["sticker_id"] = sticker_id
    return {**_base(sender), "message": message}


def referral(sender: str, ref: str, source: str = "SHORTLINK",
             ad_id: str | None = None) -> dict[str, Any]:
    """The user opened an existing thread from an m.me link, a QR code or an advert."""
    detail: dict[str, Any] = {"ref": ref, "source": source, "type": "OPEN_THREAD"}
    if ad_id:
        detail["ad_id"] = ad_id
    return {**_base(sender), "referral": detail}


def get_started(sender: str, ref: str | None = None) -> dict[str, Any]:
    """Get Started in a new thread; with `ref` when it came from a campaign link."""
    event = postback(sender, "Get Started", "GET_STARTED")
    del event["postback"]["mid"]
    if ref:
        event["postback"]["referral"] = {"ref": ref, "source": "SHORTLINK",
                                         "type": "OPEN_THREAD"}
    return event


def reaction(sender: str, target_mid: str, emoji: str = "\u2764", name: str = "love",
             action: str = "react") -> dict[str, Any]:
    """The user reacted to one of our messages (or took a reaction back)."""
    return {**_base(sender), "reaction": {"reaction": name, "emoji": emoji, "action": action,
                                          "mid": target_mid}}


def edit(sender: str, target_mid: str, new_text: str, num_edit: int = 1) -> dict[str, Any]:
    """The user edited a message they sent."""
    return {**_base(sender), "message_edit": {"mid": target_mid, "text": new_text,
                                              "num_edit": num_edit}}


def shared_link(sender: str, url: str, title: str = "", mid: str | None = None
                ) -> dict[str, Any]:
    """A link or post shared into the chat (a `fallback` attachment)."""
    return {**_base(sender), "message": {"mid": mid or new_mid(), "attachments": [
        {"type": "fallback", "title": title, "URL": url,
         "payload": {"url": url, "title": title}}]}}


def echo(page_user: str, body: str, app_id: int | None = None,
         mid: str | None = None) -> dict[str, Any]:
    """A message the Page sent (by our app, or by a person in the Page Inbox)."""
    message: dict[str, Any] = {"mid": mid or new_mid(), "is_echo": True, "text": body}
    if app_id is not None:
        message["app_id"] = app_id
    return {**_base(PAGE_ID, recipient=page_user), "message": message}


def read(sender: str, watermark: int | None = None) -> dict[str, Any]:
    """The user read our messages up to `watermark`."""
    return {**_base(sender), "read": {"watermark": watermark or now_ms()}}


def delivery(sender: str, mids: list[str] | None = None) -> dict[str, Any]:
    """Our messages were delivered."""
    return {**_base(sender), "delivery": {"mids": mids or [], "watermark": now_ms()}}


def body(*events: dict[str, Any], standby: list[dict[str, Any]] | None = None,
         entries: int = 1) -> dict[str, Any]:
    """A webhook body: `events` spread over `entries` entries, plus optional standby events."""
    chunks: list[list[dict[str, Any]]] = [list(events[i::entries]) for i in range(entries)]
    entry = [{"id": PAGE_ID, "time": now_ms(), "messaging": chunk} for chunk in chunks if chunk]
    if standby:
        entry.append({"id": PAGE_ID, "time": now_ms(), "standby": standby})
    return {"object": "page", "entry": entry}


def encode(
    payload: dict[str, Any], app_secret: str, ascii_only: bool = False
) -> tuple[bytes, dict[str, str]]:
    """The raw bytes and headers of a signed webhook POST."""
    raw = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8")
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, app_secret)}
    return raw, headers
