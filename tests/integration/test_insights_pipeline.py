"""Insights through the running stack: a message the assistant does not understand appears in
the unanswered list and moves the counters; a handoff keeps the user's own words."""

import time
from collections import Counter

import pytest
import redis

from bot.project import RESPONSES
from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from webhook.clock import Clock
from webhook.content.loader import FolderContent
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.service import Handoffs
from webhook.insights import stats, unanswered
from webhook.insights.days import last_days
from webhook.messenger.send_api import SendApi
from webhook.simulator import payloads


@pytest.fixture
def fb(stack):
    return Messenger(stack)


@pytest.fixture
def client(stack):
    return redis.Redis.from_url(stack.redis_url)


def totals(client):
    """Today's and yesterday's counters together (a test may cross midnight)."""
    days = stats.read_days(client, last_days(2, time.time()))
    return {"messages": sum(d.messages for d in days), "turns": sum(d.turns for d in days),
            "fallbacks": sum(d.fallbacks for d in days),
            "conversations": sum(d.conversations for d in days),
            "nlu_fallback": sum(d.intents.get("nlu_fallback", 0) for d in days),
            "handoffs_fallback": sum(d.handoff_reasons.get("fallback", 0) for d in days),
            "handoffs_hacked": sum(d.handoff_reasons.get("account_hacked", 0) for d in days),
            "waits": sum(len(d.waits) for d in days)}


def questions(client):
    """(text, kind) -> how many such unanswered questions there are."""
    return Counter((q.text, q.kind) for q in unanswered.recent(client, 2, time.time(), 5000))


# words no training example has, so the assistant falls back (test_conversations checks it)
GIBBERISH = ["xq zvvk plom trrr", "kkkk jjjj qqqq"]


def wait_until(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_fallback_is_listed_as_unanswered_and_counted(fb, client):
    before, listed = totals(client), questions(client)
    user, (first, second) = fb.new_user(), GIBBERISH
    fb.deliver(payloads.text(user, first))
    fb.wait_for(user, len(bubbles("utter_fallback")))
    fb.deliver(payloads.text(user, second))
    fb.wait_for(user, len(bubbles("utter_fallback")) + len(bubbles("utter_offer_human")))
    fb.deliver(payloads.quick_reply(user, "Yes, a person", "/request_human"))
    wait_until(lambda: totals(client)["handoffs_fallback"] > before["handoffs_fallback"])
    after, found = totals(client), questions(client)
    assert found - listed == Counter({(first, "fallback"): 1, (second, "fallback"): 1}), \
        "both fallbacks once; the tapped button is not a question"
    assert after["messages"] >= before["messages"] + 3
    assert after["conversations"] >= before["conversations"] + 1
    assert after["turns"] >= before["turns"] + 3
    assert after["fallbacks"] >= before["fallbacks"] + 2
    assert after["nlu_fallback"] >= before["nlu_fallback"] + 2
    assert not [key for key in client.scan_iter("hl:insights:*") if user.encode() in key]


def test_an_urgent_handoff_keeps_the_question_and_the_wait_is_counted(fb, client, stack):
    before, listed = totals(client), questions(client)
    user, words = fb.new_user(), "someone hacked my facebook and changed my password"
    fb.deliver(payloads.text(user, words))
    fb.wait_for(user, len(bubbles("utter_account_hacked")) + 1)
    fb.deliver(payloads.quick_reply(user, "Yes, a person", "/request_human"))
    wait_until(lambda: totals(client)["handoffs_hacked"] > before["handoffs_hacked"])
    assert questions(client) - listed == Counter({(words, "handoff"): 1})
    handoffs = Handoffs(client=client, conversations=Conversations(client, 86400),
                        transcript=Transcript(client, 86400),
                        send_api=SendApi(stack.graph_url, "v21.0",
                                         stack.secrets["FB_PAGE_ACCESS_TOKEN"],
                                         stack.secrets["FB_APP_SECRET"]),
                        content=FolderContent(RESPONSES), clock=Clock(client, adjustable=True))
    assert handoffs.claim(handoffs.conversations.ref(user), "dara")
    assert totals(client)["waits"] == before["waits"] + 1
    handoffs.resolve(handoffs.conversations.ref(user), by="dara")
