"""Guided steps: how many turns a user needs to reach the steps of their case, per tree, and
what a step turn costs against a plain turn, measured through the whole stack in one run.

- turns to the steps: from the published trees, every path from the first step to a step that
  gives the steps (a step whose only ways on are a person or leaving the tree), counting the
  user's first message and each tap (the government tree is entered by one more tap, from the
  rights answer);
- latency, webhook POST to the first Send API message, interleaved in the same run: plain
  turns through Rasa (a first message on a topic, then "thank you"), a step turn (a tap inside
  a tree: no Rasa), the turn that starts a tree (Rasa and the first step; against the plain
  first message) and "thank you" typed in the middle of a tree (Rasa, then the offer to
  continue; against the plain "thank you").
Run: python -m tests.bench.guides
"""

from __future__ import annotations

import json
import statistics
import time
import uuid

from bot.project import RESPONSES, ROOT
from bot.train import model_path
from tests.bench.messenger import graph_messages, last_seq, signed_post, summary
from webhook.content.loader import load_folder
from webhook.devstack import Stack
from webhook.guides.tree import PERSON, Tree, trees
from webhook.simulator import payloads

LOGS = ROOT / ".build" / "bench-logs"
HACKED = "someone hacked my facebook and changed my password"
PLAIN_FIRST = "how do i make a strong password"  # a topic answer of three bubbles, no tree
ENTRY_TAPS = {"gov_service": 1}  # reached from the rights answer's "I have a problem"


def turns_to_steps() -> dict[str, dict[str, float]]:
    """Per tree: turns (first message + taps) to each step that gives the steps."""
    result = {}
    for name, tree in sorted(trees(load_folder(RESPONSES).responses).items()):
        depths = _leaf_depths(tree)
        turns = [1 + ENTRY_TAPS.get(name, 0) + depth for depth in depths]
        result[name] = {"steps_given": len(turns), "min": min(turns),
                        "median": statistics.median(turns), "max": max(turns)}
    return result


def _leaf_depths(tree: Tree) -> list[int]:
    depths, todo = [], [(tree.start, 0, (tree.start,))]
    while todo:
        name, depth, seen = todo.pop()
        onward = [o.target for o in tree.steps[name].options("en")
                  if o.target != PERSON and o.target not in seen]
        if not onward:
            depths.append(depth)
        todo += [(target, depth + 1, (*seen, target)) for target in onward]
    return depths


class Timer:
    """Signed deliveries to the stack, timed to the first Send API message for the user."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.secret = stack, stack.secrets["FB_APP_SECRET"]

    def turn(self, event: dict, answers: int) -> float:
        """Deliver `event`; milliseconds to its first message; waits for all `answers`."""
        user, since = event["sender"]["id"], last_seq(self.stack)
        posted = time.time()
        signed_post(f"{self.stack.web_url}/webhook", self.secret, event)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            mine = [m for m in graph_messages(self.stack, since) if m["recipient"] == user]
            if len(mine) >= answers:
                return (mine[0]["time"] - posted) * 1000
            time.sleep(0.02)
        raise RuntimeError(f"no answer for {user}")

    def payload_of(self, user: str, title: str) -> str:
        sent = [m for m in graph_messages(self.stack) if m["recipient"] == user]
        replies = sent[-1]["json"]["message"]["quick_replies"]
        return next(reply["payload"] for reply in replies if reply["title"] == title)


def latency(stack: Stack, rounds: int = 40) -> dict[str, dict[str, float]]:
    """The four kinds of turn, interleaved round by round."""
    timer = Timer(stack)
    found: dict[str, list[float]] = {kind: [] for kind in (
        "plain_first", "plain", "start", "step", "typed_midway")}
    for _ in range(rounds):
        plain_user, user = f"gb-{uuid.uuid4().hex[:10]}", f"gw-{uuid.uuid4().hex[:10]}"
        found["plain_first"].append(timer.turn(payloads.text(plain_user, PLAIN_FIRST), 3))
        found["plain"].append(timer.turn(payloads.text(plain_user, "thank you"), 1))
        found["start"].append(timer.turn(payloads.text(user, HACKED), 3))
        tap = payloads.quick_reply(user, "No, I can't", timer.payload_of(user, "No, I can't"))
        found["step"].append(timer.turn(tap, 1))
        found["typed_midway"].append(timer.turn(payloads.text(user, "thank you"), 2))
    result = {kind: summary(values) for kind, values in found.items()}
    for kind, baseline in (("start", "plain_first"), ("step", "plain"), ("typed_midway", "plain")):
        result[kind][f"added_p50_vs_{baseline}"] = result[kind]["p50"] - result[baseline]["p50"]
    return result


def main() -> dict:
    """Both measurements; print JSON."""
    results: dict = {"turns_to_steps": turns_to_steps()}
    stack = Stack(model=model_path(), workers=2,
                  extra_env={"RATE_LIMIT_MESSAGES": "0"}).start(log_dir=LOGS)
    try:
        for _ in range(3):  # warm Rasa and the workers
            Timer(stack).turn(payloads.text(f"warm-{uuid.uuid4().hex[:8]}", "thank you"), 1)
        results["latency_ms"] = latency(stack)
    finally:
        stack.stop()
    print(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
