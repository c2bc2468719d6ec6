"""'Did this help?': when it is asked, how votes, reactions and 'what was missing' are kept."""

import pytest

from webhook.feedback import flow
from webhook.feedback.store import FeedbackStore
from webhook.pipeline.render import render
from webhook.services import content as content_store


@pytest.fixture
def content(redis_server, redis_db):
    from webhook.config import ROOT

    return content_store({"RESPONSES_DIR": ROOT / "responses", "REDIS_URL": redis_server},
                         redis_db)


def answer_messages(content, name, language="en"):
    return render([content.reply(name, language)]).messages


def test_only_topic_answers_count(content):
    assert flow.topic_answer(["utter_greet", "utter_password_strong"], content) == \
        "utter_password_strong"
    assert flow.topic_answer(["utter_menu", "utter_fallback", "utter_nope"], content) == ""


def test_the_question_carries_the_votes_and_the_answers_own_choices(content):
    messages = answer_messages(content, "utter_password_strong")
    own = messages[-1]["quick_replies"]
    asked = flow.with_question(messages, "utter_password_strong", "en", content)
    assert "quick_replies" not in asked[len(messages) - 1]
    assert asked[-1]["text"] == "Did this help? 🙂"
    replies = asked[-1]["quick_replies"]
    assert [r["payload"] for r in replies[:2]] == [
        '/feedback_up{"answer": "utter_password_strong"}',
        '/feedback_down{"answer": "utter_password_strong"}']
    assert replies[2:] == own


def test_an_answer_that_offers_a_person_is_not_followed_by_the_question(content):
    messages = answer_messages(content, "utter_digital_rights")
    assert flow.with_question(messages, "utter_digital_rights", "en", content) == messages


def test_an_answer_that_starts_guided_steps_is_not_a_topic_answer(content):
    assert flow.topic_answer(["utter_account_hacked"], content) == ""


def test_votes_count_and_a_down_vote_waits_for_what_was_missing(redis_db, content):
    store = FeedbackStore(redis_db)
    up = flow.answer_vote('/feedback_up{"answer": "utter_two_factor"}', "u1", "en", content,
                          store)
    assert "glad it helped" in up[0]["text"]
    down = flow.answer_vote('/feedback_down{"answer": "utter_two_factor"}', "u1", "km",
                            content, store)
    assert {"title": "និយាយជាមួយមនុស្ស", "payload": "/request_human",
            "type": "quick_reply"} in down[0]["buttons"]
    assert store.take_missing("u1") == "utter_two_factor" and store.take_missing("u1") == ""
    store.keep_missing("utter_two_factor", "how to do it on Telegram", "km")
    store.count("utter_two_factor", "en", "shown")
    stats = {(s.answer, s.language): s for s in store.stats(["2026-11-30"])}
    assert stats[("utter_two_factor", "en")].up == 1
    assert stats[("utter_two_factor", "en")].helpful_share == 1.0
    assert stats[("utter_two_factor", "km")].down == 1
    assert stats[("utter_two_factor", "km")].missing == ["how to do it on Telegram"]


def test_asked_at_most_once_a_day(redis_db):
    store = FeedbackStore(redis_db)
    assert store.ask_once_today("u1") and not store.ask_once_today("u1")
    assert store.ask_once_today("u2")


@pytest.mark.parametrize(("emoji", "reaction", "vote"), [
    ("❤", "love", "up"), ("👍", "like", "up"), ("😢", "sad", "down"), ("😠", "angry", "down"),
    ("🤔", "other", "")])
def test_reactions(emoji, reaction, vote):
    assert flow.reaction_vote(emoji, reaction) == vote


def test_payloads_that_are_not_votes():
    assert flow.vote_of("/help") is None
    assert flow.vote_of("/feedback_up") == ("/feedback_up", "")
    assert flow.vote_of('/feedback_down{"answer": broken') == ("/feedback_down", "")
