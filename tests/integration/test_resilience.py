"""Crashes and outages: nothing lost, nothing doubled, users told of delays.

These tests stop and restart parts of the shared stack, so they run after the others.
"""

import time

import pytest
import redis

from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from webhook import keys
from webhook.simulator import payloads


@pytest.fixture
def fb(stack):
    return Messenger(stack)


def test_a_worker_killed_mid_stream_loses_and_doubles_nothing(stack, fb):
    users = [fb.new_user() for _ in range(6)]
    script = [("hello", "utter_greet"), ("thank you", "utter_thank"),
              ("what are digital rights", "utter_digital_rights")]
    written = payloads.now_ms() - 60_000
    for step, (text, _) in enumerate(script):  # written 10 s apart: separate messages
        for user in users:
            fb.deliver(payloads.text(user, text, timestamp=written + 10_000 * step))
        if step == 0:
            time.sleep(0.3)
            stack.stop_service("worker-1", kill=True)  # SIGKILL, as a crash
    stack.start_worker("worker-1b")
    expected = [bubble for _, name in script for bubble in bubbles(name)]
    for user in users:
        fb.wait_for(user, len(expected), timeout=60)
    time.sleep(2)
    for user in users:
        assert fb.texts(user) == expected, user


def test_rasa_down_then_back_the_user_is_told_and_answered_after(stack, fb):
    """Past the patience the user hears of the delay and the case is queued for a person;
    when Rasa is back before anyone took the case, the bot answers and the case leaves the
    queue."""
    user = fb.new_user()
    stack.stop_service("rasa")
    db = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        fb.deliver(payloads.text(user, "how do i make a strong password"))
        delayed = bubbles("utter_delayed")
        fb.wait_for(user, len(delayed) + 1, timeout=30)  # patience is 3 s in the test stack
        assert fb.texts(user)[: len(delayed)] == delayed
        assert db.hget(keys.conversation(user), "handoff_reason") == "rasa_unavailable"
        fb.deliver(payloads.text(user, "thank you", timestamp=payloads.now_ms() + 1))
        time.sleep(1)
        told = len(fb.texts(user))
    finally:
        stack.start_rasa()
    expected = bubbles("utter_password_strong") + bubbles("utter_thank")
    fb.wait_for(user, told + len(expected), timeout=60)
    time.sleep(1)
    assert fb.texts(user)[told:] == expected, "both waiting messages answered, in order"
    assert db.hget(keys.conversation(user), "owner") == "bot"
    assert db.zscore(keys.handoff_queue(), user) is None
