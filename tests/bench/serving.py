"""Reply latency and memory of the running stack: a whole turn against bare NLU parsing.

A turn through Rasa's REST channel includes the dialogue policies and one /nlg call per
answer; /model/parse is the NLU alone (the floor).
Run: python -m tests.bench.serving [TURNS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid

import psutil
import requests

from bot.train import model_path
from webhook.devstack import Stack

MESSAGES = [
    "is this message a scam", "ខ្ញុំត្រូវគេបោកលុយ", "facebook khnhom trov ke hack",
    "how do i make a strong password", "ធ្វើម៉េចលាក់លេខទូរស័ព្ទនៅលើ facebook",
    "someone keeps threatening me", "what are digital rights", "hello",
]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _timed_post(url: str, body: dict, params: dict[str, str]) -> float:
    started = time.perf_counter()
    requests.post(url, json=body, params=params, timeout=30).raise_for_status()
    return (time.perf_counter() - started) * 1000


def measure(stack: Stack, turns: int) -> dict[str, dict[str, float]]:
    """Milliseconds per whole turn and per parse, same messages, same run."""
    turn_ms, parse_ms = [], []
    for index in range(turns):
        text = MESSAGES[index % len(MESSAGES)]
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        turn_ms.append(_timed_post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                   {"sender": sender, "message": text}, stack.rasa_auth))
        parse_ms.append(_timed_post(f"{stack.rasa_url}/model/parse", {"text": text},
                                    stack.rasa_auth))
    summary = {}
    for name, values in (("whole turn (REST + policies + /nlg)", turn_ms),
                         ("NLU parse only", parse_ms)):
        summary[name] = {"p50": statistics.median(values), "p95": percentile(values, 0.95),
                         "max": max(values)}
    return summary


def memory_mb(stack: Stack) -> dict[str, float]:
    """Resident memory of each service, children included (gunicorn workers)."""
    result = {}
    for name, process in stack.processes.items():
        parent = psutil.Process(process.pid)
        members = [parent, *parent.children(recursive=True)]
        result[name] = sum(p.memory_info().rss for p in members) / 2**20
    return result


def main(turns: int = 200) -> dict:
    """Start the stack, warm it up, measure, stop."""
    with Stack(model=model_path()) as stack:
        started = time.monotonic()
        measure(stack, 10)  # warm-up
        result = {"latency_ms": measure(stack, turns), "memory_mb": memory_mb(stack),
                  "turns": turns, "seconds": time.monotonic() - started}
    return result


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200), indent=1))
