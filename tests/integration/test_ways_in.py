"""Ways in and signals back, through the whole pipeline with Meta's payload shapes: campaign
refs, shared links, the thumbs-up sticker, reactions, edits and "Did this help?"."""

import json
import time

import pytest
import redis

from tests.integration.messenger_client import Messenger
from tests.integration.test_conversations import expected_text
from webhook import keys
from webhook.feedback.store import FeedbackStore
from webhook.insights.days import day_of
from webhook.referrals.store import Referrals, Start
from webhook.simulator import payloads


@pytest.fixture
def fb(stack):
    return Messenger(stack)


@pytest.fixture
def db(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)


@pytest.fixture
def refs(db):
    referrals = Referrals(db)
    referrals.save(Start("poster-scam", "answer", "utter_scam_check", "km", "commune poster"))
    referrals.save(Start("english-ad", "language", language="en"))
    return referrals


def texts(fb, user, count, timeout=60):
    fb.wait_for(user, count, timeout=timeout)
    return fb.texts(user)


def first_bubble(name, language):
    return expected_text(name, language).split("\n\n")[0]


def test_a_known_ref_opens_its_answer_in_its_language_and_is_counted(fb, db, refs):
    user = fb.new_user()
    before = int(db.hget(keys.referral_counts(day_of(time.time())), "poster-scam") or 0)
    assert fb.deliver(payloads.referral(user, "poster-scam")).status_code == 200
    assert texts(fb, user, 1)[0] == first_bubble("utter_scam_check", "km")
    assert db.hget(keys.conversation(user), "chosen_language") == "km"
    counts = db.hgetall(keys.referral_counts(day_of(time.time())))
    assert int(counts["poster-scam"]) == before + 1 and user not in json.dumps(counts)


def test_get_started_with_a_ref_and_an_unknown_ref(fb, refs):
    user, other = fb.new_user(), fb.new_user()
    fb.deliver(payloads.get_started(user, ref="english-ad"))
    fb.deliver(payloads.referral(other, "no-such-campaign"))
    assert texts(fb, user, 1)[0] == first_bubble("utter_greet", "en")
    assert texts(fb, other, 1)[0] in {first_bubble("utter_greet", "km"),
                                      first_bubble("utter_greet", "en")}


def test_a_ref_changes_nothing_for_a_conversation_a_person_has(fb, db, refs, stack):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "hello"))
    fb.wait_for(user, 1)
    db.hset(keys.conversation(user), mapping={"owner": "person", "moderator": "dara"})
    sent = len(fb.sent_messages(user))
    fb.deliver(payloads.referral(user, "poster-scam"))
    time.sleep(3)
    assert len(fb.sent_messages(user)) == sent
    assert db.hget(keys.conversation(user), "chosen_language") is None
    db.hset(keys.conversation(user), "owner", "bot")


def test_a_shared_link_is_read_not_refused_and_a_thumbs_up_is_thanks(fb):
    user = fb.new_user()
    fb.deliver(payloads.shared_link(user, "https://acleda-verify.example/login",
                                    "ACLEDA Bank - verify your account"))
    said = texts(fb, user, 1)
    assert not any("can't look at photos" in text or "មិនទាន់អាចមើលរូបថត" in text
                   for text in said)
    assert any("ACLEDA Bank - verify" in text for text in texts(fb, user, 2))  # the scam check
    said = fb.texts(user)
    fb.deliver(payloads.attachment(user, "image", sticker_id=369239263222822))
    fb.wait_for(user, len(said) + 1)
    assert any(text.startswith(first_bubble("utter_thank", lang)[:20])
               for text in fb.texts(user)[len(said):] for lang in ("km", "en"))


def test_an_edit_is_recorded_as_an_edit_and_not_answered(fb, db):
    user = fb.new_user()
    original = payloads.text(user, "is this a scam?")
    fb.deliver(original)
    fb.wait_for(user, 1)
    sent = len(fb.sent_messages(user))
    edit = payloads.edit(user, original["message"]["mid"], "is this a scam? my code is 123456")
    fb.deliver(edit)
    fb.deliver(edit)  # Meta redelivers
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = [json.loads(x) for x in db.lrange(keys.transcript(user), 0, -1)]
        edits = [line for line in lines if line.get("kind") == "edit"]
        if edits:
            break
        time.sleep(0.2)
    assert len(edits) == 1 and "123456" not in edits[0]["text"]
    assert any(line["text"] == "is this a scam?" for line in lines)
    time.sleep(1)
    assert len(fb.sent_messages(user)) == sent


def test_a_feedback_round_and_a_reaction_are_counted(fb, db, feedback_on):
    store = FeedbackStore(db)
    user = fb.new_user()

    def stat(event):
        return sum(getattr(s, event) for s in store.stats([day_of(time.time())])
                   if s.answer == "utter_password_strong" and s.language == "en")

    before = {event: stat(event) for event in ("shown", "up", "down")}
    fb.deliver(payloads.text(user, "how do I make a strong password?"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "Did this help? 🙂" not in fb.texts(user):
        time.sleep(0.2)
    messages = fb.sent_messages(user)
    question = messages[-1]["message"]
    assert question["text"] == "Did this help? 🙂"
    down = next(r for r in question["quick_replies"] if r["payload"].startswith("/feedback_down"))
    fb.deliver(payloads.quick_reply(user, down["title"], down["payload"]))
    fb.wait_for(user, len(messages) + 1)
    assert fb.texts(user)[-1].startswith("Sorry it did not help")
    fb.deliver(payloads.text(user, "nothing about passwords on Telegram"))
    fb.wait_for(user, len(messages) + 2)
    fb.deliver(payloads.reaction(user, _first_mid(db, user)))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and stat("up") == before["up"]:
        time.sleep(0.2)
    # the message after the 👎 is answered too (here: passwords again), so shown is 1 or 2
    assert stat("shown") - before["shown"] >= 1
    assert (stat("down") - before["down"], stat("up") - before["up"]) == (1, 1)
    missing = [s.missing for s in store.stats([day_of(time.time())])
               if s.answer == "utter_password_strong" and s.language == "en"][0]
    assert "nothing about passwords on Telegram" in missing


def _first_mid(db, user):
    bot_lines = [json.loads(x) for x in db.lrange(keys.transcript(user), 0, -1)]
    return next(line["mid"] for line in bot_lines if line["role"] == "bot")
