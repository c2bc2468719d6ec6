"""Sub-topics (issue 12) through the real Rasa server and /nlg: each gets its own answer in the
user's language, urgent ones offer a person, and a close call between two topics is a question."""

import pytest
import yaml

from bot.project import NLU_DATA
from bot.taxonomy import finer_topics
from tests.integration.test_conversations import expected_text, said

URGENT = {"scam_malicious_app", "scam_loan_app", "hacked_contacts_changed",
          "hacked_business_page", "hacked_tiktok_instagram", "sextortion",
          "child_exploitation", "partner_spyware"}
FILES = {"scam": "sub_scams.yml", "login": "sub_accounts.yml", "hacked": "sub_accounts.yml",
         "account": "sub_accounts.yml", "photo": "sub_accounts.yml"}


def first_example(language: str, intent: str) -> str:
    path = NLU_DATA / language / FILES.get(intent.split("_")[0], "sub_people.yml")
    block = next(b for b in yaml.safe_load(path.read_text())["nlu"] if b["intent"] == intent)
    return block["examples"].strip().splitlines()[0].strip()[2:]


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("intent", sorted(finer_topics()))
def test_each_sub_topic_gets_its_own_answer(chat, intent, language):
    messages = chat.say(first_example(language, intent))
    expected = [expected_text(f"utter_{intent}", language)]
    if intent in URGENT:
        expected.append(expected_text("utter_offer_human_urgent", language))
    assert said(messages) == "\n\n".join(expected)


def test_a_tapped_choice_of_the_question_gets_that_answer(chat):
    messages = chat.say("/scam_loan_app")
    assert said(messages).startswith(expected_text("utter_scam_loan_app", "km"))
