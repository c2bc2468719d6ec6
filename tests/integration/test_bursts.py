"""Bursts through the whole stack: a user writing one short line at a time gets one answer.

The shared stack's window is short (tests/conftest.py) so other tests are not slowed; these
tests set the production default (an override the workers read outside production).
"""

import json
import time

import pytest
import requests

from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from tests.resilience.texts import BURSTS, burst_bubbles
from webhook import keys
from webhook.simulator import payloads
from webhook.worker import DEFAULT_WINDOW_S

LATIN, KHMER = list(BURSTS["km-Latn"]), list(BURSTS["km"])
GAP_S = 0.8  # between two fragments, as the user in issue 17 wrote


@pytest.fixture
def fb(stack):
    return Messenger(stack)


@pytest.fixture
def window(burst_window):
    """The production window for one test."""
    burst_window(DEFAULT_WINDOW_S)
    return DEFAULT_WINDOW_S


def offers_a_person(payload):
    return payload == "/request_human" or (payload.startswith("/guide") and "person" in payload)


def write_slowly(fb, user, fragments):
    for index, fragment in enumerate(fragments):
        if index:
            time.sleep(GAP_S)
        assert fb.deliver(payloads.text(user, fragment)).status_code == 200


def rasa_user_turns(stack, user):
    tracker = requests.get(f"{stack.rasa_url}/conversations/{user}/tracker", timeout=10).json()
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


@pytest.mark.parametrize("fragments", [LATIN, KHMER], ids=["latin-khmer", "khmer-script"])
def test_a_burst_of_fragments_gets_one_answer_with_the_offer_of_a_person_last(
        stack, fb, redis_client, window, fragments):
    user = fb.new_user()
    write_slowly(fb, user, fragments)
    expected = list(burst_bubbles("km"))
    sent = fb.wait_for(user, len(expected))
    time.sleep(window + 1)  # anything more would have come by now
    assert fb.texts(user) == expected
    taps = [q["payload"] for q in fb.sent_messages(user)[-1]["message"]["quick_replies"]]
    assert any(offers_a_person(tap) for tap in taps), f"no offer of a person last: {taps}"
    assert len(sent) == len(fb.sent_messages(user))
    assert rasa_user_turns(stack, user) == ["\n".join(fragments)], "Rasa asked once, joined"
    transcript = [json.loads(item) for item in redis_client.lrange(keys.transcript(user), 0, -1)]
    assert [e["text"] for e in transcript if e["role"] == "user"] == fragments
    assert [e["role"] for e in transcript] == ["user"] * 5 + ["bot"] * len(expected)


def test_a_tap_after_fragments_is_answered_after_the_burst_without_waiting(fb, window):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "how do i make"),
               payloads.text(user, "a strong password"),
               payloads.quick_reply(user, "Main menu", "/help"))
    expected = bubbles("utter_password_strong") + bubbles("utter_menu")
    fb.wait_for(user, len(expected))
    assert fb.texts(user) == expected
