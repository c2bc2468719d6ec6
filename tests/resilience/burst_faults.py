"""The fault suite's burst scenario (issue 17): a worker SIGKILLed while it holds users'
fragments, unacknowledged, waiting for them to finish writing.

Users write a hacked-account message as five short lines half a second apart (Khmer in Latin
letters, Khmer script, English), at the production window; some lines are redelivered by
Meta. Once a worker holds fragments of a burst it is killed and a new one started. Each burst
must get its one joined answer, once, with every fragment once in the transcript in order, and
Rasa must have been asked once per burst.
"""

from __future__ import annotations

import time
import uuid

import requests

from tests.resilience.flow import Flow
from tests.resilience.ledger import GraphLog
from tests.resilience.texts import burst_bubbles, checked_bursts
from tests.resilience.traffic import BurstUser
from webhook import keys
from webhook.pipeline.bursts import BurstWindow
from webhook.redis_text import as_text
from webhook.worker import DEFAULT_WINDOW_S

FRAGMENT_GAP_S = 0.5


def burst_killed(suite) -> object:  # noqa: ANN001 - a faults.Suite; returns its Result
    """Run the scenario on the suite's stack."""
    bursts = checked_bursts(suite.stack.rasa_url)
    users = [BurstUser(f"fault-burst-{uuid.uuid4().hex[:10]}", language, [], None,
                       fragments=fragments, answer=burst_bubbles(language))
             for index in range(suite.profile.users)
             for language, fragments in [list(bursts.items())[index % len(bursts)]]]
    window = BurstWindow(0.0, suite.client, adjustable=True)
    window.set(DEFAULT_WINDOW_S)
    try:
        graph = GraphLog(suite.stack.graph_url)
        flow = Flow(suite.sender, users, per_user=len(users[0].fragments),
                    interval=FRAGMENT_GAP_S)
        flow.start()
        victim = next(name for name in suite.stack.processes if name.startswith("worker"))
        held = _wait_holding(suite, victim, at_least=len(users))
        suite.stack.stop_service(victim, kill=True)
        suite.stack.start_worker(f"worker-{uuid.uuid4().hex[:6]}", suite.log_dir)
        flow.join()
        result = suite.result("burst: worker killed", f"SIGKILL of {victim} holding {held} "
                              f"fragments of bursts (window {DEFAULT_WINDOW_S:g} s, lines "
                              f"{FRAGMENT_GAP_S:g} s apart); a new worker started", users, graph,
                              {})
    finally:
        window.set(None)
    asked = [_rasa_turns(suite.stack.rasa_url, user.psid) for user in users]
    result.checks = {"killed holding fragments": held >= len(users),
                     f"Rasa asked once per burst ({asked.count(1)}/{len(users)})":
                     asked.count(1) == len(users)}
    result.resent_allowed = 1  # the kill may fall during a Send API call of another answer
    return result


def _wait_holding(suite, worker: str, at_least: int,  # noqa: ANN001
                  timeout: float = 15.0) -> int:
    """Wait until `worker` holds `at_least` fragments not yet answered (several users' bursts
    half written); how many it holds."""
    shards = int(suite.stack.environment().get("INBOX_SHARDS", "8"))
    deadline, held = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        held = 0
        for shard in range(shards):
            for pending in suite.client.xpending_range(
                    keys.inbox(shard), keys.INBOX_GROUP, "-", "+", 50, worker):
                entry = keys.inbox_entry(shard, as_text(pending["message_id"]))
                held += not suite.client.hexists(keys.reply_progress(entry), "plan")
        if held >= at_least:
            return held
        time.sleep(0.05)
    return held


def _rasa_turns(rasa_url: str, psid: str) -> int:
    tracker = requests.get(f"{rasa_url}/conversations/{psid}/tracker", timeout=30).json()
    return sum(1 for event in tracker["events"] if event["event"] == "user")
