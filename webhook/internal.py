"""The internal listener: routes only the cluster may reach (`/metrics`, and `/nlg` for Rasa).

Gunicorn binds the public address (WEB_PORT: `/webhook`, `/console`) and, when INTERNAL_PORT
is set, a second one that only the cluster reaches (NetworkPolicy, compose's internal network).
A request counts as internal when the socket it arrived on is bound to INTERNAL_PORT: the
socket's own address is used, never the Host header, which a caller chooses. Without
INTERNAL_PORT (development, tests) every listener counts as internal.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from webhook import metrics

bp = Blueprint("internal", __name__)


def arrived_internally() -> bool:
    """True when this request came in on the internal listener (or there is none)."""
    port = int(current_app.config.get("INTERNAL_PORT") or 0)
    if not port:
        return True
    sock = request.environ.get("gunicorn.socket")
    try:
        return sock is not None and sock.getsockname()[1] == port
    except (OSError, IndexError, TypeError):
        return False


def internal_only() -> None:
    """Answer 404 (as if absent) to an internal route asked for on the public listener."""
    if not arrived_internally():
        abort(404)


@bp.get("/metrics")
def scrape() -> Response:
    """Prometheus' scrape: this host's processes' metrics and the shared state in Redis."""
    internal_only()
    body = metrics.exposition(current_app.extensions.get("redis"),
                              current_app.config["INBOX_SHARDS"])
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")
