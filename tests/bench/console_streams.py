"""/webhook acknowledgement latency while console event streams are open (issue 10,
finding 11), beside a baseline without streams measured in the same run.

Conditions: no streams; 100 streams on the events server (the design); 100 stream requests
at the web app itself (it keeps 4 per process and refuses the rest); and, to show what the
finding was, 100 streams at a web app with the cap lifted (the code before the fix), where
deliveries wait for a free thread (timeouts are counted, not timed).

Run: python -m tests.bench.console_streams [DELIVERIES]
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import uuid
from urllib.parse import urlsplit

import redis
import requests

from bot.train import model_path
from tests.bench.messenger import LOGS
from tests.bench.serving import percentile
from webhook.console.accounts import create_account
from webhook.devstack import Stack
from webhook.simulator import payloads

PASSWORD = "benchmark moderator passphrase"
STREAMS = 100
TIMEOUT_S = 5.0


def _cookie(stack: Stack) -> str:
    name = f"bench-{uuid.uuid4().hex[:6]}"
    create_account(redis.Redis.from_url(stack.redis_url), name, "Bench", "moderator", PASSWORD)
    browser = requests.Session()
    page = browser.get(f"{stack.web_url}/console/login", timeout=10).text
    browser.post(f"{stack.web_url}/console/login", timeout=10, data={
        "username": name, "password": PASSWORD, "next": "",
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def _open(url: str, cookie: str, count: int,
          wait_s: float) -> tuple[list[http.client.HTTPConnection], int]:
    """Open `count` stream requests; the connections and how many got a stream (200)."""
    parts, opened, accepted = urlsplit(url), [], 0
    for _ in range(count):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=wait_s)
        try:
            connection.request("GET", parts.path, headers={"Cookie": cookie})
            response = connection.getresponse()
            accepted += response.status == 200
        except OSError:
            pass  # no free thread: the request waits in the listen queue
        opened.append(connection)
    return opened, accepted


def _deliveries(stack: Stack, count: int) -> dict:
    secret, latencies, timeouts = stack.secrets["FB_APP_SECRET"], [], 0
    for _ in range(count):
        raw, headers = payloads.encode(payloads.body(
            payloads.text(f"bench-{uuid.uuid4().hex[:8]}", "hello")), secret)
        try:
            response = requests.post(f"{stack.web_url}/webhook", data=raw, headers=headers,
                                     timeout=TIMEOUT_S)
            latencies.append(response.elapsed.total_seconds() * 1000)
        except requests.RequestException:
            timeouts += 1
    if not latencies:
        return {"answered": 0, "timeouts": timeouts}
    return {"answered": len(latencies), "timeouts": timeouts,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1), "max_ms": round(max(latencies), 1)}


def _condition(stack: Stack, url: str | None, deliveries: int, wait_s: float = TIMEOUT_S) -> dict:
    opened, accepted = _open(url, _cookie(stack), STREAMS, wait_s) if url else ([], 0)
    try:
        return {"streams_open": accepted, **_deliveries(stack, deliveries)}
    finally:
        for connection in opened:
            connection.close()


def run(deliveries: int = 200) -> dict:
    """The four conditions; the unfixed one on a second web app with the cap lifted."""
    results = {}
    stack = Stack(model=model_path(), workers=0)
    try:
        stack.start_web(LOGS)
        results["no streams (baseline)"] = _condition(stack, None, deliveries)
        results["100 on the events server"] = _condition(stack, stack.events_url, deliveries)
        results["100 at the web app (capped)"] = _condition(
            stack, f"{stack.web_url}/console/events", deliveries)
    finally:
        stack.stop()
    unfixed = Stack(model=model_path(), workers=0, extra_env={"CONSOLE_MAX_STREAMS": "1000"})
    try:
        unfixed.start_web(LOGS)
        results["100 at the web app, cap lifted (before the fix)"] = _condition(
            unfixed, f"{unfixed.web_url}/console/events", min(deliveries, 10), wait_s=0.3)
    finally:
        unfixed.stop()
    return results


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200), indent=1))
