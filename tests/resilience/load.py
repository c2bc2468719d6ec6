"""`python -m tests.resilience.load [--users 1000 --messages 10000 --rate 30] [--short] [--write]`

Simulated users (half Khmer, half English) send their messages at a steady rate, one to three
users' messages per POST, and Meta redelivers some deliveries it already made. Counts lost,
doubled and out-of-order answers (all must be 0), acknowledgement latency (the webhook's
answer to each POST) and end-to-end latency (POST to the first bubble of the answer reaching
the Send API), and the resident memory of every process before and after, which must stay
within the bound in tests/resilience/memory.py. Prints tables; exits 1 on any failure;
--write puts them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import redis

from bot.train import model_path
from tests.bench.serving import percentile
from tests.resilience import memory
from tests.resilience.flow import sent_by_user
from tests.resilience.ledger import GraphLog, Notices, Tally, check
from tests.resilience.report import markdown_table, paragraph, write_section
from tests.resilience.texts import checked_phrases
from tests.resilience.traffic import Delivery, Message, MetaSender, SimUser, make_users
from webhook.devstack import Stack

LONG = {"users": 1000, "messages": 10_000, "rate": 30.0}
SHORT = {"users": 200, "messages": 1000, "rate": 25.0}
SECTION = "Load (issue 6)"
REDELIVER_SHARE = 0.05  # of POSTs, delivered again later with the same message ids
POOL = 16               # POSTs in flight at most
WARM_UP_USERS = 20


@dataclass
class LoadResult:
    """What one run measured."""

    users: int
    messages: int
    rate: float
    posts: int = 0
    redelivered: int = 0
    sending_s: float = 0.0
    draining_s: float = 0.0
    tally: Tally = field(default_factory=Tally)
    ack_ms: list[float] = field(default_factory=list)
    refused: int = 0
    e2e_ms: list[float] = field(default_factory=list)
    memory_start: dict[str, float] = field(default_factory=dict)
    memory_end: dict[str, float] = field(default_factory=dict)

    @property
    def over_bound(self) -> list[str]:
        return memory.over_bound(self.memory_start, self.memory_end, self.messages)

    @property
    def ok(self) -> bool:
        return (self.tally.clean and self.tally.answered == self.messages
                and not self.tally.resent and not self.over_bound and not self.refused)


class Load:
    """One load run on a running stack."""

    def __init__(self, stack: Stack, users: int, messages: int, rate: float,
                 seed: int = 6) -> None:
        self.stack, self.rate = stack, rate
        self.rng = random.Random(seed)
        self.sender = MetaSender(stack)
        self.client = redis.Redis.from_url(stack.redis_url)
        self.phrases = checked_phrases(stack.rasa_url, stack.rasa_auth)
        self.users = make_users(users, self.phrases, "load", seed)
        self.result = LoadResult(users, messages - messages % users, rate)
        self.deliveries: list[Future[Delivery]] = []

    def run(self, timeout_s: float = 1800) -> LoadResult:
        """Warm up, measure memory, send everything at the rate, wait for the answers, check."""
        graph = GraphLog(self.stack.graph_url).start()
        try:
            self._warm_up(graph)
            self.result.memory_start = memory.rss_mib(self.stack)
            started = time.monotonic()
            self._send_all()
            self.result.sending_s = time.monotonic() - started
            self._wait_for_answers(graph, timeout_s)
            self.result.draining_s = time.monotonic() - started - self.result.sending_s
        finally:
            graph.stop()
        self.result.memory_end = memory.rss_mib(self.stack)
        self._measure(graph)
        return self.result

    def _warm_up(self, graph: GraphLog) -> None:
        """A few conversations first, so memory is measured after the first-use allocations."""
        users = make_users(WARM_UP_USERS, self.phrases, "warm", seed=1)
        for _ in range(2):
            self.sender.deliver([user.next_message() for user in users])
        _wait_lines(graph, users, 120)

    def _send_all(self) -> None:
        """Every user's messages, round by round, at `rate` messages a second."""
        per_user = self.result.messages // len(self.users)
        order = [user for _ in range(per_user)
                 for user in self.rng.sample(self.users, len(self.users))]
        last: dict[str, Future[Delivery]] = {}
        accepted: list[list[Message]] = []
        start, sent = time.monotonic(), 0
        with ThreadPoolExecutor(POOL) as pool:
            while sent < len(order):
                batch = _distinct(order[sent:sent + self.rng.choice((1, 2, 3))])
                time.sleep(max(0.0, start + sent / self.rate - time.monotonic()))
                for user in batch:  # a user's next message only after the last was accepted
                    if user.psid in last:
                        last[user.psid].result()
                messages = [user.next_message() for user in batch]
                future = pool.submit(self.sender.deliver, messages)
                self.deliveries.append(future)
                last.update({user.psid: future for user in batch})
                accepted.append(messages)
                sent += len(batch)
                if self.rng.random() < REDELIVER_SHARE and len(accepted) > 10:
                    again = accepted[self.rng.randrange(len(accepted) - 10)]
                    self.deliveries.append(pool.submit(self.sender.deliver, again, True))
                    self.result.redelivered += 1
        self.result.posts = len(self.deliveries)

    def _wait_for_answers(self, graph: GraphLog, timeout_s: float) -> None:
        _wait_lines(graph, self.users, timeout_s)
        time.sleep(2.0)  # late doubles would arrive now

    def _measure(self, graph: GraphLog) -> None:
        deliveries = [future.result() for future in self.deliveries]
        self.result.ack_ms = [d.ack_ms for d in deliveries if d.ack_ms is not None]
        self.result.refused = sum(len(d.refusals) for d in deliveries)
        tally = check(sent_by_user(self.users), graph.received(), self.client, Notices())
        self.result.tally = tally
        self.result.e2e_ms = [(tally.answer_times[m.mid] - m.posted) * 1000
                              for user in self.users for m in user.sent
                              if m.mid in tally.answer_times]


def _distinct(users: list[SimUser]) -> list[SimUser]:
    """The users up to the first one that repeats (a POST carries one message per user)."""
    seen: list[SimUser] = []
    for user in users:
        if user in seen:
            break
        seen.append(user)
    return seen


def _wait_lines(graph: GraphLog, users: list[SimUser], timeout_s: float) -> None:
    """Until the users received at least as many bubbles as their answers have."""
    expected = sum(len(m.phrase.bubbles) for user in users for m in user.sent)
    names = {user.psid for user in users}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        received = graph.received()
        if sum(len(received.get(name, [])) for name in names) >= expected:
            return
        time.sleep(1.0)


def tables(result: LoadResult) -> str:
    """The run's figures as markdown tables."""
    t = result.tally
    sent_rate = result.messages / result.sending_s if result.sending_s else 0.0
    rows = [
        ["users, messages", f"{result.users:,}, {result.messages:,}"],
        ["POSTs (1–3 users' messages each), of which redeliveries",
         f"{result.posts:,}, {result.redelivered}"],
        ["rate asked / achieved (messages per second)", f"{result.rate:g} / {sent_rate:.1f}"],
        ["sending, then draining the rest (s)",
         f"{result.sending_s:.0f}, {result.draining_s:.0f}"],
        ["answered exactly once", f"{t.answered:,} / {result.messages:,}"],
        ["lost / doubled / bubbles re-sent / out of order",
         f"{t.lost} / {t.duplicated} / {t.resent} / {t.out_of_order}"],
        ["anything else received; transcript errors",
         f"{t.unexpected}; {t.not_recorded + t.recorded_twice}"],
        ["deliveries refused (non-200)", str(result.refused)],
        ["acknowledgement ms, p50 / p99 / max", _spread(result.ack_ms)],
        ["end to end ms (POST to first bubble), p50 / p99 / max", _spread(result.e2e_ms)],
    ]
    return (markdown_table(rows, ["what", "figure"]) + "\n\n"
            + markdown_table(_memory_rows(result), ["process", "start MiB", "end MiB",
                                                    "growth MiB", "bound MiB", "within"]))


def _spread(values: list[float]) -> str:
    if not values:
        return "–"
    return (f"{statistics.median(values):,.1f} / {percentile(values, 0.99):,.1f} / "
            f"{max(values):,.0f}")


def _memory_rows(result: LoadResult) -> list[list[str]]:
    rows = []
    for name, start in result.memory_start.items():
        end = result.memory_end.get(name, float("nan"))
        bound = "–" if name in memory.NOT_BOUND else \
            f"{memory.allowed_growth(name, start, result.messages):.0f}"
        within = "–" if name in memory.NOT_BOUND else \
            ("no" if name in result.over_bound else "yes")
        rows.append([name, f"{start:.0f}", f"{end:.0f}", f"{end - start:+.0f}", bound, within])
    return rows


def run(stack: Stack, users: int, messages: int, rate: float) -> LoadResult:
    """One load run on a running stack."""
    return Load(stack, users, messages, rate).run()


def main(argv: list[str] | None = None) -> int:
    """Start a stack, run the load, print the tables; 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true",
                        help=f"the form `make test` runs: {SHORT}")
    parser.add_argument("--users", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--rate", type=float, help="messages per second")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    form = {**(SHORT if args.short else LONG),
            **{k: v for k, v in vars(args).items() if k in LONG and v is not None}}
    with Stack(model=model_path(), workers=2) as stack:
        result = run(stack, form["users"], form["messages"], form["rate"])
    print(tables(result))
    if args.write:
        write_section(SECTION, markdown(result))
    print("\nload: " + ("pass" if result.ok else "FAIL"))
    return 0 if result.ok else 1


def markdown(result: LoadResult) -> str:
    """The benchmarks.md section."""
    about = (
        f"`python -m tests.resilience.load --users {result.users} --messages "
        f"{result.messages} --rate {result.rate:g}` (in `make bench`; `make test` runs "
        f"{SHORT['users']} users, {SHORT['messages']:,} messages on its shared stack): the "
        "whole stack with 2 workers and one Rasa server; half the users write Khmer, half "
        f"English; {REDELIVER_SHARE:.0%} of POSTs are delivered again later. The rate is "
        "below what one Rasa server answers (about 30–50 messages a second), so latency shows "
        f"the pipeline, not a growing queue. Memory is measured after {WARM_UP_USERS * 2} "
        "warm-up messages and after the run; each process may grow by "
        f"{memory.GROWTH_SHARE:.0%} of its start or {memory.GROWTH_MIB:.0f} MiB, whichever is "
        f"larger, and Redis by {memory.REDIS_KIB_PER_MESSAGE} KiB more per message for the "
        "trackers and transcripts it must keep (the Graph stand-in, the test's own fake "
        "Facebook, is not bound).")
    return paragraph(about) + "\n\n" + tables(result) + "\n"


if __name__ == "__main__":
    sys.exit(main())
