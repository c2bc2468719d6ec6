"""Sub-topics and "ask, don't guess" (issue 12): the taxonomy, the decision to ask, and the
question /nlg sends instead of the plain fallback."""

import shutil

import pytest
import yaml

from bot import clarify
from bot.project import CORE_DOMAIN, NLU_DATA, RESPONSES, used_responses
from bot.taxonomy import finer_topics, subtopics, topic_of, topic_ranking
from webhook import create_app

TOPICS = {"scam_check", "scam_victim", "scam_report", "password_strong", "two_factor",
          "account_hacked", "privacy_settings", "personal_data", "misinformation",
          "online_harassment", "gov_services_rights", "gov_page_verify", "digital_rights"}


def _ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_every_finer_intent_has_a_topic_intent_and_is_in_the_domain():
    domain = set(yaml.safe_load(CORE_DOMAIN.read_text())["intents"])
    assert len(finer_topics()) >= 27
    for finer, topic in finer_topics().items():
        assert topic in TOPICS, finer
        assert finer in domain and finer not in TOPICS


def test_every_finer_intent_has_training_data_in_three_forms_and_an_answer():
    for language in ("en", "km", "km-Latn"):
        text = "".join(path.read_text() for path in (NLU_DATA / language).glob("*.yml"))
        for finer in finer_topics():
            assert f"intent: {finer}\n" in text, (language, finer)
    for finer in finer_topics():
        assert f"utter_{finer}" in used_responses(), finer


def test_topic_of_maps_finer_intents_and_keeps_topics():
    assert topic_of("scam_loan_app") == "scam_victim"
    assert topic_of("scam_check") == "scam_check"
    assert "scam_fake_payment" in subtopics("scam_check")


def test_sub_topics_of_one_topic_add_up():
    ranked = topic_ranking(_ranking(("nlu_fallback", 0.3), ("scam_fake_payment", 0.3),
                                    ("scam_check", 0.25), ("scam_victim", 0.4)))
    assert ranked[0][0] == "scam_check" and ranked[0][1] == pytest.approx(0.55)
    assert ranked[0][2] == "scam_fake_payment"


def test_asks_only_when_two_menu_topics_are_close_and_unsure():
    close = _ranking(("scam_victim", 0.34), ("scam_check", 0.30), ("greet", 0.1))
    assert clarify.choices(close) == ("scam_victim", "scam_check")
    assert clarify.choices(_ranking(("scam_victim", 0.7), ("scam_check", 0.2))) is None
    assert clarify.choices(_ranking(("scam_victim", 0.45), ("scam_check", 0.2))) is None
    assert clarify.choices(_ranking(("greet", 0.35), ("scam_check", 0.33))) is None
    parse = {"intent": {"name": "nlu_fallback"}, "intent_ranking": close}
    assert clarify.asks(parse)
    assert not clarify.asks({"intent": {"name": "scam_victim"}, "intent_ranking": close})


@pytest.fixture
def client(tmp_path):
    target = tmp_path / "responses"
    shutil.copytree(RESPONSES, target)
    app = create_app({"TESTING": True, "RESPONSES_DIR": target, "REDIS_URL": "",
                      "NLG_TOKEN": "test-token"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer test-token"  # what Rasa sends
    return client


def _fallback_tracker(text, ranking):
    latest = {"text": text, "intent": {"name": "nlu_fallback"}, "intent_ranking": ranking,
              "metadata": {}}
    return {"sender_id": "s", "slots": {}, "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest}]}


def _nlg(client, tracker):
    return client.post("/nlg", json={"response": "utter_fallback", "arguments": {},
                                     "tracker": tracker, "channel": {"name": "collector"}})


def test_a_close_call_becomes_a_question_with_the_two_topics(client):
    ranking = _ranking(("nlu_fallback", 0.3), ("scam_loan_app", 0.25), ("scam_victim", 0.1),
                       ("online_harassment", 0.3))
    reply = _nlg(client, _fallback_tracker("the lender posts about me everywhere", ranking))
    body = reply.get_json()
    assert reply.status_code == 200
    payloads = [button["payload"] for button in body["buttons"]]
    assert payloads[:2] == ["/scam_loan_app", "/online_harassment"]
    assert "Lost money" in body["text"] and "Threats/harassment" in body["text"]


def test_the_question_is_in_khmer_for_khmer_users(client):
    ranking = _ranking(("nlu_fallback", 0.3), ("scam_check", 0.3), ("scam_victim", 0.28))
    body = _nlg(client, _fallback_tracker("លុយខ្ញុំ app នោះ", ranking)).get_json()
    assert "ឬ" in body["text"] and body["buttons"][0]["title"] == "ការបោកប្រាស់"


def test_a_plain_fallback_stays_a_plain_fallback(client):
    ranking = _ranking(("nlu_fallback", 0.3), ("greet", 0.2), ("scam_check", 0.19))
    body = _nlg(client, _fallback_tracker("asdf qwer", ranking)).get_json()
    assert not any(button["payload"] == "/greet" for button in body.get("buttons", []))
    assert "Just to be sure" not in body["text"]


def test_the_editor_lists_a_sub_topic_answer_with_its_topic():
    from webhook.content.completeness import editor_topic
    from webhook.content.loader import load_responses

    responses = load_responses(RESPONSES)
    assert editor_topic("utter_scam_loan_app", responses) == responses["utter_scam_victim"].topic
    assert editor_topic("utter_sextortion", responses) == responses["utter_online_harassment"].topic
    assert editor_topic("utter_greet", responses) == "basics"


def test_the_compact_nlg_body_carries_the_two_topics(client):
    tracker = {"sender_id": "s", "slots": {}, "events": [],
               "latest_message": {"text": "x", "intent": {"name": "nlu_fallback"},
                                  "clarify": [["scam_victim", "scam_loan_app"],
                                              ["online_harassment", "online_harassment"]]}}
    body = _nlg(client, tracker).get_json()
    assert [b["payload"] for b in body["buttons"][:2]] == ["/scam_loan_app", "/online_harassment"]


def test_rasas_side_puts_the_two_topics_in_the_compact_body():
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.nlg_client import nlg_body

    ranking = _ranking(("nlu_fallback", 0.3), ("scam_loan_app", 0.25), ("scam_victim", 0.1),
                       ("online_harassment", 0.3))
    event = UserUttered("x", {"name": "nlu_fallback", "confidence": 0.3},
                        parse_data={"intent": {"name": "nlu_fallback"}, "intent_ranking": ranking})
    tracker = DialogueStateTracker.from_events("u", [event])
    latest = nlg_body("utter_fallback", tracker)["tracker"]["latest_message"]
    assert latest["clarify"] == [["scam_victim", "scam_loan_app"],
                                 ["online_harassment", "online_harassment"]]
