"""`python -m tests.resilience.replicas [--short] [--write]`: several Rasa servers.

1. Outage: with two Rasa replicas, users (half Khmer, half English) write all along while
   replica 2 is stopped and started again. Every message must be answered exactly once, in
   order per user; the users routed to replica 2 are answered by replica 1 once the failover
   patience (RASA_FAILOVER_SECONDS) has passed, and by replica 2 again once it is back.
2. Capacity (long form only): the same burst of messages, sent faster than the stack can
   answer, to a stack with one replica and then with two, in one run; messages answered per
   second, the CPU seconds each process used, and a bare Rasa turn as the floor.

Exits 1 on any failure; --write puts the tables in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

import psutil
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.project import ROOT
from bot.train import model_path
from tests.bench.serving import percentile
from tests.resilience import load
from tests.resilience.flow import Flow, settle
from tests.resilience.ledger import GraphLog, Notices, Tally
from tests.resilience.report import markdown_table, paragraph, write_section
from tests.resilience.texts import checked_phrases
from tests.resilience.traffic import MetaSender, make_users
from webhook.devstack import Stack

LOGS = ROOT / ".build" / "resilience-logs"
SECTION = "Several Rasa servers (issue 14)"
FAILOVER_S = 3.0


@dataclass
class Outage:
    """What the outage scenario saw."""

    users: int
    down_s: float
    tally: Tally = field(default_factory=Tally)
    expected: int = 0
    calls_before: dict[str, float] = field(default_factory=dict)
    calls_after: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def moved(self, replica: str, result: str) -> float:
        key = f"{replica}:{result}"
        return self.calls_after.get(key, 0.0) - self.calls_before.get(key, 0.0)

    @property
    def checks(self) -> dict[str, bool]:
        return {
            "both replicas answered": self.moved("0", "ok") > 0 and self.moved("1", "ok") > 0,
            "replica 2's failures seen (it was down)": self.moved("1", "error") > 0,
        }

    @property
    def ok(self) -> bool:
        return self.tally.clean and self.tally.answered == self.expected and \
            not self.tally.resent and all(self.checks.values())


def rasa_calls(stack: Stack) -> dict[str, float]:
    """helpline_rasa_requests_total by "replica:result", from the web app's /metrics."""
    text = requests.get(f"{stack.web_url}/metrics", timeout=10).text
    calls: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "helpline_rasa_requests":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    key = f"{sample.labels['replica']}:{sample.labels['result']}"
                    calls[key] = calls.get(key, 0.0) + sample.value
    return calls


def outage(stack: Stack, users: int = 8, per_user: int = 6, down_s: float = 8.0,
           log_dir: object = None) -> Outage:
    """Stop replica 2 while users write, start it again; check every answer."""
    if len(stack.rasa_urls) < 2:
        raise ValueError("the stack needs two Rasa replicas (rasa_replicas=2)")
    started = time.monotonic()
    result = Outage(users, down_s, calls_before=rasa_calls(stack))
    people = make_users(users, checked_phrases(stack.rasa_url, stack.rasa_auth), "replica")
    graph = GraphLog(stack.graph_url)
    flow = Flow(MetaSender(stack), people, per_user=per_user,
                interval=(down_s + 12.0) / per_user)
    flow.start()
    time.sleep(1.0)
    stack.stop_service(Stack.rasa_name(1), kill=True)  # at once: no graceful shutdown (faults.py)
    try:
        time.sleep(down_s)
    finally:
        stack.start_rasa_replica(1, log_dir)
    flow.join()
    client = redis.Redis.from_url(stack.redis_url)
    result.tally = settle(graph, client, people, Notices(), timeout=120)
    result.expected = sum(1 for user in people for m in user.sent if m.expect_answer)
    result.calls_after = rasa_calls(stack)
    result.seconds = time.monotonic() - started
    return result


@dataclass
class Capacity:
    """One stack's sustained rate."""

    replicas: int
    messages: int
    seconds: float
    cpu_s: dict[str, float]
    ok: bool

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU seconds (user + system) each process of the stack used so far, children included."""
    used = {}
    for name, process in stack.processes.items():
        try:
            parent = psutil.Process(process.pid)
            every = [parent, *parent.children(recursive=True)]
            used[name] = sum(p.cpu_times().user + p.cpu_times().system for p in every)
        except psutil.Error:
            used[name] = 0.0
    return used


def capacity(replicas: int, messages: int, rate: float) -> Capacity:
    """Start a stack with `replicas` Rasa servers, send `messages` at `rate`, time the lot."""
    with Stack(model=model_path(), workers=2, rasa_replicas=replicas,
               extra_env={"RASA_FAILOVER_SECONDS": f"{FAILOVER_S:g}"}) as stack:
        stack_start = cpu_seconds(stack)
        run = load.Load(stack, users=200, messages=messages, rate=rate)
        result = run.run()
        used = cpu_seconds(stack)
    seconds = result.sending_s + result.draining_s
    cpu = {name: used.get(name, 0.0) - stack_start.get(name, 0.0) for name in used}
    return Capacity(replicas, result.messages, seconds, cpu, result.ok)


def bare_rasa_turn_ms(stack_url: str, auth: dict[str, str], turns: int = 200) -> list[float]:
    """A turn straight to Rasa's REST channel, one after another (the floor; `auth`: the
    token's query parameter)."""
    times = []
    for n in range(turns):
        started = time.perf_counter()
        requests.post(f"{stack_url}/webhooks/rest/webhook", timeout=30, params=auth,
                      json={"sender": f"bare-{n % 20}", "message": "how do I make a strong "
                            "password?"}).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


def outage_table(result: Outage) -> str:
    """The outage scenario as a markdown table."""
    t = result.tally
    calls = ", ".join(f"replica {int(r) + 1} {res} {result.moved(r, res):.0f}"
                      for r in "01" for res in ("ok", "error"))
    checks = "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in result.checks.items())
    return markdown_table([[f"replica 2 stopped {result.down_s:g} s, then started again",
                            f"{t.answered}/{result.expected}", str(t.lost), str(t.duplicated),
                            str(t.out_of_order), calls, checks,
                            "pass" if result.ok else "FAIL"]],
                          ["fault", "answered once", "lost", "doubled", "out of order",
                           "Rasa calls", "checks", "result"])


def capacity_table(runs: list[Capacity], floor_ms: list[float]) -> str:
    """Sustained rates and where the CPU went."""
    rows = []
    for run in runs:
        busiest = sorted(run.cpu_s.items(), key=lambda item: -item[1])[:4]
        where = ", ".join(f"{name} {seconds / run.seconds:.2f}" for name, seconds in busiest)
        rows.append([str(run.replicas), str(run.messages), f"{run.seconds:.1f}",
                     f"{run.rate:.1f}", where, "yes" if run.ok else "NO"])
    table = markdown_table(rows, ["Rasa replicas", "messages", "s", "answered per s",
                                  "CPU cores used (busiest processes)", "all answered once"])
    return table + (f"\n\nBare Rasa turn in the same run (REST channel, one at a time): p50 "
                    f"{percentile(floor_ms, 0.5):.0f} ms, p99 {percentile(floor_ms, 0.99):.0f} ms "
                    f"= at most {1000 / percentile(floor_ms, 0.5):.0f} turns per second per "
                    "replica with one client.")


def main(argv: list[str] | None = None) -> int:
    """Run the outage scenario (and, unless --short, the capacity comparison)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the outage scenario only")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=120.0, help="above what one stack answers")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    stack = Stack(model=model_path(), workers=2, rasa_replicas=2,
                  extra_env={"RASA_FAILOVER_SECONDS": f"{FAILOVER_S:g}"})
    try:
        stack.start(log_dir=LOGS)
        result = outage(stack, log_dir=LOGS)
        floor = bare_rasa_turn_ms(stack.rasa_url, stack.rasa_auth)
    finally:
        stack.stop()
    print(outage_table(result))
    sections = [outage_table(result)]
    if not args.short:
        runs = [capacity(replicas, args.messages, args.rate) for replicas in (1, 2)]
        print(capacity_table(runs, floor))
        sections.append(capacity_table(runs, floor))
    if args.write:
        write_section(SECTION, paragraph(__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0])
                      + "\n\n" + "\n\n".join(sections) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
