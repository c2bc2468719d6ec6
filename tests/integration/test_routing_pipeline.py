"""Routing through the running stack: a Khmer harassment case and an English scam case, each
accepting the offer of a person, are queued for the right teams."""

import time

from webhook import keys
from webhook.simulator import payloads


def queued_team(db, user, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = db.hgetall(keys.conversation(user))
        if state.get("owner") == "queued":
            return state.get("team"), state.get("handoff_reason")
        time.sleep(0.1)
    raise AssertionError("never queued")


def test_khmer_harassment_and_english_scam_go_to_the_right_teams(fb, db):
    harassed, scammed = fb.new_user(), fb.new_user()
    fb.deliver(payloads.text(harassed, "អតីតសង្សារខ្ញុំថានឹងpostរូបឯកជនខ្ញុំ"))
    fb.deliver(payloads.text(scammed, "i sent 300$ to a seller and he blocked me"))
    fb.wait_for(harassed, 1)
    fb.wait_for(scammed, 1)
    time.sleep(1)  # the whole answer (and its offer of a person) is sent
    for user in (harassed, scammed):
        fb.deliver(payloads.quick_reply(user, "A person", "/request_human"))
    assert queued_team(db, harassed) == ("gbv", "online_harassment")
    assert queued_team(db, scammed) == ("english", "scam_victim")
