"""Guided steps through the whole pipeline: signed webhook -> worker -> Rasa -> Graph stand-in.

Each tree is started by what a user types (Rasa picks the topic; its answer carries the
`guide` command), then walked by tapping the quick replies the Graph stand-in received, as
Messenger would send them back.
"""

import json
import time

import pytest

from tests.integration.messenger_client import Messenger
from tests.integration.test_messenger_pipeline import bubbles
from webhook import keys
from webhook.simulator import payloads


class Walk:
    """One user walking guided steps; each call waits for the bot's whole answer."""

    def __init__(self, messenger: Messenger, language: str = "en") -> None:
        self.messenger, self.user = messenger, messenger.new_user()
        self.language = language

    def type(self, text: str, *answers: str) -> list[str]:
        return self._send(payloads.text(self.user, text), answers)

    def tap(self, title: str, *answers: str) -> list[str]:
        payload = next(q["payload"] for q in self.quick_replies() if q["title"] == title)
        return self._send(payloads.quick_reply(self.user, title, payload), answers)

    def quick_replies(self) -> list[dict]:
        return self.messenger.sent_messages(self.user)[-1]["message"].get("quick_replies", [])

    def titles(self) -> list[str]:
        return [q["title"] for q in self.quick_replies()]

    def _send(self, event: dict, answers: tuple[str, ...]) -> list[str]:
        before = len(self.messenger.sent_messages(self.user))
        expected = [b for name in answers for b in bubbles(name, self.language)]
        self.messenger.deliver(event)
        self.messenger.wait_for(self.user, before + len(expected))
        time.sleep(0.3)  # nothing more may come
        got = self.messenger.texts(self.user)[before:]
        assert got == expected, (answers, got)
        return got


TREE_WALKS = [
    ("en", "someone hacked my facebook and changed my password", "utter_account_hacked",
     "guide_hacked_account", [("No, I can't", "guide_hacked_account_locked_out"),
      ("Yes, both", "guide_hacked_account_contacts_changed")]),
    ("km", "ខ្ញុំត្រូវគេបោកលុយហើយ", "utter_scam_victim", "guide_scam_money",
     [("លុយ", "guide_scam_money_money"), ("ទេ", "guide_scam_money_bank")]),
    ("en", "someone keeps sending me threats on messenger", "utter_online_harassment",
     "guide_harassment", [("No", "guide_harassment_is_child"), ("No", "guide_harassment_what"),
      ("Threat to share pics", "guide_harassment_images")]),
]


@pytest.mark.parametrize(("language", "text", "opener", "start", "taps"), TREE_WALKS,
                         ids=["hacked_account", "scam_money", "harassment"])
def test_each_urgent_tree_is_walked_to_its_steps(messenger, redis_client, language, text,
                                                 opener, start, taps):
    walk = Walk(messenger, language)
    walk.type(text, opener, start)
    for title, step in taps:
        walk.tap(title, step)
    assert walk.titles()[-1] in ("Main menu", "ម៉ឺនុយដើម")
    position = json.loads(redis_client.get(keys.guide_position(walk.user)))
    assert position["path"][-1] == taps[-1][1]
    assert [answer["title"] for answer in position["answers"]] == [t for t, _ in taps]


def test_the_government_tree_starts_from_its_answer(messenger):
    walk = Walk(messenger)
    walk.type("what are my rights when i use a government online service",
              "utter_gov_services_rights")
    walk.tap("I have a problem", "guide_gov_service")
    walk.tap("Asks too much data", "guide_gov_service_data")
    walk.tap("Not yet", "guide_gov_service_data_before")


def test_back_and_main_menu_work_at_a_step(messenger, redis_client):
    walk = Walk(messenger)
    walk.type("someone hacked my facebook and changed my password",
              "utter_account_hacked", "guide_hacked_account")
    assert "Back" not in walk.titles()  # nothing to go back to on the first step
    walk.tap("No, I can't", "guide_hacked_account_locked_out")
    walk.tap("Back", "guide_hacked_account")
    walk.tap("Yes, I can", "guide_hacked_account_still_in")
    walk.tap("Main menu", "utter_menu")
    assert redis_client.get(keys.guide_position(walk.user)) is None


def test_something_else_typed_midway_is_answered_and_the_steps_can_continue(messenger):
    walk = Walk(messenger)
    walk.type("someone hacked my facebook and changed my password",
              "utter_account_hacked", "guide_hacked_account")
    walk.tap("No, I can't", "guide_hacked_account_locked_out")
    walk.type("how do i make a strong password", "utter_password_strong", "utter_guide_resume")
    walk.tap("Continue the steps", "guide_hacked_account_locked_out")
    walk.type("yes, both", "guide_hacked_account_contacts_changed")  # typed like the button


def test_talk_to_a_person_queues_the_case_with_its_summary(messenger, redis_client):
    walk = Walk(messenger, "km")
    walk.type("មានគេគំរាមខ្ញុំតាម messenger រាល់ថ្ងៃ", "utter_online_harassment",
              "guide_harassment")
    walk.tap("បាទ/ចាស មាន", "guide_harassment_danger")
    before = len(messenger.sent_messages(walk.user))
    payload = next(q["payload"] for q in walk.quick_replies() if q["title"] == "និយាយជាមួយមនុស្ស")
    messenger.deliver(payloads.quick_reply(walk.user, "និយាយជាមួយមនុស្ស", payload))
    messenger.wait_for(walk.user, before + len(bubbles("utter_handoff", "km")) + 1)
    state = redis_client.hgetall(keys.conversation(walk.user))
    assert state["owner"] == "queued" and state["handoff_reason"] == "guide_harassment"
    summary = json.loads(state["case_summary"])
    assert summary["tree"] == "harassment" and summary["language"] == "km"
    assert [(a["at"], a["to"], a["title"]) for a in summary["answers"]] == [
        ("guide_harassment", "guide_harassment_danger", "បាទ/ចាស មាន"),
        ("guide_harassment_danger", "person", "និយាយជាមួយមនុស្ស")]
    assert redis_client.get(keys.guide_position(walk.user)) is None
