"""Users writing while something breaks, and waiting until everything they sent is answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import redis

from tests.resilience.ledger import GraphLog, Notices, Tally, check
from tests.resilience.traffic import Delivery, Message, MetaSender, SimUser

PER_POST = 3          # messages of different users in one POST
REDELIVER_EVERY = 3   # every third round Meta redelivers something it already delivered


class Flow(threading.Thread):
    """Each round (every `interval` s) every user sends their next message; `per_user`
    rounds. Messages of users in `silent` expect no answer."""

    def __init__(self, sender: MetaSender, users: list[SimUser], per_user: int,
                 interval: float, silent: frozenset[str] = frozenset()) -> None:
        super().__init__(name="flow", daemon=True)
        self.sender, self.users, self.per_user = sender, users, per_user
        self.interval, self.silent = interval, silent
        self.deliveries: list[Delivery] = []

    def run(self) -> None:
        for round_number in range(self.per_user):
            started = time.monotonic()
            batch = [user.next_message() for user in self.users]
            for message in batch:
                message.expect_answer &= message.user not in self.silent
            for start in range(0, len(batch), PER_POST):
                self.deliveries.append(self.sender.deliver(batch[start:start + PER_POST]))
            if round_number % REDELIVER_EVERY == REDELIVER_EVERY - 1:
                self.sender.deliver(batch[:PER_POST], redelivery=True)
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def refusals(self) -> list[int]:
        """The webhook's answers to attempts Meta had to repeat (0: no answer at all)."""
        return [status for delivery in self.deliveries for status in delivery.refusals]


def sent_by_user(users: list[SimUser]) -> dict[str, list[Message]]:
    """What each user sent, in order."""
    return {user.psid: list(user.sent) for user in users}


def settle(graph: GraphLog, client: redis.Redis, users: list[SimUser], notices: Notices,
           timeout: float, quiet_s: float = 2.0) -> Tally:
    """Wait until every message that expects an answer has it (or `timeout`), then a little
    longer to catch late doubles; the final tally."""
    expected = sum(1 for user in users for m in user.sent if m.expect_answer)
    tally = _wait(lambda: _tally(graph, client, users, notices), expected, timeout)
    if tally.answered >= expected:
        time.sleep(quiet_s)
        tally = _tally(graph, client, users, notices)
    return tally


def _wait(measure: Callable[[], Tally], expected: int, timeout: float) -> Tally:
    deadline = time.monotonic() + timeout
    while True:
        try:
            tally = measure()
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            tally = None  # Redis still coming back
        if tally and (tally.answered >= expected or time.monotonic() > deadline):
            return tally
        time.sleep(0.5)


def _tally(graph: GraphLog, client: redis.Redis, users: list[SimUser],
           notices: Notices) -> Tally:
    graph.poll()
    return check(sent_by_user(users), graph.received(), client, notices)
