"""The simulator: a Messenger-like chat page for development, with no Facebook app.

`POST /simulator/api/send` builds a real Messenger webhook body, signs it with the app secret
and POSTs it over HTTP to this app's own `/webhook`, so the whole pipeline runs behind it.
`GET /simulator/api/messages` asks the Graph API stand-in what the Send API received for one
simulated user and turns each recorded request into what the page draws.

The stand-in's control API answers `GET /_standin/requests?recipient=&since=` with
`{"requests": [{"seq", "time", "path", "json", "status"}, ...], "last_seq": N}`, as
`webhook.simulator.graph_standin` does (a bare list, or `body` for `json`, also works).
The server keeps nothing: the page holds each user's history in the browser.
Register this blueprint only outside production.
"""

from __future__ import annotations

from typing import Any

import requests
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.http import HTTP_STATUS_CODES

from webhook.content import limits
from webhook.referrals.store import REF_PATTERN
from webhook.simulator import payloads

bp = Blueprint("simulator", __name__, url_prefix="/simulator",
               template_folder="templates", static_folder="static")

USERS = {"sim-user-1": "Dara", "sim-user-2": "Sokha", "sim-user-3": "Vanna"}
REF = REF_PATTERN
KINDS = ("text", "quick_reply", "postback", "image", "sticker", "audio", "referral")
THUMBS_UP_STICKER = 369239263222822  # the sticker Messenger's "like" button sends
TIMEOUT_SECONDS = 5
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
GENERIC_TYPE = "application/octet-stream"


@bp.get("/")
def index() -> str:
    """The chat page."""
    return render_template("simulator/index.html", users=USERS)


@bp.post("/api/send")
def send() -> tuple[Response, int]:
    """Send one simulated user message to /webhook as Facebook would; answer its status."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error(400, "send a JSON object")
    problem = _send_problem(data)
    if problem:
        return _error(400, problem)
    event = _event(data)
    raw, headers = payloads.encode(payloads.body(event), current_app.config["FB_APP_SECRET"])
    url = f"{_web_url()}/webhook"
    try:
        answer = requests.post(url, data=raw, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return _error(503, f"the web app's /webhook at {url} is not answering ({exc})")
    reply: dict[str, Any] = {"status": answer.status_code, "mid": _mid(event)}
    if answer.status_code >= 400:
        reply["error"] = answer.text[:500]
    return jsonify(reply), 200


@bp.get("/api/messages")
def messages() -> tuple[Response, int]:
    """What the Send API stand-in received for one user since a sequence number."""
    user = request.args.get("user", "")
    if user not in USERS:
        return _error(400, f"unknown user {user!r}: use one of {', '.join(USERS)}")
    since = request.args.get("since", "0")
    if not (since.isascii() and since.isdigit()):
        return _error(400, "since must be a whole number")
    base = current_app.config.get("GRAPH_API_URL", "").rstrip("/")
    if not base or "facebook.com" in base:
        return _error(503, f"GRAPH_API_URL is {base!r}, not the local Graph API stand-in")
    try:
        answer = requests.get(f"{base}/_standin/requests", params={"recipient": user,
                              "since": since}, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        recorded = answer.json()
    except requests.ConnectionError:
        return _error(503, f"the Graph API stand-in at {base} is not answering: is it running?")
    except (requests.RequestException, ValueError) as exc:
        return _error(502, f"the Graph API stand-in at {base} answered badly ({exc})")
    records = [r for r in _records(recorded) if _for_user(r, user)]
    items = [to_item(record) for record in records]
    return jsonify({"messages": items, "last_seq": _last_seq(recorded, items, int(since))}), 200


def _error(status: int, description: str) -> tuple[Response, int]:
    """A JSON error in the app's usual shape."""
    return jsonify({"error": HTTP_STATUS_CODES.get(status, "Error"),
                    "description": description}), status


def _web_url() -> str:
    """Where this app listens, as seen from itself."""
    config = current_app.config
    url = config.get("PUBLIC_WEB_URL") or f"http://127.0.0.1:{config.get('WEB_PORT', 8000)}"
    return str(url).rstrip("/")


def _send_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with a send request, or None."""
    if data.get("user") not in USERS:
        return f"unknown user {data.get('user')!r}: use one of {', '.join(USERS)}"
    kind = data.get("kind")
    if kind not in KINDS:
        return f"unknown kind {kind!r}: use one of {', '.join(KINDS)}"
    if kind == "text":
        return _text_problem("text", data.get("text"))
    if kind in ("quick_reply", "postback"):
        title = data.get("title") or data.get("text")
        return _text_problem("title", title) or _payload_problem(data.get("payload"))
    if kind == "referral" or data.get("ref"):
        return _ref_problem(data.get("ref"))
    return None


def _ref_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not REF.match(value):
        return "ref must be 1 to 64 letters, digits, '-', '_' or '.'"
    return None


def _text_problem(name: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{name} is empty"
    if len(value) > limits.MAX_MESSAGE_CHARS:
        return f"{name} is over {limits.MAX_MESSAGE_CHARS} characters ({len(value)})"
    return None


def _payload_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "payload is empty"
    if len(value) > limits.MAX_PAYLOAD_CHARS:
        return f"payload is over {limits.MAX_PAYLOAD_CHARS} characters"
    return None


def _event(data: dict[str, Any]) -> dict[str, Any]:
    """The Messenger event for a valid send request."""
    user, kind = data["user"], data["kind"]
    if kind == "text":
        return payloads.text(user, data["text"])
    if kind == "referral":
        return payloads.referral(user, data["ref"])
    if kind == "postback" and data.get("payload") == "GET_STARTED" and data.get("ref"):
        return payloads.get_started(user, ref=data["ref"])
    if kind in ("quick_reply", "postback"):
        build = payloads.quick_reply if kind == "quick_reply" else payloads.postback
        return build(user, data.get("title") or data["text"], data["payload"])
    if kind == "sticker":  # Facebook sends a sticker as an image with a sticker_id
        return payloads.attachment(user, "image", sticker_id=THUMBS_UP_STICKER)
    return payloads.attachment(user, kind, url=data.get("url"))


@bp.post("/api/upload")
def upload() -> tuple[Response, int]:
    """A photo or voice note from the page (from disk) to the Graph stand-in, which serves it
    as Facebook's CDN would; answers its URL, which /api/send then puts in the message."""
    base = current_app.config.get("GRAPH_API_URL", "").rstrip("/")
    if not base or "facebook.com" in base:
        return _error(503, f"GRAPH_API_URL is {base!r}, not the local Graph API stand-in")
    request.max_content_length = UPLOAD_MAX_BYTES  # the app's limit is for webhook bodies
    file = request.files.get("photo")
    if file is None:
        return _error(400, "send the photo as the form field 'photo'")
    try:
        answer = requests.post(f"{base}/_standin/attachments", data=file.read(),
                               headers={"Content-Type": file.mimetype or GENERIC_TYPE},
                               timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
    except requests.RequestException as exc:
        return _error(502, f"the Graph API stand-in did not keep the photo ({exc})")
    return jsonify(answer.json()), 200


def _mid(event: dict[str, Any]) -> str:
    return (event.get("message") or event.get("postback") or {}).get("mid", "")


def _records(recorded: Any) -> list[dict[str, Any]]:
    """The recorded requests in the stand-in's answer, whichever shape it has."""
    if isinstance(recorded, dict):
        recorded = recorded.get("requests", recorded.get("items", []))
    return [r for r in recorded if isinstance(r, dict)] if isinstance(recorded, list) else []


def _body(record: dict[str, Any]) -> dict[str, Any]:
    body = record.get("body", record.get("json"))
    return body if isinstance(body, dict) else {}


def _for_user(record: dict[str, Any], user: str) -> bool:
    """False only for a request that names another recipient (in case the filter is ignored)."""
    recipient = _body(record).get("recipient")
    return not isinstance(recipient, dict) or recipient.get("id") in (None, user)


def _last_seq(recorded: Any, items: list[dict[str, Any]], since: int) -> int:
    if isinstance(recorded, dict) and isinstance(recorded.get("last_seq"), int):
        return recorded["last_seq"]
    seqs = [item["seq"] for item in items if isinstance(item["seq"], int)]
    return max([since, *seqs])


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    """What the page draws for one recorded Graph API request."""
    body = _body(record)
    item: dict[str, Any] = {"seq": record.get("seq"), "time": record.get("time"),
                            "kind": "other", "text": "", "quick_replies": [], "buttons": [],
                            "raw": body}
    status, message = record.get("status"), body.get("message")
    if isinstance(status, int) and status >= 400:
        item["text"] = (f"The Graph API refused a request ({status}, error "
                        f"{record.get('error_code')}): the user would not see it")
    elif isinstance(message, dict):
        item.update(_from_message(message))
    elif body.get("sender_action") == "typing_on":
        item["kind"] = "typing"
    elif not body.get("sender_action"):
        item["text"] = f"Graph API call: {record.get('path') or 'unknown path'}"
    return item


def _from_message(message: dict[str, Any]) -> dict[str, Any]:
    """Kind, text, quick replies and buttons of one Send API `message`."""
    quick = [_quick_reply(q) for q in message.get("quick_replies") or [] if isinstance(q, dict)]
    attachment = message.get("attachment")
    if not isinstance(attachment, dict):
        kind = "quick_replies" if quick else "text"
        return {"kind": kind, "text": str(message.get("text", "")), "quick_replies": quick}
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    if attachment.get("type") == "image":
        return {"kind": "image", "text": str(payload.get("url", "")), "quick_replies": quick}
    if attachment.get("type") == "template" and payload.get("template_type") == "button":
        buttons = [_button(b) for b in payload.get("buttons") or [] if isinstance(b, dict)]
        return {"kind": "buttons", "text": str(payload.get("text", "")), "buttons": buttons,
                "quick_replies": quick}
    shape = payload.get("template_type") or attachment.get("type")
    return {"kind": "other", "text": f"[{shape} attachment]", "quick_replies": quick}


def _quick_reply(quick: dict[str, Any]) -> dict[str, str]:
    title = quick.get("title") or quick.get("content_type", "")
    return {"title": str(title), "payload": str(quick.get("payload", ""))}


def _button(button: dict[str, Any]) -> dict[str, str]:
    kind = str(button.get("type", "postback"))
    target = "url" if kind == "web_url" else "payload"
    return {"type": kind, "title": str(button.get("title", "")),
            target: str(button.get(target, ""))}
