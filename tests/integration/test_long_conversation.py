"""Long conversations (issue 16): a persistent user is answered every time, Rasa keeps a bounded
tracker for them, and a turn Rasa cannot answer still gets the fallback."""

import json
import time

import pytest
import redis
import requests

from bot.project import RESPONSES
from tests.integration.test_messenger_pipeline import bubbles, transcript, wait_until
from webhook import keys
from webhook.content.loader import load_folder
from webhook.content.versions import ContentVersions
from webhook.insights import errors
from webhook.simulator import payloads

MESSAGES = 1000
BATCH = 25  # events per signed webhook delivery (Facebook batches too)
TOPICAL = ("how do i make a strong password", "utter_password_strong")
MAX_TURNS = 10  # bot/endpoints.yml tracker_store.max_turns
WRITTEN_APART_MS = 10_000


def unlimited(db, user):
    """The worker's per-user rate limit (15 a minute) would silence this user on purpose; a
    counter far below zero lets the test send as fast as the pipeline answers."""
    db.set(keys.rate_limit(user), -10 * MESSAGES, ex=3600)


def conversation(count):
    """(text, answer name) of each message: thanks, and every 50th a real question."""
    return [TOPICAL if index % 50 == 0 else ("thanks", "utter_thank") for index in range(count)]


def deliver_all(fb, user, messages):
    """Every message, written 10 s apart (so none joins the one before as a burst of short
    messages would: webhook.pipeline.bursts), delivered as fast as the webhook takes them."""
    start = payloads.now_ms() - len(messages) * WRITTEN_APART_MS
    events = [payloads.text(user, text, timestamp=start + index * WRITTEN_APART_MS)
              for index, (text, _) in enumerate(messages)]
    for first in range(0, len(events), BATCH):
        assert fb.deliver(*events[first:first + BATCH]).status_code == 200


@pytest.mark.timeout(1500)  # about 3 minutes on 2 cores alone; much longer when shared
def test_a_thousand_messages_from_one_user_are_all_answered_in_order(messenger, redis_client):
    fb, db = messenger, redis_client
    user = fb.new_user()
    unlimited(db, user)
    messages = conversation(MESSAGES)
    answers = {name: bubbles(name) for name in {name for _, name in messages}}
    expected = [text for _, name in messages for text in answers[name]]
    deliver_all(fb, user, messages)
    fb.wait_for(user, len(expected), timeout=1400, interval=1)
    assert fb.texts(user) == expected
    stored = db.get(keys.rasa_tracker(user))
    events = json.loads(stored)["events"]
    assert sum(event["event"] == "user" for event in events) == MAX_TURNS
    assert len(stored.encode()) < 80_000  # 10 turns; each user event holds its intent ranking
    assert db.ttl(keys.rasa_tracker(user)) > 0


@pytest.fixture
def missing_answer(stack):
    """utter_thank taken out of the published content: /nlg answers 404, Rasa's action fails."""
    versions = ContentVersions(redis.Redis.from_url(stack.redis_url))
    versions.publish("utter_thank", None, versions.opened("utter_thank"), "tests",
                     "issue 16: an answer Rasa cannot get")
    yield
    versions.import_content(load_folder(RESPONSES), "tests", "back to responses/")


@pytest.mark.parametrize(("text", "language"), [("thank you", "en"), ("អរគុណ", "km")])
def test_a_failed_action_still_gets_the_fallback_in_the_users_language(
        messenger, redis_client, missing_answer, text, language):
    fb, db = messenger, redis_client
    user = fb.new_user()
    before = errors.totals(db).get(errors.NO_ANSWER, 0)
    fb.deliver(payloads.text(user, text))
    expected = bubbles("utter_fallback", language)
    sent = fb.wait_for(user, len(expected))
    assert fb.texts(user) == expected
    assert [q["payload"] for q in sent[-1]["message"]["quick_replies"]][-1] == "/request_human"
    wait_until(lambda: len(transcript(db, user)) == 1 + len(expected))
    assert [entry["role"] for entry in transcript(db, user)] == ["user"] + ["bot"] * len(expected)
    # the counter is the helpline's: other users' turns may add to it meanwhile
    assert errors.totals(db)[errors.NO_ANSWER] >= before + 1


def test_the_chosen_language_is_carried_into_a_new_session(stack, redis_client):
    db = redis_client
    sender = f"carry-{time.time_ns()}"

    def say(message):
        response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                 params=stack.rasa_auth,
                                 json={"sender": sender, "message": message}, timeout=30)
        response.raise_for_status()
        return response.json()

    say('/change_language{"language":"km"}')
    for _ in range(MAX_TURNS + 2):  # the choice falls out of the window of kept turns
        say("/thank")
    key = keys.rasa_tracker(sender)
    stored = json.loads(db.get(key))
    for event in stored["events"]:  # as if the user came back two hours later
        event["timestamp"] -= 7200
    db.set(key, json.dumps(stored), ex=db.ttl(key))
    answer = say("/thank")
    assert any("\u1780" <= ch <= "\u17ff" for ch in answer[0]["text"])  # Khmer, as chosen
    events = json.loads(db.get(key))["events"]
    assert [e["event"] for e in events].count("session_started") == 1
    assert {"event": "slot", "name": "language", "value": "km"}.items() <= next(
        e for e in events if e["event"] == "slot" and e["name"] == "language").items()
