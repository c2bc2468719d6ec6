"""Long conversations (issue 16): does a turn cost the same whatever the history?

Through the whole pipeline (signed webhook, inbox, worker, Rasa, /nlg, Graph API stand-in):
- one user's turn latency at messages 1-20, 100-120, 300-320 and 1,000-1,020, each timed turn
  followed by a fresh user's turn in the same run (the baseline);
- the bytes Rasa stores for that user after 20, 300 and 1,000 messages;
- the throughput of the whole helpline: 100 users who each have 300 messages of history write 3
  messages each at once, against 100 new users doing the same.
The 300-message histories of the 100 users are written through Rasa's tracker API (the same
tracker store save as a turn), not 30,000 pipeline turns, which would take an hour here.
Run: python -m tests.bench.long_conversation
"""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import redis
import requests

from bot.train import model_path
from tests.bench.messenger import LOGS, graph_messages, last_seq, signed_post, wait_answers
from webhook import keys
from webhook.devstack import Stack
from webhook.simulator import payloads

WINDOWS = ((1, 20), (100, 120), (300, 320), (1000, 1020))
STORED_AFTER = (20, 300, 1000)
FILL_BATCH = 25
TEXT = "thanks"  # one short answer (utter_thank): the cost measured is the pipeline's


class Pipeline:
    """Signed deliveries to one stack, and waiting for their answers at the stand-in."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.secret = stack.secrets["FB_APP_SECRET"]

    def deliver(self, user: str, count: int) -> None:
        start = payloads.now_ms()
        events = [payloads.text(user, TEXT, timestamp=start + i) for i in range(count)]
        for first in range(0, count, FILL_BATCH):
            raw, headers = payloads.encode(payloads.body(*events[first:first + FILL_BATCH]),
                                           self.secret)
            requests.post(f"{self.stack.web_url}/webhook", data=raw, headers=headers,
                          timeout=30).raise_for_status()

    def timed_turn(self, user: str) -> float:
        """Milliseconds from the webhook POST to the answer's Send API call."""
        since = last_seq(self.stack)
        started = time.perf_counter()
        signed_post(f"{self.stack.web_url}/webhook", self.secret, payloads.text(user, TEXT))
        while not [m for m in graph_messages(self.stack, since) if _to(m) == user]:
            time.sleep(0.005)
        return (time.perf_counter() - started) * 1000

    def fill(self, user: str, count: int) -> None:
        """`count` more messages of `user`, answered before returning."""
        since = last_seq(self.stack)
        self.deliver(user, count)
        wait_answers(self.stack, since, count)


def _to(message: dict) -> str:
    return ((message.get("json") or {}).get("recipient") or {}).get("id", "")


def latency_and_size(pipeline: Pipeline, client: redis.Redis) -> tuple[list[dict], dict]:
    user, done = f"long-{uuid.uuid4().hex[:8]}", 0
    rows, stored = [], {}
    for first, last in WINDOWS:
        if first - 1 > done:
            pipeline.fill(user, first - 1 - done)
            done = first - 1
        long_ms, fresh_ms = [], []
        for _ in range(first, last + 1):
            long_ms.append(pipeline.timed_turn(user))
            fresh_ms.append(pipeline.timed_turn(f"fresh-{uuid.uuid4().hex[:8]}"))
            done += 1
            if done in STORED_AFTER:
                stored[done] = client.strlen(keys.rasa_tracker(user))
        rows.append({"messages": f"{first}-{last}", "p50_ms": statistics.median(long_ms),
                     "fresh_p50_ms": statistics.median(fresh_ms),
                     "ratio": statistics.median(long_ms) / statistics.median(fresh_ms)})
    return rows, stored


def with_history(stack: Stack, users: int, messages: int) -> list[str]:
    """`users` users whose Rasa trackers hold `messages` turns (appended through Rasa's API)."""
    names = [f"hist-{uuid.uuid4().hex[:8]}" for _ in range(users)]
    events = [{"event": "action", "name": "action_session_start"},
              {"event": "session_started"}, {"event": "action", "name": "action_listen"}]
    for _ in range(messages):
        events += [{"event": "user", "text": TEXT, "parse_data": {
                        "intent": {"name": "thank", "confidence": 0.99}, "text": TEXT},
                    "metadata": {"language": "en"}},
                   {"event": "action", "name": "utter_thank"},
                   {"event": "bot", "text": "You're welcome! 😊 Stay safe online."},
                   {"event": "action", "name": "action_listen"}]
    for name in names:
        requests.post(f"{stack.rasa_url}/conversations/{name}/tracker/events",
                      json=events, timeout=120).raise_for_status()
    return names


def throughput(stack: Stack, names: list[str], per_user: int = 3) -> dict:
    """All `names` write `per_user` messages at once: messages per second until answered."""
    since = last_seq(stack)
    secret = stack.secrets["FB_APP_SECRET"]
    started = time.time()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for step in range(per_user):
            events = [payloads.text(user, TEXT, timestamp=payloads.now_ms() + step)
                      for user in names]
            list(pool.map(lambda e: signed_post(f"{stack.web_url}/webhook", secret, e), events))
    sent = wait_answers(stack, since, len(names) * per_user)
    seconds = max(message["time"] for message in sent) - started
    return {"messages": len(names) * per_user, "seconds": round(seconds, 1),
            "per_second": round(len(names) * per_user / seconds, 1)}


def main() -> dict:
    """Run everything on a stack of its own (no per-user rate limit); print nothing."""
    stack = Stack(model=model_path(), workers=2,
                  extra_env={"RATE_LIMIT_MESSAGES": "0"}).start(log_dir=LOGS)
    try:
        client = redis.Redis.from_url(stack.redis_url)
        rows, stored = latency_and_size(Pipeline(stack), client)
        history = with_history(stack, 100, 300)
        stored["300 (written through the API)"] = client.strlen(keys.rasa_tracker(history[0]))
        fresh = [f"new-{uuid.uuid4().hex[:8]}" for _ in range(100)]
        return {"latency": rows, "stored_bytes": stored,
                "throughput_with_history": throughput(stack, history),
                "throughput_new_users": throughput(stack, fresh)}
    finally:
        stack.stop()


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=1, ensure_ascii=False))
