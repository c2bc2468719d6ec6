"""Conversations through the real Rasa server, with answers from the web app's /nlg."""


import pytest
import requests
import yaml

from bot.project import NLU_DATA, RESPONSES
from webhook.content.loader import load_responses, load_settings
from webhook.content.render import to_nlg_reply

TOPICS = [
    "scam_check", "scam_victim", "scam_report", "password_strong", "two_factor",
    "account_hacked", "privacy_settings", "personal_data", "misinformation",
    "online_harassment", "gov_services_rights", "gov_page_verify", "digital_rights",
]
URGENT = ["scam_victim", "account_hacked", "online_harassment"]
ANSWER_LANGUAGE = {"en": "en", "km": "km", "km-Latn": "km"}


def first_example(language: str, intent: str) -> str:
    path = NLU_DATA / language / f"{intent}.yml"
    block = next(b for b in yaml.safe_load(path.read_text())["nlu"] if b["intent"] == intent)
    return block["examples"].strip().splitlines()[0].strip()[2:]


def said(messages: list[dict]) -> str:
    """All the bot's text in one turn (Rasa's REST channel sends each bubble apart)."""
    return "\n\n".join(m["text"] for m in messages if m.get("text"))


def expected_text(name: str, language: str) -> str:
    response = load_responses(RESPONSES)[name]
    return to_nlg_reply(response, language, load_settings(RESPONSES))["text"]


@pytest.mark.parametrize("language", ["en", "km", "km-Latn"])
@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_is_answered_in_the_users_language(chat, topic, language):
    messages = chat.say(first_example(language, topic))
    assert messages, "the bot stayed silent"
    expected = expected_text(f"utter_{topic}", ANSWER_LANGUAGE[language])
    assert said(messages).startswith(expected)
    if topic in URGENT:  # guided steps follow (the worker walks them), each offering the menu
        return
    payloads = {button.get("payload") for button in messages[0].get("buttons", [])}
    assert "/help" in payloads


@pytest.mark.parametrize("topic", URGENT)
def test_urgent_topics_start_guided_steps_and_a_person_gets_the_reason(chat, topic):
    messages = chat.say(first_example("en", topic))
    assert said(messages) == expected_text(f"utter_{topic}", "en")
    assert [m["custom"]["command"] for m in messages if "custom" in m] == ["guide"]
    handoff = chat.say("I want to talk to a person")
    # the reason routes and the topic heads the case summary (decision 77)
    assert {"command": "handoff", "reason": topic, "topic": topic} in [
        m["custom"] for m in handoff if "custom" in m]


def test_asking_for_a_person_always_reaches_a_person(chat):
    messages = chat.say("I want to talk to a real person")
    assert said(messages) == expected_text("utter_handoff", "en")
    assert any(m.get("custom") == {"command": "handoff", "reason": "user_request", "topic": ""}
               for m in messages)


def test_two_fallbacks_in_a_row_offer_a_person(chat):
    gibberish = ["xq zvvk plom trrr", "kkkk jjjj qqqq"]
    assert all(chat.parse(text)["intent"]["name"] == "nlu_fallback" for text in gibberish)
    first = chat.say(gibberish[0])
    assert said(first) == expected_text("utter_fallback", "km")
    second = chat.say(gibberish[1])
    assert said(second) == expected_text("utter_offer_human", "km")
    handoff = chat.say("/affirm")
    assert any(m.get("custom") == {"command": "handoff", "reason": "fallback", "topic": ""}
               for m in handoff)


def test_a_chosen_language_is_kept(chat):
    choice = chat.say("change language")
    payloads = [b["payload"] for b in choice[0]["buttons"]]
    assert payloads == ['/change_language{"language":"km"}', '/change_language{"language":"en"}']
    assert said(chat.say(payloads[1])) == expected_text("utter_language_changed", "en")
    khmer_question = first_example("km", "password_strong")
    assert said(chat.say(khmer_question)) == expected_text("utter_password_strong", "en")


def test_deleting_my_data_asks_first(chat):
    assert said(chat.say("please delete my data")) == expected_text(
        "utter_delete_my_data_confirm", "en")
    done = chat.say("/affirm")
    assert any(m.get("custom") == {"command": "delete_my_data"} for m in done)


def test_khmer_in_another_byte_order_is_understood_the_same(chat):
    canonical = "ខ្ញុំត្រូវគេបោកលុយ"
    scrambled = canonical.replace("\u17d2\u1789\u17bb\u17c6", "\u17d2\u1789\u17c6\u17bb")
    scrambled = scrambled[:5] + "\u200b" + scrambled[5:]
    assert scrambled != canonical
    assert chat.parse(canonical)["intent"] == chat.parse(scrambled)["intent"]
    chat.say(scrambled)
    assert chat.user_texts()[-1] == scrambled, "the stored text must be what the user typed"


def test_the_tracker_lives_in_redis_and_expires(chat, redis_client):
    chat.say("hello")
    keys = [key for key in redis_client.scan_iter("rasa*") if chat.sender in key]
    assert keys, "no tracker in Redis"
    assert 0 < redis_client.ttl(keys[0]) <= 30 * 86400


def test_health_is_ok_when_everything_runs(stack):
    response = requests.get(f"{stack.web_url}/healthz", timeout=5)
    assert response.status_code == 200, response.text
