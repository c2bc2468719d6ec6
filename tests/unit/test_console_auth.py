"""Console sign-in against a real Redis: sessions, limits, CSRF, redirects, cookies, headers."""

import re
import time

import pytest
from argon2 import PasswordHasher
from flask import request

from tests.unit.console_client import page_token, second_step
from webhook import config, create_app
from webhook.console import accounts, audit, auth, signin_limits

PASSWORD = "correct horse battery"
SECRETS = {"FB_APP_SECRET": "test-app-secret", "FB_PAGE_ACCESS_TOKEN": "test-token",
           "FB_VERIFY_TOKEN": "test-verify", "NLG_TOKEN": "test-nlg",
           "SECRET_KEY": "test-secret-key-" + "k" * 32, "RASA_TOKEN": "test-rasa-token"}


def console_app(redis_url, **settings):
    """The app with the console's blueprints and checks (until app.py registers them)."""
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **SECRETS, **settings})
    if "auth" not in app.blueprints:
        app.register_blueprint(auth.bp)
        app.register_blueprint(audit.bp)
        auth.init_app(app)
    return app


def session_token(client):
    """The CSRF token of the client's current session."""
    with client.session_transaction("/console/") as session:
        return session["csrf"]


def login(client, username, password=PASSWORD, next_url=None, ip="127.0.0.1"):
    """Post the login form as a browser would (token from the page first), and the second
    factor when asked."""
    form = {"username": username, "password": password, "csrf_token": page_token(client)}
    if next_url is not None:
        form["next"] = next_url
    answer = client.post("/console/login", data=form, environ_base={"REMOTE_ADDR": ip})
    return second_step(client, answer, username)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Fast argon2 parameters: these tests are about sign-in, not hashing cost."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))


@pytest.fixture
def app(redis_server, redis_db):
    app = console_app(redis_server)

    @app.post("/console/test/own-password")
    @auth.login_required
    def change_own_password():
        account = accounts.set_password(redis_db, auth.current_account().username,
                                        request.form["password"])
        auth.start_session(account)
        return "changed"

    return app


@pytest.fixture
def people(redis_db):
    """One account per role."""
    for name, role in (("admin1", "admin"), ("mod1", "moderator"), ("edit1", "editor")):
        accounts.create_account(redis_db, name, name.title(), role, PASSWORD)


def signed_in(client):
    """True when the client's session opens an admin page."""
    return client.get("/console/audit").status_code == 200


# --- signing in and out -----------------------------------------------------------------------

def test_login_starts_a_session_and_is_audited(app, people, redis_db):
    client = app.test_client()
    answer = login(client, "Admin1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    assert signed_in(client)
    assert [(e.actor, e.action) for e in audit.recent(redis_db)] == [
        ("admin1", "login"), ("admin1", "totp_enrolled")]


def test_background_requests_leave_the_session_cookie_alone(app, people):
    """A live-update fetch answered after a form POST must not put back the older cookie
    (and with it lose the POST's flash message): only a changed session is written."""
    client = app.test_client()
    login(client, "mod1")
    client.get("/console/")  # the page's CSRF token is now in the session
    answer = client.get("/console/queue.json")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers


def test_a_wrong_password_says_so_and_signs_nobody_in(app, people, redis_db):
    client = app.test_client()
    answer = login(client, "admin1", "wrong password here")
    assert answer.status_code == 401 and "Wrong username or password" in answer.text
    assert not signed_in(client)
    assert [(e.actor, e.action) for e in audit.recent(redis_db, action="login_failed")] == [
        ("admin1", "login_failed")]
    assert audit.recent(redis_db) == [], "sign-in failures are kept apart from actions"


def test_a_failed_login_of_an_unknown_name_does_not_record_what_was_typed(app, redis_db):
    login(app.test_client(), "my-secret-passw0rd", "anything at all")
    entry = audit.recent(redis_db, action="login_failed")[0]
    assert (entry.actor, entry.action) == ("unknown", "login_failed")


def test_logout_ends_the_session(app, people, redis_db):
    client = app.test_client()
    login(client, "admin1")
    answer = client.post("/console/logout", data={"csrf_token": session_token(client)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/login"
    assert not signed_in(client)
    assert audit.recent(redis_db)[0].action == "logout"


def test_the_header_shows_who_is_signed_in_with_a_logout_button(app, people):
    client = app.test_client()
    login(client, "mod1")
    page = client.get("/console/login", follow_redirects=False)
    assert page.status_code == 302  # already signed in: straight on
    denied = client.get("/console/audit")
    assert "Mod1" in denied.text and "moderator" in denied.text
    assert 'action="/console/logout"' in denied.text
    assert f'value="{session_token(client)}"' in denied.text


def test_sessions_end_after_eight_hours(app, people):
    client = app.test_client()
    login(client, "admin1")
    with client.session_transaction("/console/") as session:
        session["since"] -= 8 * 3600 + 1
    assert not signed_in(client)


# --- sessions end when the account changes ----------------------------------------------------

def test_disabling_an_account_ends_its_sessions_and_refuses_login(app, people, redis_db):
    client = app.test_client()
    login(client, "admin1")
    accounts.disable_account(redis_db, "admin1")
    answer = client.get("/console/audit")
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]
    accounts.enable_account(redis_db, "admin1")
    assert not signed_in(client)  # enabling again does not revive the old session
    accounts.disable_account(redis_db, "admin1")
    assert login(app.test_client(), "admin1").status_code == 401


def test_a_new_password_ends_every_session(app, people, redis_db):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "admin1")
    login(laptop, "admin1")
    accounts.set_password(redis_db, "admin1", "a brand new passphrase")
    assert not signed_in(phone) and not signed_in(laptop)


def test_changing_your_own_password_keeps_this_session_and_ends_the_others(app, people):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "admin1")
    login(laptop, "admin1")
    answer = laptop.post("/console/test/own-password",
                         data={"password": "a brand new passphrase",
                               "csrf_token": session_token(laptop)})
    assert answer.status_code == 200
    assert signed_in(laptop) and not signed_in(phone)


# --- access checks ----------------------------------------------------------------------------

def test_login_required_sends_visitors_to_login_and_back(app, people):
    client = app.test_client()
    answer = client.get("/console/audit?action=login")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/console/login?next=/console/audit?action%3Dlogin"
    back = login(client, "admin1", next_url="/console/audit?action=login")
    assert back.headers["Location"] == "/console/audit?action=login"


def test_json_callers_get_401_instead_of_a_redirect(app):
    answer = app.test_client().get("/console/audit", headers={"Accept": "application/json"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "Unauthorized"


@pytest.mark.parametrize("username", ["mod1", "edit1"])
def test_role_required_refuses_other_roles_with_a_clear_page(app, people, username):
    client = app.test_client()
    login(client, username)
    answer = client.get("/console/audit")
    assert answer.status_code == 403
    assert "Not allowed" in answer.text and "This page is for: admin" in answer.text


def test_role_required_checks_its_roles():
    with pytest.raises(ValueError, match="roles"):
        auth.role_required("root")


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "/\\evil", "http:/evil.example",
    "/\t/evil.example", " //evil.example", "javascript:alert(1)", "evil.example"])
def test_next_never_leaves_the_site(app, people, target):
    client = app.test_client()
    answer = login(client, "admin1", next_url=target)
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    again = client.get("/console/login", query_string={"next": target})
    assert again.headers["Location"] == "/console/"


def test_the_login_form_carries_a_safe_next_only(app):
    client = app.test_client()
    assert 'name="next" value="/console/audit"' in client.get(
        "/console/login?next=/console/audit").text
    assert "evil" not in client.get("/console/login?next=//evil.example").text


# --- CSRF -------------------------------------------------------------------------------------

def test_a_post_without_the_token_is_refused(app, people):
    client = app.test_client()
    login(client, "admin1")
    answer = client.post("/console/logout")
    assert answer.status_code == 400 and "security token" in answer.text
    assert signed_in(client)


def test_a_post_with_a_wrong_token_is_refused(app, people):
    client = app.test_client()
    login(client, "admin1")
    for wrong in ("x" * 43, "", "ពាក្យ", session_token(client)[:-1]):
        assert client.post("/console/logout", data={"csrf_token": wrong}).status_code == 400
    assert signed_in(client)


def test_the_token_is_accepted_in_the_form_or_the_header(app, people):
    client = app.test_client()
    login(client, "admin1")
    answer = client.post("/console/logout", data={"csrf_token": session_token(client)})
    assert answer.status_code == 302 and not signed_in(client)
    login(client, "admin1")
    answer = client.post("/console/logout", json={},
                         headers={"X-CSRF-Token": session_token(client)})
    assert answer.status_code == 302 and not signed_in(client)


def test_fetch_calls_without_the_token_get_json(app, people):
    client = app.test_client()
    login(client, "admin1")
    answer = client.post("/console/logout", json={}, headers={"X-CSRF-Token": "nope"})
    assert answer.status_code == 400 and "security token" in answer.get_json()["description"]


def test_the_login_form_itself_needs_the_token(app, people):
    client = app.test_client()
    answer = client.post("/console/login", data={"username": "admin1", "password": PASSWORD})
    assert answer.status_code == 400 and not signed_in(client)


def test_login_gives_a_new_token(app, people):
    client = app.test_client()
    before = page_token(client)
    login(client, "admin1")
    assert session_token(client) != before


def test_posts_outside_the_console_are_not_checked(app):
    answer = app.test_client().post("/consoles-elsewhere")
    assert answer.status_code == 404


# --- sign-in limits ---------------------------------------------------------------------------

def test_five_failures_lock_the_username_even_for_the_right_password(app, people, redis_db):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "admin1", "wrong password here").status_code == 401
    locked = login(client, "admin1")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert login(app.test_client(), "admin1", ip="10.0.0.9").status_code == 429
    assert login(app.test_client(), "mod1").status_code == 302
    assert audit.refused_counts(redis_db) == {"admin1": 2}, "refused attempts are counted"
    assert len(audit.recent(redis_db, action="login_failed")) == 5


def test_after_ten_failures_an_address_waits_longer_each_time(app, people, redis_db):
    for index in range(10):
        name = f"guess{index // 4}"  # 4 per username: under the username limit
        assert login(app.test_client(), name, "wrong password", ip="10.0.0.1").status_code == 401
    paused = login(app.test_client(), "mod1", ip="10.0.0.1")
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) in (1, 2)
    assert login(app.test_client(), "mod1", ip="10.0.0.2").status_code == 302
    redis_db.hset(signin_limits.counters("x", "10.0.0.1")[1], "next", 0)  # the wait is over
    assert login(app.test_client(), "guess9", "wrong", ip="10.0.0.1").status_code == 401
    assert int(login(app.test_client(), "mod1", ip="10.0.0.1").headers["Retry-After"]) in (3, 4)


def test_success_clears_the_username_count(app, people):
    client = app.test_client()
    for _ in range(4):
        login(client, "admin1", "wrong password here")
    assert login(client, "admin1").status_code == 302
    other = app.test_client()
    for _ in range(5):
        assert login(other, "admin1", "wrong password here").status_code == 401
    assert login(other, "admin1").status_code == 429


def test_counters_expire_with_their_window(redis_server, redis_db, people):
    app = console_app(redis_server, CONSOLE_LOGIN_WINDOW_SECONDS=1)
    for _ in range(5):
        login(app.test_client(), "admin1", "wrong password here")
    assert login(app.test_client(), "admin1").status_code == 429
    time.sleep(1.2)
    assert login(app.test_client(), "admin1").status_code == 302


def test_default_window_is_fifteen_minutes(app, people, redis_db):
    login(app.test_client(), "admin1", "wrong password here", ip="10.1.1.1")
    user_key, address_key = signin_limits.counters("admin1", "10.1.1.1")
    assert 800 < redis_db.ttl(user_key) <= 900
    assert 86000 < redis_db.ttl(address_key) <= 86400  # an address's delay is kept a day


# --- cookie and headers -----------------------------------------------------------------------

def cookie_after_login(app):
    client = app.test_client()
    answer = login(client, "admin1")
    assert answer.status_code == 302
    return next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("hl_console="))


def test_the_cookie_is_httponly_samesite_and_lasts_eight_hours(app, people):
    cookie = cookie_after_login(app)
    assert cookie.startswith("hl_console=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # development on plain http
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    lifetime = time.mktime(time.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT")) - time.mktime(
        time.gmtime())
    assert 8 * 3600 - 60 < lifetime <= 8 * 3600 + 60


@pytest.mark.parametrize("settings", [
    {"SESSION_COOKIE_SECURE": True},
    {"PUBLIC_WEB_URL": "https://helpline.example"},
    {"APP_ENV": "production", "SESSION_COOKIE_SECURE": False},
])
def test_the_cookie_is_secure_when_configured_and_always_in_production(
        redis_server, redis_db, people, settings):
    app = console_app(redis_server, **settings)
    assert "Secure" in cookie_after_login(app)


def test_console_responses_carry_the_security_headers(app, people):
    client = app.test_client()
    pages = [client.get("/console/login"), client.post("/console/logout"),
             client.get("/console/static/console.css")]
    login(client, "mod1")
    pages.append(client.get("/console/audit"))
    for page in pages:
        headers = page.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
    assert [page.status_code for page in pages] == [200, 400, 200, 403]


def test_other_responses_are_left_alone(app):
    answer = app.test_client().get("/webhook?hub.mode=subscribe&hub.verify_token=x")
    assert "Content-Security-Policy" not in answer.headers


def test_console_pages_have_no_inline_script_or_style(app, people):
    client = app.test_client()
    pages = [client.get("/console/login").text]
    login(client, "admin1")
    pages.append(client.get("/console/audit").text)
    for html in pages:
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert "http://" not in html and "https://" not in html


# --- the secret key ---------------------------------------------------------------------------

def test_production_refuses_to_start_without_a_secret_key(monkeypatch, redis_server):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        console_app(redis_server, APP_ENV="production", SECRET_KEY=None)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        console_app(redis_server, APP_ENV="production", SECRET_KEY="too-short")


def test_development_generates_a_secret_key_once_beside_the_others(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "DEV_SECRETS", tmp_path / "dev-secrets.json")
    (tmp_path / "dev-secrets.json").write_text('{"FB_APP_SECRET": "kept"}')
    first = {"APP_ENV": "development"}
    assert config.ensure_secret_key(first) is True
    second = {"APP_ENV": "development"}
    config.ensure_secret_key(second)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert '"FB_APP_SECRET": "kept"' in (tmp_path / "dev-secrets.json").read_text()
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0
    given = {"APP_ENV": "development", "SECRET_KEY": "from-config"}
    assert config.ensure_secret_key(given) is False and given["SECRET_KEY"] == "from-config"
