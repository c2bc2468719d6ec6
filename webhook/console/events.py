"""Live updates for the console: server-sent events fed by Redis pub/sub (issue 10, finding 11).

A stream holds its connection open, so streams are kept away from the threads that answer
Facebook's deliveries:

- `make run`, the tests and compose serve streams from a separate process
  (`webhook.console.events_server`: gunicorn with gevent, where an open stream costs a
  greenlet, not a thread); the console pages point their EventSource at CONSOLE_EVENTS_URL.
  In production the reverse proxy routes /console/events there (same origin).
- Any process still answers /console/events itself, but holds at most CONSOLE_MAX_STREAMS (4)
  at once; more get 503 with Retry-After, so however many tabs are open the web app's
  threads stay free for /webhook and /nlg.

Each stream ends after CONSOLE_STREAM_MAX_SECONDS (10 minutes; the browser reconnects and is
checked again) and re-checks the session every CONSOLE_STREAM_RECHECK_SECONDS (5): a logout,
a disabled account or a new password ends it within seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from webhook import keys
from webhook.console import auth

bp = Blueprint("events", __name__, url_prefix="/console")
HEARTBEAT_S = 15
RECHECK_S = 5


@bp.record_once
def _setup(state: Any) -> None:
    app: Flask = state.app
    app.extensions["stream_slots"] = threading.BoundedSemaphore(
        int(app.config.get("CONSOLE_MAX_STREAMS", 4)))
    app.add_template_global(events_url)


def events_url() -> str:
    """Where the console's pages open their event stream."""
    return current_app.config.get("CONSOLE_EVENTS_URL") or url_for("events.stream")


def events_origin() -> str:
    """The events server's origin when it differs from the pages' (for CSP and CORS)."""
    parts = urlsplit(current_app.config.get("CONSOLE_EVENTS_URL") or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


@bp.get("/events")
@auth.role_required("moderator")
def stream() -> ResponseReturnValue:
    """Server-sent events: queue changes and new messages, live, for a limited time."""
    slots = current_app.extensions["stream_slots"]
    if not slots.acquire(blocking=False):
        response = Response("too many live-update streams here\n", status=503,
                            mimetype="text/plain")
        response.headers["Retry-After"] = "30"
        return _cors(response)
    pubsub = current_app.extensions["redis"].pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(keys.console_events())
    except Exception:
        slots.release()
        raise
    settings = current_app.config
    body = stream_with_context(_events(pubsub, slots,
                                       float(settings.get("CONSOLE_STREAM_MAX_SECONDS", 600)),
                                       float(settings.get("CONSOLE_STREAM_RECHECK_SECONDS",
                                                          RECHECK_S))))
    return _cors(Response(body, mimetype="text/event-stream",
                          headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}))


def _events(pubsub: Any, slots: threading.BoundedSemaphore, lifetime: float,
            recheck: float) -> Iterator[str]:
    started = last_beat = last_check = time.monotonic()
    try:
        yield "retry: 2000\n\n"
        while time.monotonic() - started < lifetime:
            message = pubsub.get_message(timeout=min(1.0, recheck))
            if message and message.get("type") == "message":
                data = message["data"]
                yield f"data: {data.decode() if isinstance(data, bytes) else data}\n\n"
            now = time.monotonic()
            if now - last_check >= recheck:
                last_check = now
                if not auth.session_still_valid():
                    return
            if now - last_beat > HEARTBEAT_S:
                last_beat = now
                yield ": keep-alive\n\n"
    finally:
        pubsub.close()
        slots.release()


def _cors(response: Response) -> Response:
    """Let the console's pages (PUBLIC_WEB_URL) read a stream served from another origin."""
    origin = request.headers.get("Origin", "")
    public = urlsplit(current_app.config.get("PUBLIC_WEB_URL", ""))
    if origin and origin == f"{public.scheme}://{public.netloc}":
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    return response
