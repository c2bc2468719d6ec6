"""The worker loop when Redis goes away mid-entry, and entries of two shards with one stream id."""

import json

import pytest
import redis

from tests.unit.test_worker_loop import Recorder, events, make_worker
from webhook import keys
from webhook.inbox import Inbox


@pytest.fixture
def inbox(redis_db):
    box = Inbox(redis_db, shards=4)
    box.ensure_groups()
    return box


class FailsOnce(Recorder):
    """Redis 'goes away' the first time one event is handled."""

    def __init__(self, text):
        super().__init__()
        self.text, self.failed = text, False
        self.entries = []

    def handle(self, entry, event):
        self.entries.append(entry)
        if event["text"] == self.text and not self.failed:
            self.failed = True
            raise redis.ConnectionError("Redis is restarting")
        return super().handle(entry, event)


def test_an_outage_mid_entry_neither_stops_the_worker_nor_moves_the_entry_aside(redis_db, inbox):
    inbox.append(events("a", 3))
    handler = FailsOnce("a-1")
    worker = make_worker(redis_db, inbox, handler)
    worker.redis_wait_s = 0.01
    worker.run(burst=True, max_seconds=10)
    assert [t for _, t in handler.seen] == ["a-0", "a-1", "a-2"]
    assert redis_db.xlen(keys.dead_letters()) == 0
    assert inbox.pending_count() == 0


def test_two_shards_entries_with_the_same_stream_id_are_told_apart(redis_db, inbox):
    for shard, (event,) in ((0, events("a", 1)), (1, events("b", 1))):
        redis_db.xadd(keys.inbox(shard), {"event": json.dumps(event)}, id="1000-0")
    handler = FailsOnce("none")
    make_worker(redis_db, inbox, handler).run(burst=True, max_seconds=10)
    assert sorted(handler.entries) == ["0:1000-0", "1:1000-0"]
