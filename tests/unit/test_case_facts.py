"""The case summary's facts: the topic the user wrote about routes the case and heads the
summary; the scam check's verdict is kept (codes only) and shown to the moderator."""

import json

from bot.project import RESPONSES
from tests.unit.test_console_moderation import app, graph, login  # noqa: F401
from webhook import keys
from webhook.console.reasons import reason_name
from webhook.content.loader import FolderContent
from webhook.nlg.clarify_reply import topic_titles
from webhook.routing import teams
from webhook.scamcheck.conversation import VERDICT_FIELD, CheckerSource, check_reply

USER = "psid-facts-1"
SCAM = "Send me the OTP code now or your account will be closed today http://bit.ly/x1"


def test_the_topic_routes_when_no_urgent_reason_does():
    assert teams.team_for("user_request", "en", "digital_rights") == "legal"
    assert teams.team_for("user_request", "km", "online_harassment") == "gbv"
    assert teams.team_for("user_request", "en", "scam_check") == "english"
    assert teams.team_for("user_request", "km", "") == "khmer"


def test_a_check_keeps_its_verdict_on_the_conversation_but_never_the_text(redis_db):
    redis_db.hset(keys.conversation(USER), "language", "en")
    source = CheckerSource(FolderContent(RESPONSES), None)
    check_reply(source, redis_db, SCAM, "en", psid=USER, checked="picture")
    stored = json.loads(redis_db.hget(keys.conversation(USER), VERDICT_FIELD))
    assert stored["verdict"] == "strong" and stored["checked"] == "picture"
    assert "otp_request" in stored["signs"] and len(stored["signs"]) <= 5
    assert "OTP" not in json.dumps(stored) and "bit.ly" not in json.dumps(stored)
    check_reply(source, redis_db, "hello", "en")  # no user: nothing kept
    assert json.loads(redis_db.hget(keys.conversation(USER), VERDICT_FIELD)) == stored


def test_the_summary_shows_topic_verdict_and_signs(app, redis_db):  # noqa: F811
    service = app.extensions["handoffs"]
    service.conversations.update(USER, last_user_at=int(service.clock.now() * 1000),
                                 language="en")
    service.transcript.add(USER, "user", "is this real?", "en")
    check_reply(CheckerSource(FolderContent(RESPONSES), None), redis_db, SCAM, "en", USER)
    service.escalate(USER, "user_request", "en", topic="scam_check")
    state = service.conversations.get(USER)
    assert state["handoff_topic"] == "scam_check" and state["team"] == "english"
    client = app.test_client()
    login(client, "dara")
    page = client.get(f"/console/c/{service.conversations.ref(USER)}").get_data(as_text=True)
    summary = page[page.index('id="case-summary"'):page.index("Transcript</h2>")]
    assert "Case summary: Scams" in summary  # the main menu's title for the topic
    assert "Strong signs of a scam" in summary and "a message they checked" in summary
    assert summary.count("<li>") >= 2  # the signs, explained
    assert "OTP code now" not in summary  # the text itself is in the transcript only
    assert "They asked for a person" in summary and "user_request" in summary  # words + code
    [waiting] = client.get("/console/queue.json").get_json()["waiting"]
    assert waiting["reason"] == "user_request"
    assert waiting["reason_name"] == "They asked for a person"


def test_an_urgent_reason_is_named_by_the_menu_in_the_page_language(app):  # noqa: F811
    content = app.extensions["content_store"].current()
    with app.test_request_context():
        english, khmer = topic_titles(content, "en"), topic_titles(content, "km")
        assert reason_name("scam_victim", english) == "Lost money"
        assert reason_name("scam_victim", khmer) == "បាត់លុយ"
        assert reason_name("guide_harassment", english).startswith("Guided steps")
        assert reason_name("something_new", english) == "something_new"
