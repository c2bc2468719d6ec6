"""The worker loop in burst mode against real Redis: order, retries, take-over, dead letters.

The handler here records what it is given: the loop's own behaviour is under test; the
handler is tested through the whole stack in tests/integration.
"""

import pytest

from webhook import keys
from webhook.inbox import Inbox
from webhook.pipeline.handler import Outcome
from webhook.pipeline.worker import Worker


class Recorder:
    def __init__(self, fail_first=0, explode_on=None):
        self.seen = []
        self.fail_first = fail_first
        self.explode_on = explode_on

    def handle(self, entry_id, event):
        if event.get("text") == self.explode_on:
            raise ValueError("boom")
        if self.fail_first:
            self.fail_first -= 1
            return Outcome.RETRY
        self.seen.append((event["psid"], event["text"]))
        return Outcome.DONE


def events(user, count):
    return [{"kind": "text", "psid": user, "text": f"{user}-{n}", "mid": f"{user}-m{n}",
             "timestamp": n} for n in range(count)]


@pytest.fixture
def inbox(redis_db):
    box = Inbox(redis_db, shards=4)
    box.ensure_groups()
    return box


def make_worker(redis_db, inbox, handler, name="w1"):
    worker = Worker(redis_db, handler, inbox, name=name, lease_ms=2000)
    worker.retry_base = 0.01
    worker.block_ms = 10
    return worker


def test_everything_is_handled_once_in_order_per_user(redis_db, inbox):
    for user in ("a", "b", "c"):
        inbox.append(events(user, 5))
    handler = Recorder()
    make_worker(redis_db, inbox, handler).run(burst=True, max_seconds=10)
    for user in ("a", "b", "c"):
        assert [t for u, t in handler.seen if u == user] == [f"{user}-{n}" for n in range(5)]
    assert inbox.pending_count() == 0


def test_a_retry_blocks_the_users_shard_until_it_succeeds(redis_db, inbox):
    inbox.append(events("a", 3))
    handler = Recorder(fail_first=3)
    make_worker(redis_db, inbox, handler).run(burst=True, max_seconds=10)
    assert [t for _, t in handler.seen] == ["a-0", "a-1", "a-2"]


def test_pending_entries_of_a_dead_worker_are_taken_over_first(redis_db, inbox):
    inbox.append(events("a", 4))
    shard = keys.shard_of("a", 4)
    # a worker that read two entries and died before acknowledging them
    redis_db.xreadgroup(keys.INBOX_GROUP, "dead", {keys.inbox(shard): ">"}, count=2)
    handler = Recorder()
    make_worker(redis_db, inbox, handler, name="alive").run(burst=True, max_seconds=10)
    assert [t for _, t in handler.seen] == ["a-0", "a-1", "a-2", "a-3"]
    assert redis_db.xpending(keys.inbox(shard), keys.INBOX_GROUP)["pending"] == 0


def test_a_failing_event_is_moved_aside_and_the_rest_go_on(redis_db, inbox):
    inbox.append(events("a", 3))
    handler = Recorder(explode_on="a-1")
    make_worker(redis_db, inbox, handler).run(burst=True, max_seconds=10)
    assert [t for _, t in handler.seen] == ["a-0", "a-2"]
    [(_, letter)] = redis_db.xrange(keys.dead_letters())
    assert letter[b"kind"] == b"text"
    assert set(letter) == {b"entry", b"kind", b"t", b"user"}, \
        "a dead letter keeps no message text (and only a keyed user reference, for deletion)"
    assert b"psid" not in letter[b"user"] and len(letter[b"user"]) == 12


def test_two_workers_share_the_shards_and_never_hold_the_same_one(redis_db, inbox):
    one = make_worker(redis_db, inbox, Recorder(), name="one")
    two = make_worker(redis_db, inbox, Recorder(), name="two")
    one.leases.heartbeat()
    two.leases.heartbeat()
    for _ in range(3):
        one.work_once()
        two.work_once()
    assert one.leases.owned and two.leases.owned
    assert not one.leases.owned & two.leases.owned
    assert len(one.leases.owned | two.leases.owned) == 4


def test_acknowledged_entries_are_deleted_from_the_stream(redis_db, inbox):
    inbox.append(events("a", 2))
    make_worker(redis_db, inbox, Recorder()).run(burst=True, max_seconds=10)
    assert all(redis_db.xlen(keys.inbox(s)) == 0 for s in range(4))
