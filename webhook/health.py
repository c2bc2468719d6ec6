"""GET /healthz: 200 only when every part the bot needs answers; 503 says what is missing."""

from __future__ import annotations

import redis
import requests
from flask import Blueprint, current_app, jsonify

from webhook import config
from webhook.pipeline.leases import live_workers
from webhook.pipeline.rasa_client import auth
from webhook.redis_connect import connect

bp = Blueprint("health", __name__)


def redis_ok() -> str | None:
    """None when Redis answers, else why not."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return "REDIS_URL is not set"
    try:
        connect(url, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis does not answer ({type(exc).__name__})"
    return None


def rasa_ok() -> str | None:
    """None when every Rasa replica has a model loaded, else which ones do not and why."""
    urls = config.rasa_urls(current_app.config)
    problems = {n: p for n, p in enumerate(map(_replica_problem, urls), 1) if p}
    if len(urls) == 1 or not problems:
        return problems.get(1)
    return "; ".join(f"replica {number}: {problem}" for number, problem in problems.items())


def _replica_problem(url: str) -> str | None:
    try:
        status = requests.get(f"{url}/status", timeout=2,
                              params=auth(current_app.config["RASA_TOKEN"]))
        status.raise_for_status()
        loaded = status.json().get("model_file")
    except (requests.RequestException, ValueError) as exc:
        return f"Rasa does not answer ({type(exc).__name__})"
    return None if loaded else "Rasa has no model loaded"


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


@bp.get("/readyz")
def readyz():  # noqa: ANN201 - a Flask view
    """Ready for traffic when Redis answers: deliveries can be queued even while Rasa is down
    (the workers wait for it), so Rasa is not part of readiness."""
    problem = redis_ok()
    return jsonify({"status": "ok" if not problem else "unavailable",
                    "problems": {"redis": problem} if problem else {}}), 503 if problem else 200


@bp.get("/livez")
def livez():  # noqa: ANN201 - a Flask view
    """The process answers requests (a restart would not help anything else)."""
    return jsonify({"status": "ok"})
