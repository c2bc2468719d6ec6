"""GET and POST /webhook: Facebook's verification and its event deliveries.

POST checks the signature over the raw bytes before anything else, masks secrets in what users
typed (codes, passwords, card numbers), queues every event of the batch and answers at once: it
never waits for Rasa or the Send API.
"""

from __future__ import annotations

import hmac
import json
import logging

import redis
from flask import Blueprint, abort, current_app, request

from webhook.messenger import events, signature
from webhook.privacy.redact import mask_event

bp = Blueprint("messenger", __name__)
log = logging.getLogger(__name__)


@bp.get("/webhook")
def verify():  # noqa: ANN201 - a Flask view
    """Answer Facebook's subscription check with the challenge, if the token matches."""
    token = request.args.get("hub.verify_token", "")
    expected = current_app.config["FB_VERIFY_TOKEN"]
    if request.args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        token.encode(), expected.encode()
    ):
        abort(403, description="verification failed")
    return request.args.get("hub.challenge", ""), 200, {"Content-Type": "text/plain"}


@bp.post("/webhook")
def receive():  # noqa: ANN201 - a Flask view
    """Check the signature, queue the events, answer 200."""
    if (request.content_length or 0) > current_app.config["MAX_WEBHOOK_BYTES"]:
        abort(413)
    raw = request.get_data(cache=False)
    if len(raw) > current_app.config["MAX_WEBHOOK_BYTES"]:
        abort(413)
    header = request.headers.get("X-Hub-Signature-256")
    if not signature.is_valid(raw, header, current_app.config["FB_APP_SECRET"]):
        log.warning("webhook refused: bad or missing signature")
        abort(403, description="bad signature")
    try:
        parsed = events.parse(json.loads(raw))
    except (ValueError, RecursionError, events.PayloadError) as exc:  # Recursion: nested too deep
        abort(400, description=str(exc) if isinstance(exc, events.PayloadError) else "not JSON")
    inbox = current_app.extensions["inbox"]
    if inbox is None:
        abort(503, description="REDIS_URL is not set: nothing can be queued")
    try:  # masked before the append: the stream (and its AOF and backups) never holds a secret
        added = inbox.append([mask_event(event) for event in parsed])
    except redis.RedisError:
        log.warning("webhook refused: Redis unavailable; Facebook will deliver again")
        abort(503, description="cannot queue now")
    log.info("webhook queued", extra={"events": len(parsed), "new": added})
    return "EVENT_RECEIVED", 200, {"Content-Type": "text/plain"}
