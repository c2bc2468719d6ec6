"""`python -m tests.resilience.faults --short|--long [--write]`: crashes and outages while
Khmer and English users write.

1. a worker killed with SIGKILL while it holds entries (the Graph stand-in answers slowly, so
   answers are half sent), and a new one started;
2. Redis killed with SIGKILL and started again on its append-only file: meanwhile the webhook
   answers 503 and the sender redelivers, as Meta does;
3. Rasa stopped, killed outright (plus the seconds it takes to load the model again);
4. the Graph API answering 500 and 613 for a while, then 551 for one user;
5. a worker killed with SIGKILL while it holds fragments of users' bursts (burst_faults.py).

After each: every message answered exactly once, in order per user, nothing else received,
each message once in the transcript; users kept waiting past RASA_PATIENCE_SECONDS told once,
in their language; the 551 user's conversation records the error and nothing more reached them.
Prints a table; exits 1 on any failure. --write puts the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

from bot.project import ROOT
from bot.train import model_path
from tests.resilience.burst_faults import burst_killed
from tests.resilience.flow import Flow, settle
from tests.resilience.ledger import GraphLog, Notices, Tally
from tests.resilience.report import markdown_table, paragraph, write_section
from tests.resilience.texts import checked_phrases
from tests.resilience.traffic import MetaSender, SimUser, make_users
from webhook import keys
from webhook.devstack import Stack
from webhook.redis_text import as_text

LOGS = ROOT / ".build" / "resilience-logs"
SECTION = "Fault suite (issue 6)"
RETRY_MAX_S = 8.0       # the worker's longest wait between two tries of a shard
RASA_RELOAD_S = 10.0    # about how long Rasa takes to load the model again
# users of the other scenarios write a second apart: a short window keeps their messages
# apart (as on the tests' shared stack); the burst scenario sets the production window
OTHER_WINDOW_S = "0.3"


@dataclass(frozen=True)
class Profile:
    """How hard each scenario pushes."""

    name: str
    users: int
    redis_down_s: float
    rasa_down_s: float
    graph_errors_s: float
    patience_s: float  # RASA_PATIENCE_SECONDS of the stack this command starts
    settle_s: float = 120.0


SHORT = Profile("short", users=8, redis_down_s=2, rasa_down_s=8, graph_errors_s=4,
                patience_s=3)
LONG = Profile("long", users=16, redis_down_s=5, rasa_down_s=30, graph_errors_s=15,
               patience_s=15)


@dataclass
class Result:
    """One scenario's outcome."""

    scenario: str
    fault: str
    tally: Tally | None = None
    expected: int = 0
    checks: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: str = ""
    resent_allowed: int = 0  # bubbles a killed worker may have had in flight


    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        return bool(self.tally and self.tally.clean and self.tally.answered == self.expected
                    and self.tally.resent <= self.resent_allowed and all(self.checks.values()))


class Suite:
    """The scenarios, run one after the other on one running stack."""

    def __init__(self, stack: Stack, profile: Profile, log_dir: Path | None = None) -> None:
        self.stack, self.profile, self.log_dir = stack, profile, log_dir
        self.client = redis.Redis.from_url(stack.redis_url)
        self.sender = MetaSender(stack)
        self.phrases = checked_phrases(stack.rasa_url, stack.rasa_auth)
        self.notices = Notices()
        self.patience = float(stack.environment().get("RASA_PATIENCE_SECONDS", "15"))

    def run_all(self, only: str | None = None) -> list[Result]:
        """Every scenario (or the one named `only`), in order; faults are cleared whatever
        happens."""
        scenarios = {"worker_killed": self.worker_killed, "redis_restarted": self.redis_restarted,
                     "rasa_stopped": self.rasa_stopped, "graph_errors": self.graph_errors,
                     "burst_killed": lambda: burst_killed(self)}
        try:
            return [self._timed(scenario) for name, scenario in scenarios.items()
                    if only in (None, name)]
        finally:
            self._clear_faults()

    def _timed(self, scenario) -> Result:  # noqa: ANN001
        started = time.monotonic()
        result = scenario()
        result.seconds = time.monotonic() - started
        print(f"[faults] {result.scenario}: {'pass' if result.ok else 'FAIL'} "
              f"({result.seconds:.0f} s)", flush=True)
        return result

    # --- scenarios ------------------------------------------------------------------------
    def worker_killed(self) -> Result:
        users, graph = self._users("kill"), GraphLog(self.stack.graph_url)
        flow = Flow(self.sender, users, per_user=5, interval=1.0)
        flow.start()
        time.sleep(1.0)
        self._graph_fault(code=None, delay=0.2, times=60)  # slow sends: answers half sent
        victim = next(name for name in self.stack.processes if name.startswith("worker"))
        midway = self._wait_mid_answer(victim)
        self.stack.stop_service(victim, kill=True)
        self.stack.start_worker(f"worker-{uuid.uuid4().hex[:6]}", self.log_dir)
        flow.join()
        self._clear_faults()
        where = f"{midway[0]} of {midway[1]} bubbles of an answer sent" if midway else "?"
        result = self.result("worker killed", f"SIGKILL of {victim} with {where}; a new "
                              "worker started", users, graph,
                              {"killed mid-answer": midway is not None})
        result.resent_allowed = 1  # the Send API call in flight at the kill may have arrived
        return result

    def redis_restarted(self) -> Result:
        fault = (f"Redis killed (SIGKILL), started again on its append-only file after "
                 f"{self.profile.redis_down_s:g} s")
        if not self.stack.owns_redis:
            return Result("Redis restarted", fault, skipped="REDIS_URL is external")
        users, graph = self._users("redis"), GraphLog(self.stack.graph_url)
        flow = Flow(self.sender, users, per_user=6, interval=1.0)
        flow.start()
        time.sleep(1.5)
        self.stack.restart_redis(down_seconds=self.profile.redis_down_s, kill=True)
        flow.join()
        result = self.result("Redis restarted", fault, users, graph, {})
        refusals = flow.refusals()
        result.fault += f"; {len(refusals)} deliveries refused and redelivered"
        result.checks = {
            "the webhook answered 503 while Redis was down": 503 in refusals,
            "every process still running": all(
                process.poll() is None for process in self.stack.processes.values()),
        }
        return result

    def rasa_stopped(self) -> Result:
        users, graph = self._users("rasa"), GraphLog(self.stack.graph_url)
        rounds = 6
        flow = Flow(self.sender, users, per_user=rounds,
                    interval=(self.profile.rasa_down_s + RASA_RELOAD_S) / rounds)
        flow.start()
        time.sleep(0.5)
        stopped = time.monotonic()
        # SIGKILL: a plain stop lets Rasa finish its graceful shutdown first, and it keeps
        # answering the workers' kept-alive connections for up to 15 s meanwhile, so the
        # outage would start at a random moment (or after the users had all written)
        self.stack.stop_service("rasa", kill=True)
        try:
            time.sleep(self.profile.rasa_down_s)
        finally:
            self.stack.start_rasa(self.log_dir)
        outage = time.monotonic() - stopped
        flow.join()
        fault = (f"Rasa killed (SIGKILL) for {self.profile.rasa_down_s:g} s, answering again after "
                 f"{outage:.0f} s (patience {self.patience:g} s)")
        result = self.result("Rasa stopped", fault, users, graph, {})
        result.checks = self._told_checks(users, result.tally)
        return result

    def graph_errors(self) -> Result:
        users, graph = self._users("graph"), GraphLog(self.stack.graph_url)
        refused = users[0]
        flow = Flow(self.sender, users, per_user=4, interval=1.0)
        flow.start()
        time.sleep(0.5)
        self._graph_errors_for(self.profile.graph_errors_s)
        flow.join()
        settle(graph, self.client, users, self.notices, self.profile.settle_s)
        self._graph_fault(code=551, recipient=refused.psid, times=100_000)
        after = Flow(self.sender, users, per_user=2, interval=1.0,
                     silent=frozenset({refused.psid}))
        after.run()
        fault = (f"500 and 613 for {self.profile.graph_errors_s:g} s, then 551 for one user "
                 "(2 messages)")
        result = self.result("Graph API errors", fault, users, graph, {})
        self._clear_faults()
        codes = [(r["status"], r["error_code"]) for r in graph.records.values()]
        recorded = self.client.hget(keys.conversation(refused.psid), "last_send_error")
        result.fault += (f"; Graph refused {codes.count((500, 1))} calls with 500, "
                         f"{codes.count((400, 613))} with 613, {codes.count((400, 551))} with 551")
        result.checks = {"551 recorded on that user's conversation": recorded == b"551",
                         "500 and 613 both seen": (500, 1) in codes and (400, 613) in codes}
        return result

    # --- helpers --------------------------------------------------------------------------
    def _users(self, prefix: str) -> list[SimUser]:
        return make_users(self.profile.users, self.phrases, f"fault-{prefix}")

    def result(self, name: str, fault: str, users: list[SimUser], graph: GraphLog,
                checks: dict[str, bool]) -> Result:
        tally = settle(graph, self.client, users, self.notices, self.profile.settle_s)
        expected = sum(1 for user in users for m in user.sent if m.expect_answer)
        return Result(name, fault, tally, expected, checks)

    def _told_checks(self, users: list[SimUser], tally: Tally) -> dict[str, bool]:
        """Whoever waited well past the patience was told before the answer, once, in their
        language."""
        must_tell, told_in_time, wrong_language, told_twice = 0, 0, 0, 0
        for user in users:
            told = tally.notices.get(user.psid, [])
            wrong_language += sum(1 for kind, _ in told if kind != f"utter_delayed:{user.language}")
            told_twice += len(told) > 1
            waited = [m for m in user.sent if self._waited_long(m, tally)]
            if waited:
                must_tell += 1
                answer = tally.answer_times[waited[0].mid]
                told_in_time += any(at <= answer for _, at in told)
        return {f"waited past patience told before the answer ({told_in_time}/{must_tell})":
                must_tell > 0 and told_in_time == must_tell,
                "told in their language": wrong_language == 0,
                "told once": told_twice == 0}

    def _waited_long(self, message, tally: Tally) -> bool:  # noqa: ANN001
        answered = tally.answer_times.get(message.mid)  # unanswered ones fail elsewhere
        return answered is not None and \
            answered - message.posted > self.patience + RETRY_MAX_S + 2

    def _wait_mid_answer(self, worker: str, timeout: float = 10.0) -> tuple[int, int] | None:
        """Wait until `worker` has sent part of an answer: (bubbles sent, bubbles in all)."""
        shards = int(self.stack.environment().get("INBOX_SHARDS", "8"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for shard in range(shards):
                for pending in self.client.xpending_range(
                        keys.inbox(shard), keys.INBOX_GROUP, "-", "+", 10, worker):
                    entry = keys.inbox_entry(shard, as_text(pending["message_id"]))
                    sent, plan = self.client.hmget(keys.reply_progress(entry), "sent", "plan")
                    total = len(json.loads(plan)["messages"]) if plan else 0
                    if 0 < int(sent or 0) < total:
                        return int(sent), total
            time.sleep(0.01)
        return None

    def _graph_errors_for(self, seconds: float) -> None:
        """Every Graph call fails, alternately 500 and 613, for `seconds`."""
        for index in range(300):
            if index % 2 == 0:
                self._graph_fault(code=1, http_status=500, times=3)
            else:
                self._graph_fault(code=613, http_status=400, times=3)
        time.sleep(seconds)
        self._clear_faults()

    def _graph_fault(self, **fault: object) -> None:
        requests.post(f"{self.stack.graph_url}/_standin/faults", json=fault,
                      timeout=10).raise_for_status()

    def _clear_faults(self) -> None:
        requests.delete(f"{self.stack.graph_url}/_standin/faults", timeout=10).raise_for_status()


def table(results: list[Result]) -> str:
    """The results as a markdown table."""
    rows = []
    for r in results:
        t = r.tally or Tally()
        checks = "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in r.checks.items())
        rows.append([r.scenario, r.fault, f"{t.answered}/{r.expected}", str(t.lost),
                     str(t.duplicated), f"{t.resent} (≤ {r.resent_allowed})", str(t.out_of_order),
                     str(t.unexpected + t.not_recorded + t.recorded_twice),
                     checks or "–", f"{r.seconds:.0f}",
                     "skipped: " + r.skipped if r.skipped else ("pass" if r.ok else "FAIL")])
    return markdown_table(rows, ["scenario", "fault", "answered once", "lost", "doubled",
                                 "bubble re-sent", "out of order", "other", "checks", "s",
                                 "result"])


def run(stack: Stack, profile: Profile, log_dir: Path | None = None,
        only: str | None = None) -> list[Result]:
    """Every scenario (or the one named `only`) on a running stack."""
    return Suite(stack, profile, log_dir).run_all(only)


def main(argv: list[str] | None = None) -> int:
    """Start a stack, run the scenarios, print the table; 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--short", action="store_true", help="the form `make test` runs (default)")
    form.add_argument("--long", action="store_true", help="the form `make bench` runs")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--only", help="run one scenario (e.g. burst_killed)")
    args = parser.parse_args(argv)
    profile = LONG if args.long else SHORT
    started = time.monotonic()
    stack = Stack(model=model_path(), workers=2,
                  extra_env={"RASA_PATIENCE_SECONDS": f"{profile.patience_s:g}",
                             "BURST_WINDOW_SECONDS": OTHER_WINDOW_S})
    try:
        stack.start(log_dir=LOGS)
        results = run(stack, profile, LOGS, args.only)
    finally:
        stack.stop()
    print(f"\nfault suite, {profile.name} form ({time.monotonic() - started:.0f} s with the "
          f"stack's start; {profile.users} users per scenario, Khmer and English):\n")
    print(table(results))
    for result in results:
        for problem in (result.tally.problems if result.tally else [])[:3]:
            print(f"{result.scenario}: {problem}", file=sys.stderr)
    if args.write and not args.only:
        write_section(SECTION, markdown(results, profile))
    return 0 if all(result.ok for result in results) else 1


def markdown(results: list[Result], profile: Profile) -> str:
    """The benchmarks.md section."""
    about = (
        f"`python -m tests.resilience.faults --{profile.name}` (in `make bench`; `make test` "
        "runs the short form on its shared stack): the whole stack with 2 workers; in each "
        f"scenario {profile.users} new users, half writing Khmer and half English, send "
        "messages all along (up to 3 users' messages per POST, some redelivered), and the "
        "sender retries any delivery not answered 200, as Meta does. \"Answered once\" means "
        "the user received exactly that message's answer bubbles, once, in the order sent; "
        "\"bubble re-sent\" counts one bubble received twice in a row, which only a worker "
        "killed during that Send API call may cause (the call reached Facebook, the answer "
        "never reached the worker, and the Send API has no idempotency key: sending it again "
        "beats losing it); \"other\" counts anything else received and transcript errors (a "
        "message missing or recorded twice).")
    return paragraph(about) + "\n\n" + table(results) + "\n"


if __name__ == "__main__":
    sys.exit(main())
