"""The scam alert library in the console (Flask test client, real Redis): staff add an alert
and the next matching message names it; counts and trending hold no user ids."""

import json

import pytest

from tests.unit.console_client import csrf_in, sign_in
from webhook import create_app, keys
from webhook.console.accounts import create_account
from webhook.scamcheck.conversation import CheckerSource, check_reply, joined, nlg_answer
from webhook.scamcheck.library import AlertLibrary, match_counts, trending

PASSWORD = "a long enough passphrase"
FORM = {
    "id": "fake-wing-lottery", "title_en": "the fake Wing lottery",
    "title_km": "ឆ្នោត Wing ក្លែងក្លាយ",
    "examples": "Wing lucky draw: you won a motorbike, pay the 25$ tax to receive it",
    "links": "wing-lucky-draw.top", "numbers": "+855 12 999 888",
    "signs": ["prize", "upfront_fee"], "answer_en": "Wing runs no such draw.",
    "answer_km": "Wing មិនមានឆ្នោតបែបនេះទេ។", "comment": "seen in three reports",
}


@pytest.fixture
def app(redis_server, redis_db):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": "secret",
                      "FB_PAGE_ACCESS_TOKEN": "token", "FB_VERIFY_TOKEN": "v",
                      "SECRET_KEY": "test-key" * 4, "SESSION_COOKIE_SECURE": False})
    create_account(redis_db, "kanha", "Kanha", "editor", PASSWORD)
    create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    return app


def editor(app):
    client = app.test_client()
    sign_in(client, "kanha", PASSWORD)
    return client


def add_alert(client, **changes):
    token = csrf_in(client.get("/console/scam-alerts/new").get_data(as_text=True))
    return client.post("/console/scam-alerts/save", data={**FORM, **changes,
                                                          "csrf_token": token})


def test_an_added_alert_is_named_in_the_next_matching_check(app, redis_db):
    client = editor(app)
    page = client.get("/console/scam-alerts/").get_data(as_text=True)
    assert "the fake bank" in page  # seeded on first use
    source = CheckerSource(app.extensions["content_store"], redis_db)
    assert add_alert(client).status_code == 302
    for text in ("wing lucky draw, you won a motorbike, pay the 25$ tax to receive it",
                 "call 012 999 888 now", "go to wing-lucky-draw.top/claim"):
        reply = joined(check_reply(source, redis_db, text, "en"))["text"]
        assert "This looks like the fake Wing lottery: Wing runs no such draw." in reply, text
    assert match_counts(redis_db)["fake-wing-lottery"] == 3
    listed = client.get("/console/scam-alerts/").get_data(as_text=True)
    assert "the fake Wing lottery" in listed


def test_alerts_are_versioned_and_can_be_restored(app, redis_db):
    client = editor(app)
    add_alert(client)
    add_alert(client, answer_en="Changed answer", comment="second")
    library = AlertLibrary(redis_db)
    history = library.versions.history("fake-wing-lottery")
    assert [v.comment for v in history] == ["second", "seen in three reports"]
    assert library.get("fake-wing-lottery").answer["en"] == "Changed answer"
    page = client.get("/console/scam-alerts/edit/fake-wing-lottery").get_data(as_text=True)
    client.post(f"/console/scam-alerts/restore/fake-wing-lottery/{history[1].revision}",
                data={"csrf_token": csrf_in(page)})
    assert library.get("fake-wing-lottery").answer["en"] == "Wing runs no such draw."


def test_moderators_cannot_edit_alerts(app):
    client = app.test_client()
    sign_in(client, "dara", PASSWORD)
    assert client.get("/console/scam-alerts/").status_code == 403


def test_unmatched_checks_are_kept_masked_and_grouped_without_user_ids(app, redis_db):
    source = CheckerSource(app.extensions["content_store"], redis_db)
    for number in ("111111", "222222", "333333"):
        check_reply(source, redis_db, f"Telegram crypto club: invest now, profit 40% daily, "
                                      f"your code is {number}", "en")
    stored = [key.decode() for key in redis_db.scan_iter(match="hl:scamcheck:*")]
    assert all("psid" not in key for key in stored)
    trends = trending(redis_db)
    assert trends and trends[0].size == 3
    assert "111111" not in json.dumps([t.example for t in trends])
    assert keys.scamcheck_unmatched("x").startswith("hl:scamcheck:")


def test_nlg_checks_a_quoted_message_understood_as_scam_check(app, redis_db):
    source = CheckerSource(app.extensions["content_store"], redis_db)
    tracker = {"sender_id": "psid-1", "latest_message": {
        "text": "is this real? ABA: account locked, login at ababank-secure.com/login"}}
    reply = nlg_answer("utter_scam_check", tracker, "en", source, redis_db)
    assert reply["text"].startswith("⚠️ This has clear signs of a scam.")
    assert "/scam_victim" in [button["payload"] for button in reply["buttons"]]
    plain = {"sender_id": "psid-1", "latest_message": {"text": "how do I spot a scam?"}}
    assert nlg_answer("utter_scam_check", plain, "en", source, redis_db) is None
    assert redis_db.hget(keys.conversation("psid-1"), "scam_context_at")
