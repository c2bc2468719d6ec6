"""The insights pages with Flask's test client and real Redis: who may open them, charts,
CSV downloads, masking on display, assigning and dismissing groups."""

import csv
import io
import json
import re
import time

import pytest

from tests.unit.console_client import page_token, sign_in
from webhook import create_app
from webhook.console import audit
from webhook.console.accounts import create_account
from webhook.insights import examples, hooks, stats, unanswered
from webhook.insights.days import day_of

PASSWORD = "a long enough passphrase"
RETENTION = 30 * 86400
SCAM_ASKS = ["is the ABA prize message on telegram real",
             "Is the ABA prize message on Telegram real?",
             "is this aba prize message real"]


@pytest.fixture
def app(redis_server, redis_db, tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": "secret",
                      "FB_PAGE_ACCESS_TOKEN": "token", "FB_VERIFY_TOKEN": "v",
                      "SECRET_KEY": "test-key" * 4, "SESSION_COOKIE_SECURE": False,
                      "INSIGHTS_MODELS_DIR": tmp_path})
    for name, role in (("dara", "moderator"), ("editor1", "editor"), ("admin1", "admin")):
        create_account(redis_db, name, name.title(), role, PASSWORD)
    return app


def login(client, username):
    answer = sign_in(client, username, PASSWORD)
    assert answer.status_code in (302, 303)
    return page_token(client, "/console/insights/")  # signing in renews it


def signed_in(app, username):
    client = app.test_client()
    return client, login(client, username)


@pytest.fixture
def questions(redis_db):
    now = time.time()
    for text in [*SCAM_ASKS, "ខ្ញុំចង់ដឹងរបៀបរាយការណ៍ page ក្លែងក្លាយ", "where do I pay my water bill"]:
        unanswered.record(redis_db, text, "fallback", now, RETENTION)
    return unanswered.recent(redis_db, 1, now, 100)


def _ticks_showing(page, word):
    """{checkbox value: text shown} of the examples whose text holds `word`."""
    pattern = r'name="question" value="([^"]+)"[^>]*>\s*<span class="text"[^>]*>([^<]*)<'
    return {value: text for value, text in re.findall(pattern, page) if word in text}


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = app.test_client()
    for path in ("/console/insights/", "/console/insights/unanswered",
                 "/console/insights/analytics.csv", "/console/insights/intents.csv"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_moderators_see_analytics_but_not_the_unanswered_questions(app, questions):
    client, token = signed_in(app, "dara")
    assert client.get("/console/insights/").status_code == 200
    assert client.get("/console/insights/analytics.csv").status_code == 200
    assert client.get("/console/insights/unanswered").status_code == 403
    answer = client.post("/console/insights/unanswered/assign",
                         data={"csrf_token": token, "intent": "scam_check",
                               "question": [questions[0].id]})
    assert answer.status_code == 403
    assert examples.all_examples(app.extensions["redis"], time.time(), RETENTION) == []


@pytest.mark.parametrize("username", ["editor1", "admin1"])
def test_editors_and_admins_see_both_pages_and_the_nav_links(app, username):
    client, _ = signed_in(app, username)
    page = client.get("/console/insights/").get_data(as_text=True)
    assert 'href="/console/insights/unanswered"' in page
    assert client.get("/console/insights/unanswered").status_code == 200


def test_analytics_draws_svg_charts_without_inline_styles(app, redis_db):
    now = time.time()
    for psid in ("psid-1", "psid-2"):
        stats.record_message(redis_db, psid, now)
    stats.record_turn(redis_db, "scam_check", "en", now)
    stats.record_turn(redis_db, "nlu_fallback", "km", now)
    stats.record_fallback(redis_db, now)
    hooks.handoff_queued(redis_db, "fallback", now)
    hooks.handoff_claimed(redis_db, 300, now)
    client, _ = signed_in(app, "editor1")
    answer = client.get("/console/insights/?days=7")
    page = answer.get_data(as_text=True)
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert page.count("<svg") == 9 and "<rect" in page
    assert "style=" not in page and "<script" not in page
    assert "scam_check: 1" in page and "50.0 %" in page and "5.0 min" in page
    assert "psid-1" not in page
    assert page.count('<tr><td>') == 7, "one row per day of the period"


def test_the_period_is_one_of_7_30_90_days(app):
    client, _ = signed_in(app, "editor1")
    for asked, rows in (("7", 7), ("90", 90), ("1000", 30), ("x", 30)):
        text = client.get(f"/console/insights/analytics.csv?days={asked}").get_data(as_text=True)
        assert len(text.splitlines()) == rows + 1, asked


def test_csv_downloads_hold_the_numbers_per_day(app, redis_db):
    now = time.time()
    stats.record_message(redis_db, "psid-1", now)
    stats.record_turn(redis_db, "greet", "km", now)
    client, _ = signed_in(app, "dara")
    answer = client.get("/console/insights/analytics.csv?days=7")
    assert answer.mimetype == "text/csv"
    assert 'filename="analytics-7d.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["date"] for row in rows][-1] == day_of(now)
    assert (rows[-1]["conversations"], rows[-1]["messages"], rows[-1]["answers_km"]) == \
        ("1", "1", "1")
    intents = client.get("/console/insights/intents.csv?days=7").get_data(as_text=True)
    assert intents.splitlines() == ["date,topic,intent,count", f"{day_of(now)},greet,greet,1"]


def test_unanswered_groups_are_shown_masked(app, redis_db, questions):
    [water] = [question for question in questions if "water" in question.text]
    key = f"hl:insights:unanswered:{water.day}"
    stored = {**json.loads(redis_db.hget(key, water.id)), "text": "my pin is 4455 ok"}
    redis_db.hset(key, water.id, json.dumps(stored))
    client, _ = signed_in(app, "editor1")
    page = client.get("/console/insights/unanswered").get_data(as_text=True)
    assert "4455" not in page and "my pin is [code hidden] ok" in page
    assert "ខ្ញុំចង់ដឹងរបៀបរាយការណ៍ page ក្លែងក្លាយ" in page
    assert re.search(r"<h3[^>]*>3 messages\s*<span class=\"meta\">· en · fallback", page)
    assert '<option value="scam_check">' in page


def test_assigning_a_group_keeps_examples_and_removes_its_questions(app, redis_db, questions):
    client, token = signed_in(app, "editor1")
    page = client.get("/console/insights/unanswered").get_data(as_text=True)
    ticked = _ticks_showing(page, "prize")
    assert len(ticked) == 2, "two wordings; the third message repeats the first"
    answer = client.post("/console/insights/unanswered/assign", follow_redirects=True,
                         data={"csrf_token": token, "intent": "scam_check",
                               "question": list(ticked)})
    page = answer.get_data(as_text=True)
    assert "2 example(s) assigned to scam_check" in page
    assigned = examples.all_examples(redis_db, time.time(), RETENTION)
    assert sorted((e.text, e.intent, e.language, e.assigned_by) for e in assigned) == sorted(
        (text, "scam_check", "en", "editor1") for text in ticked.values())
    left = [q.text for q in unanswered.recent(redis_db, 1, time.time(), 100)]
    assert not any("prize" in text for text in left), "repeats of the wording went too"
    assert "assigned by editor1, not exported yet" in page
    entry = audit.recent(redis_db, action="examples_assigned")[0]
    assert (entry.actor, entry.detail) == ("editor1", "scam_check")


def test_messages_without_a_clear_language_cannot_be_assigned(app, redis_db):
    unanswered.record(redis_db, "👍👍 ???", "fallback", time.time(), RETENTION)
    [question] = unanswered.recent(redis_db, 1, time.time(), 10)
    client, token = signed_in(app, "editor1")
    answer = client.post("/console/insights/unanswered/assign", follow_redirects=True,
                         data={"csrf_token": token, "intent": "thank",
                               "question": [question.id]})
    assert "no clear language" in answer.get_data(as_text=True)
    assert unanswered.recent(redis_db, 1, time.time(), 10) == [question]


def test_an_unknown_intent_is_refused(app, redis_db, questions):
    client, token = signed_in(app, "editor1")
    answer = client.post("/console/insights/unanswered/assign", follow_redirects=True,
                         data={"csrf_token": token, "intent": "made_up",
                               "question": [questions[0].id]})
    assert "Choose the intent" in answer.get_data(as_text=True)
    assert examples.all_examples(redis_db, time.time(), RETENTION) == []


def test_assigning_needs_a_csrf_token(app, questions):
    client, _ = signed_in(app, "editor1")
    answer = client.post("/console/insights/unanswered/assign",
                         data={"intent": "scam_check", "question": [questions[0].id]})
    assert answer.status_code == 400


def test_dismissing_forgets_the_ticked_messages(app, redis_db, questions):
    client, token = signed_in(app, "editor1")
    water = [q.id for q in questions if "water" in q.text]
    answer = client.post("/console/insights/unanswered/dismiss", follow_redirects=True,
                         data={"csrf_token": token, "question": water})
    assert "1 message(s) dismissed" in answer.get_data(as_text=True)
    assert len(unanswered.recent(redis_db, 1, time.time(), 100)) == len(questions) - 1
    assert examples.all_examples(redis_db, time.time(), RETENTION) == []
