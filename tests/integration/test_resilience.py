"""Crashes and outages: nothing lost, nothing doubled, users told of delays.

These tests stop and restart parts of the shared stack, so they run after the others.
"""

import time

import pytest

from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from webhook.simulator import payloads


@pytest.fixture
def fb(stack):
    return Messenger(stack)


def test_a_worker_killed_mid_stream_loses_and_doubles_nothing(stack, fb):
    users = [fb.new_user() for _ in range(6)]
    script = [("hello", "utter_greet"), ("thank you", "utter_thank"),
              ("what are digital rights", "utter_digital_rights")]
    for step, (text, _) in enumerate(script):
        for user in users:
            fb.deliver(payloads.text(user, text, timestamp=payloads.now_ms() + step))
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
    user = fb.new_user()
    stack.stop_service("rasa")
    try:
        fb.deliver(payloads.text(user, "how do i make a strong password"))
        delayed = bubbles("utter_delayed")
        fb.wait_for(user, len(delayed), timeout=30)  # patience is 3 s in the test stack
        assert fb.texts(user) == delayed
    finally:
        stack.start_rasa()
    expected = delayed + bubbles("utter_password_strong")
    fb.wait_for(user, len(expected), timeout=60)
    time.sleep(1)
    assert fb.texts(user) == expected
