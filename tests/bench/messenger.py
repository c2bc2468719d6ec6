"""Webhook benchmarks, each side by side with its baseline in the same run.

- acknowledgement latency at a steady request rate: our webhook vs Rasa's Facebook channel;
- end-to-end latency from webhook POST to the Send API call vs a bare Rasa REST call;
- sustained messages per second with one Rasa server, checking nothing is lost or doubled.
Run: python -m tests.bench.messenger
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

from bot.project import ROOT
from bot.train import model_path
from tests.bench.serving import percentile
from webhook import keys
from webhook.devstack import Stack, wait_for
from webhook.embedded_redis import free_port
from webhook.simulator import payloads

_local = threading.local()
LOGS = ROOT / ".build" / "bench-logs"


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def signed_post(url: str, secret: str, event: dict) -> float | None:
    """POST one signed webhook delivery; the milliseconds until the answer (None: failed)."""
    raw, headers = payloads.encode(payloads.body(event), secret)
    # Rasa's own channel still checks the older SHA-1 header
    headers["X-Hub-Signature"] = "sha1=" + hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()
    started = time.perf_counter()
    try:
        response = _session().post(url, data=raw, headers=headers, timeout=60)
    except requests.RequestException:
        return None
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed if response.status_code == 200 else None


def steady_load(url: str, secret: str, rate: float, seconds: float, text: str) -> list[float]:
    """Send `rate` requests a second for `seconds`, each from a new user; latencies in ms."""
    total = int(rate * seconds)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=48) as pool:
        futures = []
        for index in range(total):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            event = payloads.text(f"load-{uuid.uuid4().hex[:10]}", text)
            futures.append(pool.submit(signed_post, url, secret, event))
        return [future.result() for future in futures]


def summary(values: list[float | None]) -> dict[str, float]:
    """p50, p99 and max of the answered requests, and how many failed."""
    answered = [value for value in values if value is not None]
    return {"n": len(values), "failed": len(values) - len(answered),
            "p50": statistics.median(answered), "p99": percentile(answered, 0.99),
            "max": max(answered)}


def start_baseline(stack: Stack, secret: str) -> tuple[subprocess.Popen, str]:
    """A second Rasa server, same model and stores, with Rasa's Facebook channel."""
    folder = Path(tempfile.mkdtemp(prefix="fb-baseline-"))
    (folder / "credentials.yml").write_text(
        "tests.bench.facebook_baseline.LocalFacebookInput:\n"
        f"  verify: bench\n  secret: {secret}\n  page-access-token: bench-token\n")
    port = free_port()
    env = {**stack.environment(), "GRAPH_STANDIN_URL": stack.graph_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(stack.model), "--port", str(port),
         "--interface", "127.0.0.1", "--credentials", str(folder / "credentials.yml"),
         "--endpoints", str(ROOT / "bot" / "endpoints.yml")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/", "baseline Rasa", timeout=300)
    return process, f"{url}/webhooks/facebook/webhook"


def graph_messages(stack: Stack, since: int = 0) -> list[dict]:
    """Send API message calls recorded by the stand-in after sequence `since`."""
    answer = requests.get(f"{stack.graph_url}/_standin/requests", params={"since": since},
                          timeout=30).json()["requests"]
    return [r for r in answer if r["path"].endswith("/me/messages")
            and "message" in (r.get("json") or {})]


def last_seq(stack: Stack) -> int:
    requests_ = requests.get(f"{stack.graph_url}/_standin/requests", params={"since": 0},
                             timeout=30).json()["requests"]
    return max((r["seq"] for r in requests_), default=0)


def wait_answers(stack: Stack, since: int, expected: int, timeout: float = 600) -> list[dict]:
    """Wait until `expected` Send API messages were recorded after `since`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = graph_messages(stack, since)
        if len(messages) >= expected:
            return messages
        time.sleep(0.5)
    raise RuntimeError(f"only {len(graph_messages(stack, since))} of {expected} answers")


def drain(stack: Stack, timeout: float = 600) -> None:
    """Wait until the workers have handled everything queued."""
    client = redis.Redis.from_url(stack.redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(client.xlen(keys.inbox(shard)) == 0 for shard in range(8)):
            return
        time.sleep(0.5)
    raise RuntimeError("the inbox did not drain")


def end_to_end(stack: Stack, secret: str, count: int = 100) -> dict[str, dict[str, float]]:
    """Webhook POST to first Send API message, against a bare Rasa REST turn, same texts."""
    e2e, bare = [], []
    for index in range(count):
        user = f"e2e-{uuid.uuid4().hex[:10]}"
        since = last_seq(stack)
        posted = time.time()
        signed_post(f"{stack.web_url}/webhook", secret, payloads.text(user, "thank you"))
        first = wait_answers(stack, since, 1, timeout=30)
        mine = [m for m in first if m["recipient"] == user]
        e2e.append((mine[0]["time"] - posted) * 1000)
        started = time.perf_counter()
        requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", params=stack.rasa_auth,
                      json={"sender": f"bare-{index}-{user}", "message": "thank you"},
                      timeout=30).raise_for_status()
        bare.append((time.perf_counter() - started) * 1000)
    return {"webhook POST to Send API": summary(e2e), "bare Rasa REST turn": summary(bare)}


def throughput(stack: Stack, secret: str, users: int = 100, per_user: int = 10) -> dict:
    """Messages per second, all answered exactly once, with one Rasa server."""
    since = last_seq(stack)
    names = [f"tp-{uuid.uuid4().hex[:10]}" for _ in range(users)]
    started = time.time()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for step in range(per_user):
            events = [payloads.text(user, "thank you", timestamp=payloads.now_ms() + step)
                      for user in names]
            list(pool.map(lambda e: signed_post(f"{stack.web_url}/webhook", secret, e), events))
    sent = wait_answers(stack, since, users * per_user)
    finished = max(message["time"] for message in sent)
    per = {user: 0 for user in names}
    for message in sent:
        per[message["recipient"]] = per.get(message["recipient"], 0) + 1
    return {"messages": users * per_user, "seconds": finished - started,
            "per_second": users * per_user / (finished - started),
            "lost": sum(max(0, per_user - n) for n in per.values()),
            "doubled": sum(max(0, n - per_user) for n in per.values())}


def main() -> dict:
    """Run everything; print JSON."""
    # the throughput run sends 10 messages per user at once: measure the pipeline, not the
    # per-user rate limit
    stack = Stack(model=model_path(), workers=2,
                  extra_env={"RATE_LIMIT_MESSAGES": "0"}).start(log_dir=LOGS)
    try:
        secret = stack.secrets["FB_APP_SECRET"]
        results = {"ack_ms_at_200rps": {
            "Rasa's Facebook channel": baseline_ack(stack, secret),
            "our webhook": our_ack(stack, secret)}}
        results["end_to_end_ms"] = end_to_end(stack, secret)
        results["throughput"] = throughput(stack, secret)
    finally:
        stack.stop()
    return results


def baseline_ack(stack: Stack, secret: str) -> dict:
    """Rasa's Facebook channel under the steady load, then how many users it answered."""
    baseline, fb_url = start_baseline(stack, secret)
    try:
        since = last_seq(stack)
        result = summary(steady_load(fb_url, secret, rate=200, seconds=10, text="thank you"))
        result["answered"] = len({m["recipient"] for m in graph_messages(stack, since)})
    finally:
        baseline.terminate()
        baseline.wait(timeout=30)
    return result


def our_ack(stack: Stack, secret: str) -> dict:
    """Our webhook under the same load; the workers then drain it all."""
    time.sleep(5)
    since = last_seq(stack)
    url = f"{stack.web_url}/webhook"
    result = summary(steady_load(url, secret, rate=200, seconds=10, text="thank you"))
    drain(stack)
    result["answered"] = len({m["recipient"] for m in graph_messages(stack, since)})
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
