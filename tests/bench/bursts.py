"""Bursts (issue 17): held-out messages written as 2-5 short lines, through the whole stack.

Each topic message of the held-out set (tests/eval, at least three words) is split at word
boundaries into 2-5 fragments, sent by a new user with gaps between lines drawn from
`GAPS_S`. Three ways, each with the same users' messages: the message whole (the reference),
the fragments with joining off (window 0), the fragments joined at each window. Scored from
what the Graph API stand-in received: the topic's answer among what was sent (in either
language), the last bubble belonging to it (nothing pushed it out of sight), bubbles per
burst. Then the latency a lone message gains: POST to its first bubble, window 0 vs each.

Run: python -m tests.bench.bursts [--per-language N] [--windows 1,2,3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import redis
import yaml
from khmernltk import word_tokenize

from bot.khmer_text import khmer_runs
from bot.project import ROOT
from bot.train import model_path
from tests.bench.nlu_eval import EVAL_DIR, LANGUAGES, load_examples
from tests.bench.serving import percentile
from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from tests.resilience.ledger import GraphLog
from tests.resilience.report import markdown_table, paragraph, write_section
from webhook import keys
from webhook.devstack import Stack
from webhook.pipeline.bursts import BurstWindow
from webhook.simulator import payloads

LOGS = ROOT / ".build" / "bench-logs"
SECTION = "Bursts of short messages (issue 17)"
GAPS_S = (0.3, 1.5)   # seconds between two lines of a burst (uniform): quick one-line writers
CONCURRENT = 12       # users writing at once
RULES = ROOT / "stories" / "topics.yml"


@dataclass
class Burst:
    """One held-out message as a user sends it, and what they received."""

    language: str
    intent: str
    whole: str
    fragments: list[str]
    gaps: list[float]
    expected: set[str] = field(default_factory=set)
    received: dict[str, list[str]] = field(default_factory=dict)


def topic_answers() -> dict[str, list[str]]:
    """intent -> the actions its rule answers with (the topics: one intent, then answers)."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]
    found = {}
    for rule in rules:
        steps = rule.get("steps", [])
        if steps and "intent" in steps[0] and all("action" in s for s in steps[1:]):
            found[steps[0]["intent"]] = [s["action"] for s in steps[1:]]
    return found


def word_starts(text: str) -> list[int]:
    """Where a user might break a line: after a space, or between two Khmer words."""
    starts = [i for i in range(1, len(text)) if text[i - 1].isspace() and not text[i].isspace()]
    for start, end in khmer_runs(text):
        position = start
        for word in word_tokenize(text[start:end]):
            position += len(word)
            if position < end:
                starts.append(position)
    return sorted(set(starts))


def split(text: str, rng: random.Random) -> list[str] | None:
    """`text` cut at 1-4 word boundaries into 2-5 fragments (None: fewer than three words)."""
    starts = word_starts(text)
    if len(starts) < 2:
        return None
    count = rng.randint(2, min(5, len(starts) + 1))
    cuts = sorted(rng.sample(starts, count - 1))
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return pieces if all(pieces) else None


def bursts(per_language: int, seed: int = 17) -> list[Burst]:
    """Topic messages of the held-out set, split, `per_language` of each language at most."""
    answers, rng, chosen = topic_answers(), random.Random(seed), []
    bubbles_of = {intent: {b for lang in ("en", "km") for action in actions
                           for b in bubbles(action, lang)} for intent, actions in answers.items()}
    for language in LANGUAGES:
        found = []
        for text, intent in load_examples(EVAL_DIR / f"{language}.yml"):
            fragments = split(text, rng) if intent in answers else None
            if fragments and len(fragments) >= 2:
                gaps = [rng.uniform(*GAPS_S) for _ in fragments[1:]]
                found.append(Burst(language, intent, text, fragments, gaps, bubbles_of[intent]))
        chosen += rng.sample(found, min(per_language, len(found)))
    return chosen


def send_all(fb: Messenger, items: list[Burst], key: str, whole: bool) -> None:
    """Each burst (or its message whole) from a new user, CONCURRENT users at once."""
    queue, lock = list(items), threading.Lock()

    def write(burst: Burst) -> None:
        """Each line posted at its time (start plus the gaps before it), from its own thread,
        so a slow POST does not widen the next gap (Meta delivers each message on its own)."""
        user = f"bench-burst-{uuid.uuid4().hex[:10]}"
        burst.received[key] = [user]  # the user first; replaced by what they received
        lines = [burst.whole] if whole else burst.fragments
        start, posts = time.time(), []
        for index, line in enumerate(lines):
            at = start + sum(burst.gaps[:index])
            time.sleep(max(0.0, at - time.time()))
            event = payloads.text(user, line, timestamp=int(at * 1000))
            posts.append(threading.Thread(target=fb.deliver, args=(event,)))
            posts[-1].start()
        for post in posts:
            post.join()

    def writer() -> None:
        while True:
            with lock:
                if not queue:
                    return
                burst = queue.pop()
            write(burst)

    threads = [threading.Thread(target=writer) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def settle(client: redis.Redis, graph: GraphLog, shards: int, quiet_s: float = 3.0) -> None:
    """Wait until the inbox is empty and nothing more was sent for `quiet_s`."""
    last, since = -1, time.monotonic()
    while True:
        graph.poll()
        count = len(graph.records)
        queued = sum(client.xlen(keys.inbox(shard)) for shard in range(shards))
        if count != last or queued:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            return
        time.sleep(0.5)


def run_way(stack: Stack, items: list[Burst], key: str, whole: bool, window: float) -> None:
    """Send every burst one way at `window`; keep what each user received under `key`."""
    client = redis.Redis.from_url(stack.redis_url)
    BurstWindow(0.0, client, adjustable=True).set(window)
    graph = GraphLog(stack.graph_url).start()
    send_all(Messenger(stack), items, key, whole)
    settle(client, graph, int(stack.environment().get("INBOX_SHARDS", "8")))
    graph.stop()
    received = graph.received()
    for burst in items:
        burst.received[key] = [line.text for line in received.get(burst.received[key][0], [])]
    print(f"[bursts] {key}: sample of what was received: " + json.dumps(
        [(b.fragments, b.received[key]) for b in items
         if b.received[key] and b.received[key][-1] not in b.expected][:3],
        ensure_ascii=False)[:3000], flush=True)


def score(items: list[Burst], key: str) -> dict[str, dict[str, float]]:
    """Per language: topic answered, topic answer last, bubbles per burst."""
    by_language: dict[str, list[Burst]] = defaultdict(list)
    for burst in items:
        by_language[burst.language].append(burst)
    table = {}
    for language, group in by_language.items():
        got = [burst.received[key] for burst in group]
        pairs = list(zip(group, got, strict=True))
        table[language] = {
            "n": len(group),
            "topic": statistics.mean(bool(b.expected & set(r)) for b, r in pairs),
            "last": statistics.mean(bool(r) and r[-1] in b.expected for b, r in pairs),
            "bubbles": statistics.mean(len(r) for r in got),
            "fragments": statistics.mean(len(b.fragments) for b in group)}
    return table


def lone_latency(stack: Stack, window: float, count: int) -> list[float]:
    """Seconds from the POST of a lone message to its first bubble (one user at a time)."""
    client, fb = redis.Redis.from_url(stack.redis_url), Messenger(stack)
    BurstWindow(0.0, client, adjustable=True).set(window)
    latencies = []
    for _ in range(count):
        user = f"bench-lone-{uuid.uuid4().hex[:10]}"
        posted = time.time()
        fb.deliver(payloads.text(user, "how do i make a strong password"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sent = [r for r in fb.graph_requests(user) if "message" in (r.get("json") or {})]
            if sent:
                latencies.append(sent[0]["time"] - posted)
                break
            time.sleep(0.02)
    return latencies


def run(per_language: int, windows: list[float], lone: int = 40) -> dict:
    """Every way and the lone-message latency, on a stack of its own."""
    items = bursts(per_language)
    stack = Stack(model=model_path(), workers=2, extra_env={"BURST_WINDOW_SECONDS": "0"})
    results = {}
    try:
        stack.start(log_dir=LOGS)
        ways = [("message whole", True, 0.0), ("fragments, not joined", False, 0.0)] + [
            (f"fragments, joined at {w:g} s", False, w) for w in windows]
        for name, whole, window in ways:
            run_way(stack, items, name, whole, window)
            results[name] = score(items, name)
            print(f"[bursts] {name}: {json.dumps(results[name])}", flush=True)
        latency = {window: lone_latency(stack, window, lone) for window in [0.0, *windows]}
    finally:
        stack.stop()
    return {"ways": results, "latency": latency, "bursts": len(items)}


ABOUT = (
    "`python -m tests.bench.bursts` (in `make bench`): the whole stack with 2 workers. Topic "
    "messages of the held-out set (tests/eval, at least three words) are cut at word "
    "boundaries (Khmer words by khmer-nltk) into 2-5 lines, sent by new users 12 at a time, "
    f"lines {GAPS_S[0]:g}-{GAPS_S[1]:g} s apart. Each way sends the same messages: whole (the "
    "reference), the lines with joining off, the lines joined at each window. \"Topic "
    "answered\": the topic's answer was among what the user received (either language); "
    "\"topic answer last\": the last bubble belongs to it (nothing pushed it out of sight); "
    "bubbles per burst: everything sent to that user. Then a lone message (one user at a "
    "time): seconds from the POST to its first bubble at window 0 and at each window.")


def markdown(result: dict) -> str:
    """The tables of docs/benchmarks.md section 10."""
    rows = []
    for name, table in result["ways"].items():
        for language, r in sorted(table.items()):
            rows.append([name, language, str(r["n"]), f"{r['fragments']:.1f}",
                         f"{r['topic']:.3f}", f"{r['last']:.3f}", f"{r['bubbles']:.1f}"])
    quality = markdown_table(rows, ["way", "language", "bursts", "fragments per burst",
                                    "topic answered", "topic answer last", "bubbles per burst"])
    base = result["latency"][0.0]
    p50, p99 = statistics.median, lambda values: percentile(values, 0.99)
    lat_rows = [[f"{w:g}", str(len(v)), f"{p50(v):.2f}", f"{p99(v):.2f}",
                 f"{p50(v) - p50(base):+.2f}", f"{p99(v) - p99(base):+.2f}"]
                for w, v in result["latency"].items()]
    latency = markdown_table(lat_rows, ["window (s)", "n", "p50 (s)", "p99 (s)",
                                        "added p50 (s)", "added p99 (s)"])
    return quality + "\n\n" + latency + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=40)
    parser.add_argument("--windows", default="1,2,3")
    parser.add_argument("--lone", type=int, default=40)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = run(args.per_language, [float(w) for w in args.windows.split(",")], args.lone)
    print(markdown(result))
    if args.write:
        write_section(SECTION, paragraph(ABOUT) + "\n\n" + markdown(result))
    out = ROOT / ".build" / "bench-bursts.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
