"""/nlg is Rasa's alone and checks what it reads (issue 10 finding 1; issue 16): its key, its own
body limit, the type and length of every field; refusals are 4xx with a short reason, logged
as errors with the response name and nothing the user wrote."""

import json
import shutil

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg_client import nlg_body
from bot.project import DOMAIN_DIR, RESPONSES
from webhook import create_app, keys
from webhook.insights.days import day_of

TOKEN = "test-nlg-token-1f3a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path, redis_server, redis_db):
    shutil.copytree(RESPONSES, tmp_path / "responses")
    return create_app({"TESTING": True, "RESPONSES_DIR": tmp_path / "responses",
                       "REDIS_URL": redis_server, "NLG_TOKEN": TOKEN, "NLG_MAX_BYTES": 8192})


@pytest.fixture
def client(app):
    return app.test_client()


def body(text="hello there", intent="greet", message_id="a1b2c3", response="utter_greet",
         **extra):
    latest = {"text": text, "intent": {"name": intent}, "message_id": message_id,
              "metadata": {"language": "en"}, **extra}
    return {"response": response, "tracker": {"slots": {}, "latest_message": latest,
                                              "events": []}}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": TOKEN}, {"Authorization": "Bearer "}])
def test_without_rasas_token_nothing_is_read(client, redis_db, headers):
    answer = client.post("/nlg", json=body(), headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["description"] == "missing or wrong NLG token"
    assert not list(redis_db.scan_iter("hl:insights:*"))


def test_rasas_token_is_answered(client):
    answer = client.post("/nlg", json=body(), headers=AUTH)
    assert answer.status_code == 200 and "assistant" in answer.get_json()["text"].lower()


def test_a_body_over_the_nlg_limit_is_refused_and_logged_by_response_name(client, caplog):
    secret = "my private words " * 1000
    with caplog.at_level("ERROR"):
        answer = client.post("/nlg", json=body(text=secret), headers={
            **AUTH, "X-Response-Name": "utter_greet"})
    assert answer.status_code == 413
    refusal = next(r for r in caplog.records if r.getMessage() == "nlg request refused")
    assert refusal.levelname == "ERROR" and refusal.response == "utter_greet"
    assert refusal.status == 413 and "private" not in caplog.text


def test_the_nlg_limit_is_not_the_webhooks(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_WEBHOOK_BYTES"] != 8192


@pytest.mark.parametrize("raw", ["[" * 3000 + "]" * 3000,
                                 '{"response": "utter_greet", "tracker": ' + "[" * 3000
                                 + "]" * 3000 + "}",
                                 "not json", '{"response": "utter_greet"'],
                         ids=["nested", "nested-in-tracker", "not-json", "cut-short"])
def test_bad_json_is_a_400_never_a_500(client, raw):
    answer = client.post("/nlg", data=raw, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "Traceback" not in answer.get_data(as_text=True)


@pytest.mark.parametrize(("change", "where"), [
    ({"response": 7}, "response"),
    ({"response": "utter greet\n"}, "response"),
    ({"response": "u" * 101}, "response"),
    ({"tracker": []}, "tracker"),
    ({"tracker": {"latest_message": {"message_id": "x" * 65}}}, "tracker.latest_message"),
    ({"tracker": {"latest_message": {"message_id": "../../etc"}}}, "tracker.latest_message"),
    ({"tracker": {"latest_message": {"text": "a" * 2001}}}, "tracker.latest_message.text"),
    ({"tracker": {"latest_message": {"text": ["a"]}}}, "tracker.latest_message.text"),
    ({"tracker": {"latest_message": {"intent": {"name": "i" * 101}}}}, "tracker"),
    ({"tracker": {"latest_message": {"metadata": {"language": "x" * 17}}}}, "tracker"),
    ({"tracker": {"slots": {f"s{i}": 1 for i in range(33)}}}, "tracker.slots"),
    ({"tracker": {"slots": {"language": "k" * 201}}}, "tracker.slots.language"),
    ({"tracker": {"events": [{"event": "user"}] * 201}}, "tracker.events"),
    ({"tracker": {"events": [{"text": "no kind"}]}}, "tracker.events.0"),
])
def test_every_field_read_is_checked(client, change, where):
    answer = client.post("/nlg", json={**body(), **change}, headers=AUTH)
    assert answer.status_code == 400
    assert answer.get_json()["description"].startswith(where)


def test_a_made_up_intent_is_counted_as_other(client, redis_db):
    client.post("/nlg", json=body(intent="made_up_by_someone", message_id="m-1"), headers=AUTH)
    client.post("/nlg", json=body(intent="greet", message_id="m-2"), headers=AUTH)
    counters = redis_db.hgetall(keys.insights_day(day_of(__import__("time").time())))
    assert counters[b"intent:other"] == b"1" and counters[b"intent:greet"] == b"1"
    assert not any(b"made_up" in name for name in counters)


def test_the_compact_body_of_rasas_generator_gets_the_answer_and_the_reason(client):
    domain = Domain.load(str(DOMAIN_DIR))
    events = [ActionExecuted("action_session_start"), SessionStarted(),
              ActionExecuted("action_listen")]
    for text, intent in [("hello", "greet"), ("they took my money", "scam_victim"),
                         ("yes", "affirm")]:
        events += [UserUttered(text, {"name": intent}, metadata={"language": "en"}),
                   ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("u", events, domain.slots)
    answer = client.post("/nlg", data=json.dumps(nlg_body("utter_handoff", tracker)),
                         headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 200
    assert answer.get_json()["custom"] == {"command": "handoff", "reason": "scam_victim",
                                           "topic": "scam_victim"}
