"""Probes for issue 10's findings 4, 6, 8 and 12, from outside a running stack.

- 4: Rasa's HTTP API and REST channel refuse calls without the token (needs `--rasa`).
- 6: a secret typed by a user is masked before it reaches Redis (needs `--redis`, a user allowed
  MONITOR, and the app secret to sign a webhook delivery: PROBE_APP_SECRET or FB_APP_SECRET).
- 8: the web app runs as production (no simulator, Secure session cookie) - run it against a
  deployment that did not set APP_ENV, or set it to production.
- 12: no Graph API call put the Page token in its URL (needs the Graph API stand-in's address:
  PROBE_GRAPH_URL; the stand-in records where each token came).
Findings 5 and 14 (compose Redis, Docker image) are files, tested in tests/unit.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import redis
import requests

from tests.security.probe import Probe, Result, Target
from webhook.simulator import payloads

TIMEOUT = 5
REFUSED = (401, 403)


def _rasa_needs_a_token(target: Target) -> Result:
    if not target.rasa_url:
        return Result("skipped", "no --rasa URL")
    calls = [("GET", "/status", None), ("GET", "/domain", None),
             ("GET", "/conversations/probe-edge/tracker", None),
             ("POST", "/conversations/probe-edge/tracker/events", []),
             ("POST", "/model/parse", {"text": "hello"}), ("PUT", "/model", {}),
             ("POST", "/webhooks/rest/webhook", {"sender": "probe-edge", "message": "hi"})]
    answered = []
    for token in (None, "not-the-token"):
        for method, path, body in calls:
            params = {"token": token} if token else None
            status = requests.request(method, f"{target.rasa_url}{path}", json=body,
                                      params=params, timeout=TIMEOUT).status_code
            if status not in REFUSED:
                answered.append(f"{method} {path} -> {status}")
    if answered:
        return Result("open", "without the token: " + ", ".join(answered))
    return Result("closed", f"{len(calls) * 2} calls without or with a wrong token refused")


def _production_by_default(target: Target) -> Result:
    simulator = requests.get(f"{target.web_url}/simulator/", timeout=TIMEOUT)
    if simulator.status_code != 404:
        return Result("open", f"the simulator answers ({simulator.status_code}): development")
    login = requests.get(f"{target.web_url}/console/login", timeout=TIMEOUT)
    cookies = login.headers.get("Set-Cookie", "")
    if cookies and "secure" not in cookies.lower():
        return Result("open", "the console's session cookie is not Secure")
    return Result("closed", "no simulator; the session cookie is Secure")


def _app_secret() -> str:
    return os.environ.get("PROBE_APP_SECRET") or os.environ.get("FB_APP_SECRET", "")


def _secrets_masked_before_redis(target: Target) -> Result:
    secret = _app_secret()
    if not target.redis_url or not secret:
        return Result("skipped", "needs --redis and PROBE_APP_SECRET")
    nonce = uuid.uuid4().hex[:12]
    text = f"probe {nonce}: my OTP is 482913 and card 4111 1111 1111 1111"
    client = redis.Redis.from_url(target.redis_url, socket_timeout=TIMEOUT)
    try:
        seen = _watch_writes(client, nonce, lambda: _deliver(target, secret, nonce, text))
    except redis.exceptions.NoPermissionError:
        return Result("skipped", "the Redis user may not MONITOR")
    if seen is None:
        return Result("skipped", "the delivery never reached Redis")
    if "482913" in seen or "4111 1111" in seen:
        return Result("open", "the code or card number reached Redis unmasked")
    return Result("closed", "the event reached Redis with the code and card masked")


def _deliver(target: Target, secret: str, nonce: str, text: str) -> None:
    event = payloads.text(f"probe-edge-{nonce}", text)
    raw, headers = payloads.encode(payloads.body(event), secret)
    requests.post(f"{target.web_url}/webhook", data=raw, headers=headers, timeout=TIMEOUT)


def _watch_writes(client: redis.Redis, marker: str, act) -> str | None:  # noqa: ANN001
    """The first command Redis received that carries `marker`, while `act` runs."""
    with client.monitor() as monitor:
        sender = threading.Thread(target=act)
        sender.start()
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                command = monitor.next_command()["command"]
                if marker in command:
                    return command
            return None
        except redis.TimeoutError:  # Redis went quiet: the delivery never came
            return None
        finally:
            sender.join(timeout=TIMEOUT)


def _no_token_in_graph_urls(target: Target) -> Result:
    graph = os.environ.get("PROBE_GRAPH_URL", "") or target.extra.get("graph_url", "")
    if not graph:
        return Result("skipped", "no PROBE_GRAPH_URL (the Graph API stand-in)")
    records: list[dict] = []
    deadline = time.monotonic() + 15
    while not records and time.monotonic() < deadline:
        records = requests.get(f"{graph}/_standin/requests", timeout=TIMEOUT).json()["requests"]
        time.sleep(0 if records else 0.5)
    if not records:
        return Result("skipped", "the stand-in has recorded no Graph API call yet")
    leaked = [r for r in records if r.get("token_in_url", r.get("has_token"))]
    if leaked:
        return Result("open", f"{len(leaked)} of {len(records)} calls had the token in the URL")
    if not all(r.get("has_token") for r in records):
        return Result("open", "a Graph API call carried no token at all")
    return Result("closed", f"{len(records)} Graph API calls, the token in none of their URLs")


PROBES = [
    Probe(4, "Rasa's API and REST channel refuse calls without the token", _rasa_needs_a_token),
    Probe(6, "a typed secret is masked before it reaches Redis", _secrets_masked_before_redis),
    Probe(8, "the web app is production unless told otherwise", _production_by_default),
    Probe(12, "no Graph API URL carries the Page token", _no_token_in_graph_urls),
]
