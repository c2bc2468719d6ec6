"""GET /healthz: 200 only when every part the bot needs answers; 503 says what is missing."""

from __future__ import annotations

import redis
import requests
from flask import Blueprint, current_app, jsonify

from webhook.pipeline.leases import live_workers
from webhook.pipeline.rasa_client import auth

bp = Blueprint("health", __name__)


def redis_ok() -> str | None:
    """None when Redis answers, else why not."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return "REDIS_URL is not set"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis does not answer ({type(exc).__name__})"
    return None


def rasa_ok() -> str | None:
    """None when the Rasa server has a model loaded, else why not."""
    try:
        status = requests.get(f"{current_app.config['RASA_URL']}/status", timeout=2,
                              params=auth(current_app.config["RASA_TOKEN"]))
        status.raise_for_status()
    except requests.RequestException as exc:
        return f"Rasa does not answer ({type(exc).__name__})"
    if not status.json().get("model_file"):
        return "Rasa has no model loaded"
    return None


def workers_ok() -> str | None:
    """None when at least one worker heartbeat recently, else why not."""
    client = current_app.extensions.get("redis")
    if client is None:
        return "REDIS_URL is not set"
    try:
        alive = live_workers(client)
    except redis.RedisError as exc:
        return f"Redis does not answer ({type(exc).__name__})"
    return None if alive else "no worker is alive"


@bp.get("/healthz")
def healthz():  # noqa: ANN201 - a Flask view
    """Check each part; list the ones that fail."""
    checks = {"redis": redis_ok(), "rasa": rasa_ok(), "worker": workers_ok()}
    problems = {name: reason for name, reason in checks.items() if reason}
    body = {"status": "ok" if not problems else "unavailable", "problems": problems}
    return jsonify(body), 200 if not problems else 503
