"""GET and POST /webhook: Facebook's verification and its event deliveries.

POST checks the signature over the raw bytes before anything else, masks secrets in what users
typed (codes, passwords, card numbers), queues every event of the batch and answers at once: it
never waits for Rasa or the Send API.
"""

from __future__ import annotations

import hmac
import json
import logging
import time

import redis
from flask import Blueprint, abort, current_app, request

from webhook import metrics
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
    """Check the signature, queue the events, answer 200 (each refusal counted by result)."""
    started = time.perf_counter()
    if (request.content_length or 0) > current_app.config["MAX_WEBHOOK_BYTES"]:
        _refuse(413, "too_large")
    raw = request.get_data(cache=False)
    if len(raw) > current_app.config["MAX_WEBHOOK_BYTES"]:
        _refuse(413, "too_large")
    header = request.headers.get("X-Hub-Signature-256")
    if not signature.is_valid(raw, header, current_app.config["FB_APP_SECRET"]):
        log.warning("webhook refused: bad or missing signature")
        _refuse(403, "bad_signature", "bad signature")
    try:
        parsed = events.parse(json.loads(raw))
    except (ValueError, RecursionError, events.PayloadError) as exc:  # Recursion: nested too deep
        _refuse(400, "bad_payload",
                str(exc) if isinstance(exc, events.PayloadError) else "not JSON")
    inbox = current_app.extensions["inbox"]
    if inbox is None:
        _refuse(503, "unavailable", "REDIS_URL is not set: nothing can be queued")
    try:  # masked before the append: the stream (and its AOF and backups) never holds a secret
        added = inbox.append([mask_event(event) for event in parsed])
    except redis.RedisError:
        log.warning("webhook refused: Redis unavailable; Facebook will deliver again")
        _refuse(503, "unavailable", "cannot queue now")
    log.info("webhook queued", extra={"events": len(parsed), "new": added})
    metrics.record_delivery("accepted", started)
    return "EVENT_RECEIVED", 200, {"Content-Type": "text/plain"}


def _refuse(status: int, result: str, description: str | None = None) -> None:
    metrics.record_delivery(result)
    abort(status, description=description)
