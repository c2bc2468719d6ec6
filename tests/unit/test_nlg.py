"""The /nlg endpoint: the right answer, in the right language, for Rasa."""

import shutil

import pytest

from bot.project import RESPONSES
from webhook import create_app

TOKEN = "test-nlg-token"


@pytest.fixture
def responses_dir(tmp_path):
    target = tmp_path / "responses"
    shutil.copytree(RESPONSES, target)
    return target


@pytest.fixture
def client(responses_dir):
    app = create_app({"TESTING": True, "RESPONSES_DIR": responses_dir, "REDIS_URL": "",
                      "NLG_TOKEN": TOKEN})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"  # what Rasa sends
    return client


def _user(text, intent="greet", metadata=None):
    return {"event": "user", "text": text, "metadata": metadata or {},
            "parse_data": {"intent": {"name": intent}}}


def _tracker(*events, slots=None, metadata=None):
    users = [e for e in events if e["event"] == "user"]
    latest = dict(users[-1]) if users else {}
    if metadata is not None:
        latest["metadata"] = metadata
    return {"sender_id": "s", "slots": slots or {}, "latest_message": latest,
            "events": list(events)}


def _nlg(client, name, tracker):
    return client.post("/nlg", json={"response": name, "arguments": {}, "tracker": tracker,
                                     "channel": {"name": "collector"}})


def test_english_message_gets_the_english_answer(client):
    reply = _nlg(client, "utter_greet", _tracker(_user("hello there"))).get_json()
    assert "assistant" in reply["text"].lower()
    assert all(set(b) >= {"title", "payload", "type"} for b in reply["buttons"])


def test_khmer_script_and_latin_khmer_get_khmer(client):
    for text in ("សួស្តី", "sousdey bong"):
        reply = _nlg(client, "utter_greet", _tracker(_user(text))).get_json()
        assert any("\u1780" <= ch <= "\u17ff" for ch in reply["text"]), text


def test_explicit_choice_wins_over_the_message_language(client):
    reply = _nlg(client, "utter_greet", _tracker(_user("សួស្តី"), slots={"language": "en"}))
    assert not any("\u1780" <= ch <= "\u17ff" for ch in reply.get_json()["text"].split("ខ្មែរ")[0])


def test_metadata_language_from_the_worker_is_used(client):
    reply = _nlg(client, "utter_thank", _tracker(_user("👍"), metadata={"language": "en"}))
    assert "welcome" in reply.get_json()["text"].lower()


def test_unclear_message_uses_the_last_clear_one(client):
    tracker = _tracker(_user("how do i stay safe"), _user("/help"), _user("ok"))
    assert "welcome" in _nlg(client, "utter_thank", tracker).get_json()["text"].lower()


def test_nothing_clear_uses_the_default_khmer(client):
    reply = _nlg(client, "utter_thank", _tracker(_user("👍"))).get_json()
    assert any("\u1780" <= ch <= "\u17ff" for ch in reply["text"])


def test_default_language_comes_from_settings(client, responses_dir):
    settings = responses_dir / "settings.yml"
    text = settings.read_text().replace("default_language: km", "default_language: en")
    settings.write_text(text)
    reply = _nlg(client, "utter_thank", _tracker(_user("👍"))).get_json()
    assert "welcome" in reply["text"].lower()


def test_an_edited_file_is_used_on_the_next_answer(client, responses_dir):
    path = responses_dir / "basics.yml"
    path.write_text(path.read_text().replace("utter_goodbye:", "utter_goodbye_old:", 1)
                    + "  utter_goodbye:\n    en: {bubbles: [See you soon]}\n"
                    "    km: {bubbles: [ជួបគ្នាឆាប់ៗ]}\n")
    reply = _nlg(client, "utter_goodbye", _tracker(_user("bye now"))).get_json()
    assert reply["text"] == "See you soon"


@pytest.mark.parametrize(
    ("before", "reason"),
    [("scam_victim", "scam_victim"), ("account_hacked", "account_hacked"),
     ("online_harassment", "online_harassment"), ("nlu_fallback", "fallback"),
     ("greet", "user_request")],
)
def test_handoff_carries_the_command_and_the_reason(client, before, reason):
    tracker = _tracker(_user("x", intent=before), _user("yes", intent="affirm"))
    custom = _nlg(client, "utter_handoff", tracker).get_json()["custom"]
    topic = before if before in ("scam_victim", "account_hacked", "online_harassment") else ""
    assert custom == {"command": "handoff", "reason": reason, "topic": topic}


def test_handoff_carries_the_topic_of_a_sub_topic_for_routing(client):
    tracker = _tracker(_user("pay or we post", intent="sextortion"), _user("yes", intent="affirm"))
    custom = _nlg(client, "utter_handoff", tracker).get_json()["custom"]
    assert custom["topic"] == "online_harassment" and custom["reason"] == "online_harassment"
    tracker = _tracker(_user("vpn?", intent="vpn_use"), _user("yes", intent="affirm"))
    custom = _nlg(client, "utter_handoff", tracker).get_json()["custom"]
    assert custom == {"command": "handoff", "reason": "user_request", "topic": "digital_rights"}


def test_unknown_response_is_a_404(client):
    assert _nlg(client, "utter_nothing", _tracker(_user("hi"))).status_code == 404


def test_malformed_request_is_a_400(client):
    assert client.post("/nlg", data="nope", content_type="application/json").status_code == 400
    assert client.post("/nlg", json={"tracker": {}}).status_code == 400
