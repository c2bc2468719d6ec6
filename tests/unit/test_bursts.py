"""Bursts in the worker loop against real Redis: quick text fragments of one user answered once,
joined; taps, postbacks and attachments end a burst; users with a person never held; other
users never wait; a burst left by a dead worker or retried is answered once, as planned.

The handler records what it is given (the loop is under test); whether the bot may answer a
user is the real rule, read from the real conversation state.
"""

import pytest

from webhook import keys
from webhook.conversations.state import Conversations
from webhook.inbox import Inbox
from webhook.pipeline.bursts import Burst, BurstWindow, Fragment
from webhook.pipeline.handler import Handler, Outcome
from webhook.pipeline.message import joined
from webhook.pipeline.replies import ReplyProgress
from webhook.pipeline.worker import Worker

LONG = 60.0  # a window no test waits for: what is answered came without waiting


class Recorder:
    """Answers by recording: `answers` holds one list of texts per answer given."""

    def __init__(self, client, retry_first=0):
        self.client = client
        self.conversations = Conversations(client, 3600)
        self.answers = []
        self.retry_first = retry_first

    def may_hold(self, event):
        return Handler._bot_may_answer(event, self.conversations.get(event["psid"]))

    def handle(self, entry_id, event):
        if event["kind"] in ("read", "delivery"):
            self.answers.append([event["kind"]])
            return Outcome.DONE
        return self.answer([(entry_id, event)])

    def answer(self, fragments):
        progress = ReplyProgress(self.client, fragments[0][0])
        if progress.plan() is None:
            progress.set_plan({"messages": [], "members": [e for e, _ in fragments]})
        if self.retry_first:
            self.retry_first -= 1
            return Outcome.RETRY
        plan = progress.plan()
        self.answers.append([event.get("text") or event["kind"] for _, event in fragments])
        assert len(plan["members"]) == len(fragments), "answered as planned"
        return Outcome.DONE


def text(user, body, at):
    return {"kind": "text", "psid": user, "text": body, "mid": f"{user}-{body}",
            "timestamp": at}


@pytest.fixture
def inbox(redis_db):
    box = Inbox(redis_db, shards=2)
    box.ensure_groups()
    return box


def make_worker(redis_db, inbox, handler, window, name="w1"):
    worker = Worker(redis_db, handler, inbox, name=name, lease_ms=2000,
                    window=BurstWindow(window))
    worker.retry_base = 0.01
    worker.block_ms = 10
    worker.leases.heartbeat()
    return worker


def pass_once(worker):
    """One pass that reads what is queued (the first also takes the leases)."""
    worker.work_once()
    worker.work_once()


FRAGMENTS = ["sousdey bong", "knhom mean banhaa", "facebook knhom", "trov ke hack", "jouy phong"]


def test_quick_fragments_are_answered_once_joined_after_the_window(redis_db, inbox):
    inbox.append([text("a", body, 1000 + 100 * n) for n, body in enumerate(FRAGMENTS)])
    handler = Recorder(redis_db)
    worker = make_worker(redis_db, inbox, handler, window=0.3)
    pass_once(worker)
    assert handler.answers == [], "held while the window runs"
    worker.run(burst=True, max_seconds=10)
    assert handler.answers == [FRAGMENTS]
    assert inbox.pending_count() == 0


@pytest.mark.parametrize("ending", [
    {"kind": "quick_reply", "payload": "/help", "text": "Menu"},
    {"kind": "postback", "payload": "/help", "text": "Menu"},
    {"kind": "attachment", "attachments": ["image"], "text": ""},
])
def test_a_tap_postback_or_attachment_ends_the_burst_at_once_and_comes_after_it(
        redis_db, inbox, ending):
    inbox.append([text("a", "my facebook", 1000), text("a", "was hacked", 1500),
                  {**ending, "psid": "a", "mid": "a-end", "timestamp": 1600}])
    handler = Recorder(redis_db)
    pass_once(make_worker(redis_db, inbox, handler, window=LONG))
    assert handler.answers == [["my facebook", "was hacked"], [ending["text"] or "attachment"]]
    assert inbox.pending_count() == 0


@pytest.mark.parametrize("owner", ["person", "queued"])
def test_a_user_waiting_for_or_with_a_person_is_never_held(redis_db, inbox, owner):
    Conversations(redis_db, 3600).update("a", owner=owner)
    inbox.append([text("a", "hello?", 1000), text("a", "anyone there", 1100)])
    handler = Recorder(redis_db)
    pass_once(make_worker(redis_db, inbox, handler, window=LONG))
    assert handler.answers == [["hello?"], ["anyone there"]]


def test_other_users_are_served_while_a_burst_is_held(redis_db, inbox):
    users = [user for user in (f"u{n}" for n in range(40))
             if keys.shard_of(user, 2) == keys.shard_of("a", 2)][:2]
    inbox.append([text("a", "my account", 1000), text(users[0], "hello", 1000),
                  text("a", "is hacked", 1200), text(users[1], "thanks", 1000)])
    handler = Recorder(redis_db)
    Conversations(redis_db, 3600).update(users[0], owner="person")  # never held
    Conversations(redis_db, 3600).update(users[1], owner="person")
    worker = make_worker(redis_db, inbox, handler, window=LONG)
    pass_once(worker)
    assert handler.answers == [["hello"], ["thanks"]], "a's burst held, the others answered"
    assert worker.held.count() == 1


def test_a_lone_message_waits_the_window_once_and_no_more(redis_db, inbox):
    inbox.append([text("a", "hello", 1000)])
    [(entry_id, _)] = redis_db.xrange(keys.inbox(keys.shard_of("a", 2)))
    burst = Burst(2.0, [Fragment(entry_id.decode(), text("a", "hello", 1000))])
    assert burst.due_at() == pytest.approx(int(entry_id.decode().split("-")[0]) / 1000 + 2.0)
    handler = Recorder(redis_db)
    make_worker(redis_db, inbox, handler, window=0.2).run(burst=True, max_seconds=10)
    assert handler.answers == [["hello"]]


def test_messages_written_minutes_apart_are_not_joined_even_when_delivered_together(
        redis_db, inbox):
    inbox.append([text("a", "hello", 1000), text("a", "my account is hacked", 301_000)])
    handler = Recorder(redis_db)
    make_worker(redis_db, inbox, handler, window=0.2).run(burst=True, max_seconds=10)
    assert handler.answers == [["hello"], ["my account is hacked"]]


def test_receipts_neither_join_nor_end_a_burst(redis_db, inbox):
    inbox.append([text("a", "my account", 1000),
                  {"kind": "read", "psid": "a", "watermark": 5, "timestamp": 1100},
                  text("a", "is hacked", 1200)])
    handler = Recorder(redis_db)
    make_worker(redis_db, inbox, handler, window=0.2).run(burst=True, max_seconds=10)
    assert handler.answers == [["read"], ["my account", "is hacked"]]


def test_a_burst_held_by_a_worker_that_died_is_answered_once_by_the_next(redis_db, inbox):
    inbox.append([text("a", body, 1000 + 100 * n) for n, body in enumerate(FRAGMENTS)])
    dead = make_worker(redis_db, inbox, Recorder(redis_db), window=LONG, name="dead")
    pass_once(dead)
    assert dead.held.count() == 1
    for shard in range(2):  # killed: its leases lapse, its entries stay pending
        redis_db.delete(keys.shard_owner(shard))
    redis_db.zrem(keys.workers(), "dead")
    handler = Recorder(redis_db)
    make_worker(redis_db, inbox, handler, window=0.2, name="next").run(burst=True,
                                                                       max_seconds=10)
    assert handler.answers == [FRAGMENTS]
    assert inbox.pending_count() == 0


def test_a_retried_burst_is_answered_as_planned_and_a_later_fragment_on_its_own(
        redis_db, inbox):
    inbox.append([text("a", "my account", 1000), text("a", "is hacked", 1200)])
    handler = Recorder(redis_db, retry_first=1)
    worker = make_worker(redis_db, inbox, handler, window=0.3)
    worker.retry_base = 1.0
    pass_once(worker)
    worker.work_once()
    while worker.held.count():  # the window passes; the answer must be retried
        worker.work_once()
    inbox.append([text("a", "please help", 1400)])  # within the window, after Rasa was asked
    worker.run(burst=True, max_seconds=10)
    assert handler.answers == [["my account", "is hacked"], ["please help"]]


@pytest.mark.parametrize(("fragments", "answered", "recorded"), [
    (["my password is", "hunter2"], "my password is\n[password hidden]",
     ["my password is", "[password hidden]"]),
    (["my otp", "123456"], "my otp\n[code hidden]", ["my otp", "[code hidden]"]),
    (["hello", "4821"], "hello\n[code hidden]", ["hello", "[code hidden]"]),
    (["sousdey bong", "trov ke hack"], "sousdey bong\ntrov ke hack",
     ["sousdey bong", "trov ke hack"]),
])
def test_secrets_are_masked_in_the_joined_text_and_in_each_fragment(
        fragments, answered, recorded):
    event, parts = joined([text("a", body, 1000) for body in fragments])
    assert event["text"] == answered
    assert [part["text"] for part in parts] == recorded
    assert bool(event.get("secrets")) == (answered != "sousdey bong\ntrov ke hack")
