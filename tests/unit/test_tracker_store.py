"""The bounded tracker store (bot/tracker_store.py): what Rasa keeps per user stays small, and
what the policies look at is the same as with the whole history."""

import asyncio
import json
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg_client import nlg_body
from bot.project import DOMAIN_DIR
from bot.tracker_store import BoundedRedisTrackerStore, bounded_events
from webhook import keys

MAX_TURNS = 10
INTENTS = ["thank", "password_strong", "nlu_fallback", "two_factor", "affirm", "deny"]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(DOMAIN_DIR))


def session_start(slots=None):
    events = [ActionExecuted("action_session_start"), SessionStarted()]
    events += [SlotSet(name, value) for name, value in (slots or {}).items()]
    return events + [ActionExecuted("action_listen")]


def turn(index, intent=None, language=None):
    intent = intent or INTENTS[index % len(INTENTS)]
    events = [UserUttered(f"message {index}", {"name": intent, "confidence": 0.9},
                          message_id=uuid.uuid4().hex, metadata={"language": "en"})]
    if language:
        events.append(SlotSet("language", language))
    return events + [ActionExecuted(f"utter_{intent}"), BotUttered(f"answer {index}"),
                     ActionExecuted("action_listen")]


def conversation(turns, first_session_turns=5):
    events = session_start()
    for index in range(first_session_turns):
        events += turn(index, language="km" if index == 1 else None)
    events += session_start({"language": "km"})  # carried over into a new session
    for index in range(turns):
        events += turn(100 + index)
    return events


def test_a_short_session_is_kept_whole_and_older_sessions_are_dropped():
    events = conversation(3)
    kept = bounded_events(events, MAX_TURNS)
    assert kept == events[-len(kept):]
    assert sum(isinstance(e, SessionStarted) for e in kept) == 1
    assert [e.text for e in kept if isinstance(e, UserUttered)] == [
        "message 100", "message 101", "message 102"]


def test_a_long_session_keeps_its_last_turns_and_its_slots(domain):
    events = conversation(500)
    events += turn(600, intent="change_language", language="en") + turn(601)
    kept = bounded_events(events, MAX_TURNS)
    users = [e.text for e in kept if isinstance(e, UserUttered)]
    assert users == [f"message {i}" for i in range(592, 600)] + ["message 600", "message 601"]
    bounded = DialogueStateTracker.from_events("u", kept, domain.slots)
    full = DialogueStateTracker.from_events("u", events, domain.slots)
    assert bounded.current_slot_values() == full.current_slot_values()
    assert bounded.get_slot("language") == "en"
    assert bounded.latest_message.text == "message 601"


def test_a_slot_set_before_the_cut_is_kept(domain):
    events = conversation(0) + turn(1, intent="change_language", language="en")
    events += [event for index in range(40) for event in turn(200 + index)]
    kept = bounded_events(events, MAX_TURNS)
    tracker = DialogueStateTracker.from_events("u", kept, domain.slots)
    assert tracker.get_slot("language") == "en"
    assert isinstance(kept[0], ActionExecuted) and isinstance(kept[1], SessionStarted)


def test_the_policies_see_the_same_last_states(domain):
    """MemoizationPolicy looks at 4 states, the longest rule at 3 turns: the window of 10
    turns gives the same states at the end of the conversation as the whole history."""
    events = conversation(300)
    kept = bounded_events(events, MAX_TURNS)
    full = DialogueStateTracker.from_events("u", events, domain.slots).past_states(domain)
    short = DialogueStateTracker.from_events("u", kept, domain.slots).past_states(domain)
    assert short[-12:] == full[-12:]


def test_saved_in_redis_under_the_rasa_key_with_the_retention_expiry(domain, redis_db):
    where = redis_db.connection_pool.connection_kwargs
    store = BoundedRedisTrackerStore(domain, host=where["host"], port=where["port"], db=0,
                                     key_prefix="rasa", record_exp=3600, max_turns=MAX_TURNS)
    sender = f"psid-{uuid.uuid4().hex[:8]}"
    sizes = []
    for turns in (20, 300, 1000):
        tracker = DialogueStateTracker.from_events(sender, conversation(turns), domain.slots)
        asyncio.run(store.save(tracker))
        sizes.append(redis_db.strlen(keys.rasa_tracker(sender)))
    assert 0 < redis_db.ttl(keys.rasa_tracker(sender)) <= 3600
    assert max(sizes) - min(sizes) < 200  # bounded: the same whatever the history
    loaded = asyncio.run(store.retrieve(sender))
    assert len([e for e in loaded.events if isinstance(e, UserUttered)]) == MAX_TURNS
    assert loaded.get_slot("language") == "km"
    stored = json.loads(redis_db.get(keys.rasa_tracker(sender)))
    assert len(stored["events"]) < 60


def test_the_nlg_body_carries_only_what_nlg_uses(domain):
    events = conversation(400) + turn(900, intent="scam_victim") + turn(901, intent="affirm")
    tracker = DialogueStateTracker.from_events("u", events, domain.slots)
    body = nlg_body("utter_handoff", tracker)
    assert body["response"] == "utter_handoff" and body["tracker"]["sender_id"] == "u"
    assert body["tracker"]["slots"] == {"language": "km"}  # only slots set to plain values
    latest = body["tracker"]["latest_message"]
    assert latest["text"] == "message 901" and latest["intent"]["name"] == "affirm"
    assert latest["metadata"] == {"language": "en"}
    assert [e["parse_data"]["intent"]["name"] for e in body["tracker"]["events"]] == [
        INTENTS[(100 + 399) % len(INTENTS)], "scam_victim", "affirm"]
    assert len(json.dumps(body)) < 2000
