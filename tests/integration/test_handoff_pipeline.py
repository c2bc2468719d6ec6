"""Handoff through the whole pipeline: the bot stays silent while a person owns the case."""

import time

import pytest
import redis

from bot.project import RESPONSES
from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from webhook import keys
from webhook.clock import Clock
from webhook.content.loader import FolderContent
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.service import Handoffs
from webhook.messenger.send_api import SendApi
from webhook.simulator import payloads


@pytest.fixture
def fb(stack):
    return Messenger(stack)


@pytest.fixture
def handoffs(stack):
    client = redis.Redis.from_url(stack.redis_url)
    return Handoffs(client=client, conversations=Conversations(client, 86400),
                    transcript=Transcript(client, 86400),
                    send_api=SendApi(stack.graph_url, "v21.0",
                                     stack.secrets["FB_PAGE_ACCESS_TOKEN"],
                                     stack.secrets["FB_APP_SECRET"]),
                    content=FolderContent(RESPONSES), clock=Clock(client, adjustable=True))


def wait_owner(handoffs, psid, owner, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handoffs.conversations.get(psid).get("owner") == owner:
            return
        time.sleep(0.1)
    raise AssertionError(f"owner never became {owner}")


def test_asking_for_a_person_then_a_moderator_answers_then_the_bot_is_back(fb, handoffs):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "I want to talk to a real person"))
    wait_owner(handoffs, user, "queued")
    # the place in the queue, or (outside office hours) when the team is back
    sent = fb.wait_for(user, len(bubbles("utter_handoff")) + 1)
    time.sleep(1)
    count = len(fb.sent_messages(user))
    queue_text = fb.texts(user)[len(bubbles("utter_handoff"))]
    assert queue_text.startswith(("You are number", "Our team is not working")), queue_text
    assert sent[0]["message"]["text"] == bubbles("utter_handoff")[0]
    fb.deliver(payloads.text(user, "hello? are you there"))
    fb.deliver(payloads.attachment(user, "audio"))
    # the voice note's made-up address is not a CDN's: the user is asked, once, to send it
    # again or describe it; otherwise the bot stays silent while queued
    fb.wait_for(user, count + 1)
    time.sleep(2)
    assert fb.texts(user)[count:] == bubbles("utter_evidence_not_received")
    count += 1
    ref = handoffs.conversations.ref(user)
    assert handoffs.claim(ref, "dara")
    handoffs.reply(ref, "dara", "Hello, this is Dara from the team")
    fb.deliver(payloads.text(user, "thank you dara"))
    time.sleep(2)
    texts = fb.texts(user)
    assert texts[-1] == "Hello, this is Dara from the team"
    entries = handoffs.details(ref)["transcript"]
    # the voice note's made-up address is not a CDN's: the moderator is told it was not kept
    assert any(e["role"] == "system" and "audio" in e["text"] for e in entries)
    roles = [e["role"] for e in entries if e["role"] != "system"]
    assert roles[-4:] == ["user", "bot", "person", "user"]  # the bot only said the file failed
    handoffs.resolve(ref, by="dara")
    fb.deliver(payloads.text(user, "thank you"))
    fb.wait_for(user, count + 1 + 1 + len(bubbles("utter_thank")))
    assert fb.texts(user)[-1] == bubbles("utter_thank")[0]


def test_urgent_offer_accepted_queues_with_the_reason(fb, handoffs):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "someone hacked my facebook and changed my password"))
    fb.wait_for(user, len(bubbles("utter_account_hacked")) + 1)
    fb.deliver(payloads.quick_reply(user, "Yes, a person", "/request_human"))
    wait_owner(handoffs, user, "queued")
    assert handoffs.conversations.get(user)["handoff_reason"] == "account_hacked"


def test_back_to_the_bot_while_waiting(fb, handoffs):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "I want to talk to a real person"))
    wait_owner(handoffs, user, "queued")
    fb.deliver(payloads.quick_reply(user, "Back to the bot", "/cancel_handoff"))
    wait_owner(handoffs, user, "bot")
    deadline = time.monotonic() + 20
    while bubbles("utter_handoff_cancelled")[0] not in fb.texts(user):
        assert time.monotonic() < deadline, "no answer to the cancel button"
        time.sleep(0.1)
    assert fb.texts(user)[-1] == bubbles("utter_handoff_cancelled")[0]
    assert handoffs.client.zscore(keys.handoff_queue(), user) is None
