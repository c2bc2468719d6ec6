"""The console in Khmer and English (decision 74): the language per account, the switch on every
page, the Accept-Language fallback, Phnom Penh times. Flask's test client and real Redis."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.unit.console_client import csrf_in, page_token, sign_in
from tests.unit.test_console_auth import cheap_hashes  # noqa: F401 - autouse: fast argon2
from webhook import create_app
from webhook.console import accounts, i18n

PASSWORD = "a long enough passphrase"
USER = "psid-i18n-1"
KM_ACCEPT = {"Accept-Language": "km-KH,km;q=0.9,en;q=0.5"}


@pytest.fixture
def app(redis_server, redis_db):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": "secret",
                      "FB_PAGE_ACCESS_TOKEN": "token", "FB_VERIFY_TOKEN": "v",
                      "SECRET_KEY": "test-key" * 4, "SESSION_COOKIE_SECURE": False})
    accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    accounts.create_account(redis_db, "sokha", "Sokha", "moderator", PASSWORD)
    return app


def signed_in(app, username, **request):
    client = app.test_client()
    answer = sign_in(client, username, PASSWORD, page_token(client), **request)
    assert answer.status_code in (302, 303)
    return client


def html_lang(page):
    return re.search(r'<html lang="([^"]*)"', page).group(1)


def test_an_account_set_to_khmer_gets_the_queue_in_khmer(app, redis_db):
    accounts.set_language(redis_db, "dara", "km")
    page = signed_in(app, "dara").get("/console/").get_data(as_text=True)
    assert html_lang(page) == "km"
    for khmer in ("កំពុងរង់ចាំមនុស្ស", "ជួររង់ចាំ", "ចាកចេញ", "អ្នកសម្របសម្រួល"):
        assert khmer in page
    assert "Waiting for a person" not in page
    assert 'value="en"' in page, "the switch offers English back"


def test_the_switch_saves_the_choice_with_the_account(app, redis_db):
    client = signed_in(app, "dara")
    page = client.get("/console/").get_data(as_text=True)
    assert html_lang(page) == "en" and "Waiting for a person" in page
    answer = client.post("/console/language", data={"lang": "km", "next": "/console/",
                                                     "csrf_token": csrf_in(page)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/")
    assert "កំពុងរង់ចាំមនុស្ស" in client.get("/console/").get_data(as_text=True)
    assert accounts.get_account(redis_db, "dara").language == "km"
    # another browser, even one that asks for English, follows the account
    other = signed_in(app, "dara", headers={"Accept-Language": "en"})
    assert html_lang(other.get("/console/").get_data(as_text=True)) == "km"
    # and back to English
    page = client.get("/console/").get_data(as_text=True)
    client.post("/console/language", data={"lang": "en", "csrf_token": csrf_in(page)})
    assert accounts.get_account(redis_db, "dara").language == "en"
    assert "Waiting for a person" in client.get("/console/").get_data(as_text=True)


def test_the_switch_needs_the_form_token_and_ignores_outside_targets(app, redis_db):
    client = signed_in(app, "dara")
    assert client.post("/console/language", data={"lang": "km"}).status_code == 400
    assert accounts.get_account(redis_db, "dara").language == ""
    token = csrf_in(client.get("/console/").get_data(as_text=True))
    answer = client.post("/console/language", data={"lang": "fr", "next": "//evil.example",
                                                     "csrf_token": token})
    assert answer.status_code == 302 and "evil" not in answer.headers["Location"]
    assert accounts.get_account(redis_db, "dara").language == "en", "unknown -> English"


def test_accept_language_picks_the_login_page_language(app):
    client = app.test_client()
    page = client.get("/console/login", headers=KM_ACCEPT).get_data(as_text=True)
    assert html_lang(page) == "km" and "ពាក្យសម្ងាត់" in page
    page = app.test_client().get("/console/login",
                                 headers={"Accept-Language": "fr, de;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == "en" and "Password" in page


def test_the_login_page_switch_holds_for_the_visit_and_the_account_choice_wins(app, redis_db):
    client = app.test_client()
    token = page_token(client)
    client.post("/console/language", data={"lang": "km", "csrf_token": token})
    page = client.get("/console/login").get_data(as_text=True)
    assert html_lang(page) == "km" and "ឈ្មោះអ្នកប្រើ" in page
    accounts.set_language(redis_db, "sokha", "en")
    sign_in(client, "sokha", PASSWORD, csrf_in(page))
    assert html_lang(client.get("/console/").get_data(as_text=True)) == "en"


def test_error_pages_and_flash_messages_are_translated(app, redis_db):
    accounts.set_language(redis_db, "dara", "km")
    client = signed_in(app, "dara")
    page = client.get("/console/content/").get_data(as_text=True)
    assert "មិនអនុញ្ញាត" in page and "ត្រឡប់ទៅកុងសូល" in page  # Not allowed, Back to...
    form_expired = client.post("/console/c/nothing/note", data={"text": "x"})
    assert form_expired.status_code == 400
    assert "ទម្រង់ផុតកំណត់" in form_expired.get_data(as_text=True)


def test_transcript_times_are_phnom_penh_times(app, redis_db):
    service = app.extensions["handoffs"]
    service.conversations.update(USER, last_user_at=int(service.clock.now() * 1000),
                                 language="km")
    service.transcript.add(USER, "user", "ជួយខ្ញុំផង", "km")
    service.escalate(USER, "harassment", "km")
    ref = service.conversations.ref(USER)
    page = signed_in(app, "dara").get(f"/console/c/{ref}").get_data(as_text=True)
    stamp = re.search(r'<time datetime="([0-9.]+)" data-server="1">([^<]+)</time>', page)
    seconds = float(stamp.group(1))
    assert abs(seconds - service.clock.now()) < 60
    phnom_penh = datetime.fromtimestamp(seconds, timezone.utc) + timedelta(hours=7)
    assert stamp.group(2) == phnom_penh.strftime("%Y-%m-%d %H:%M")


def test_the_time_filter_is_utc_plus_7_and_per_language(app):
    with app.test_request_context("/console/login", headers={"Accept-Language": "en"}):
        assert i18n.localtime(0) == "1970-01-01 07:00"
        assert i18n.localtime_of(datetime(2026, 11, 30, 20, 5)) == "2026-12-01 03:05"
    with app.test_request_context("/console/login", headers=KM_ACCEPT):
        assert i18n.localtime(0) == "01/01/1970 07:00"
        assert i18n.weekday_name("mon") == "ច័ន្ទ"


def test_messenger_window_reasons_from_the_service_are_translated(app, redis_db):
    service = app.extensions["handoffs"]
    ten_days_ago = service.clock.now() - 10 * 86400
    service.conversations.update(USER, last_user_at=int(ten_days_ago * 1000), language="km")
    service.transcript.add(USER, "user", "help", "en")
    service.escalate(USER, "harassment", "km")
    ref = service.conversations.ref(USER)
    accounts.set_language(redis_db, "dara", "km")
    page = signed_in(app, "dara").get(f"/console/c/{ref}").get_data(as_text=True)
    window = re.search(r'<dd id="window">([^<]+)</dd>', page).group(1)
    assert window.startswith("មនុស្សនេះបានសរសេរចុងក្រោយកាលពី 10 ថ្ងៃមុន")


def test_the_switch_keeps_the_page_and_its_query(app):
    client = signed_in(app, "dara")
    page = client.get("/console/insights/?days=30").get_data(as_text=True)
    assert 'name="next" value="/console/insights/?days=30"' in page
    answer = client.post("/console/language", data={"lang": "km", "csrf_token": csrf_in(page),
                                                     "next": "/console/insights/?days=30"})
    assert answer.headers["Location"].endswith("/console/insights/?days=30")


def test_the_login_page_switch_keeps_a_safe_next_only(app):
    client = app.test_client()
    page = client.get("/console/login?next=/console/audit").get_data(as_text=True)
    assert 'value="/console/login?next=%2Fconsole%2Faudit"' in page
    assert "evil" not in client.get("/console/login?next=//evil.example").get_data(as_text=True)
