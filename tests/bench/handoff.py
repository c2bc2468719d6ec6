"""Handoff latency in a real browser: a user's escalating message to the case showing in an
open console, and a moderator's send to the Send API call, each beside its floor.

Run: python -m tests.bench.handoff [ROUNDS]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import uuid

import redis
import requests
from playwright.sync_api import expect, sync_playwright

from bot.train import model_path
from tests.bench.messenger import LOGS, signed_post
from tests.bench.serving import percentile
from webhook.console.accounts import create_account
from webhook.devstack import Stack
from webhook.simulator import payloads

PASSWORD = "benchmark moderator passphrase"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": statistics.median(values),
            "p95": percentile(values, 0.95), "max": max(values)}


def _graph_times(stack: Stack, user: str, text: str) -> list[float]:
    found = requests.get(f"{stack.graph_url}/_standin/requests",
                         params={"recipient": user, "since": 0}, timeout=10).json()["requests"]
    return [r["time"] for r in found if text in json.dumps(r.get("json"), ensure_ascii=False)]


def run(rounds: int) -> dict:
    """Measure `rounds` escalations and replies."""
    stack = Stack(model=model_path(), workers=2).start(log_dir=LOGS)
    client = redis.Redis.from_url(stack.redis_url)
    create_account(client, "bench", "Bench", "moderator", PASSWORD)
    secret = stack.secrets["FB_APP_SECRET"]
    to_console, bare_turn, to_send_api, bare_send = [], [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{stack.web_url}/console/")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name=re.compile("sign in", re.I)).click()
            expect(page.get_by_text("Live updates: on")).to_be_visible(timeout=20_000)
            for index in range(rounds):
                user = f"bench-{uuid.uuid4().hex[:10]}"
                rows = page.locator("#waiting-rows tr[data-ref]")
                started = time.perf_counter()
                signed_post(f"{stack.web_url}/webhook", secret,
                            payloads.text(user, "I want to talk to a real person"))
                expect(rows).to_have_count(1, timeout=20_000)
                to_console.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                              params=stack.rasa_auth, json={"sender": f"floor-{user}", "message":
                                    "I want to talk to a real person"}).raise_for_status()
                bare_turn.append((time.perf_counter() - started) * 1000)
                rows.get_by_role("button", name="Claim").click()
                text = f"Hello from the team, round {index}"
                page.get_by_label("Reply to the user").fill(text)
                clicked = time.time()
                page.get_by_role("button", name="Send", exact=True).click()
                deadline = time.monotonic() + 20
                while not _graph_times(stack, user, text) and time.monotonic() < deadline:
                    time.sleep(0.005)
                to_send_api.append((_graph_times(stack, user, text)[0] - clicked) * 1000)
                started = time.perf_counter()
                requests.post(f"{stack.graph_url}/v21.0/me/messages", timeout=10, json={
                    "recipient": {"id": f"floor-{user}"}, "messaging_type": "RESPONSE",
                    "message": {"text": text}}).raise_for_status()
                bare_send.append((time.perf_counter() - started) * 1000)
                page.get_by_role("button", name=re.compile("Resolve")).click()
                expect(page.get_by_role("heading", name=re.compile("Waiting"))).to_be_visible()
            browser.close()
    finally:
        stack.stop()
    return {"escalation_to_console_ms": _summary(to_console),
            "floor_bare_rasa_turn_ms": _summary(bare_turn),
            "moderator_send_to_send_api_ms": _summary(to_send_api),
            "floor_direct_send_api_call_ms": _summary(bare_send)}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 20), indent=1))
