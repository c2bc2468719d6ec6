"""Issue 10, findings 9 and 10: forwarding headers only from trusted proxies, a lockout that
cannot keep the owner out, logout that ends copied cookies, idle timeout, TOTP for admins."""

import time

import pyotp
import pytest

from tests.unit.console_client import fresh_code, page_token
from tests.unit.test_console_auth import (  # noqa: F401 - cheap_hashes: autouse
    PASSWORD,
    cheap_hashes,
    console_app,
    login,
    session_token,
)
from webhook import proxies
from webhook.console import accounts, audit, totp


@pytest.fixture
def people(redis_db):
    for name, role in (("admin1", "admin"), ("mod1", "moderator")):
        accounts.create_account(redis_db, name, name.title(), role, PASSWORD)


@pytest.fixture
def app(redis_server, people):
    return console_app(redis_server, TRUSTED_PROXIES="10.9.9.9, 192.168.0.0/24")


def password_only(client, username, password=PASSWORD, ip="127.0.0.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/console/login", data={"username": username, "password": password,
                                                "csrf_token": page_token(client)},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers)


def signed_in(client):
    return client.get("/console/queue.json").status_code == 200


# --- finding 9 --------------------------------------------------------------------------------

def test_a_forged_forwarded_for_from_a_direct_caller_buys_no_fresh_attempts(app):
    for index in range(10):
        answer = password_only(app.test_client(), f"guess{index // 4}", "wrong",
                               ip="203.0.113.7", forwarded=f"198.51.100.{index}")
        assert answer.status_code == 401
    forged = password_only(app.test_client(), "guess9", "wrong", ip="203.0.113.7",
                           forwarded="198.51.100.200")
    assert forged.status_code == 429, "counted under the caller's own address"


def test_a_trusted_proxy_is_believed_about_the_client(app):
    for index in range(10):
        password_only(app.test_client(), f"guess{index // 4}", "wrong", ip="10.9.9.9",
                      forwarded="198.51.100.1")
    assert password_only(app.test_client(), "guess9", "wrong", ip="192.168.0.5",
                         forwarded="198.51.100.2").status_code == 401, "another client"
    assert password_only(app.test_client(), "guess9", "wrong", ip="10.9.9.9",
                         forwarded="198.51.100.1").status_code == 429


def test_trusted_proxies_are_addresses_not_a_count():
    assert proxies.parse("") == ()
    assert len(proxies.parse("127.0.0.1, 10.0.0.0/8, ::1")) == 3
    for wrong in ("1", "2", "proxy.example"):
        with pytest.raises(proxies.ProxyConfigError):
            proxies.parse(wrong)


def test_a_known_device_signs_the_owner_in_while_an_attacker_holds_the_lock(app, redis_db):
    owner = app.test_client()
    assert login(owner, "mod1").status_code == 302  # this browser is now a known device
    owner.post("/console/logout", data={"csrf_token": session_token(owner)})
    for index in range(6):
        password_only(app.test_client(), "mod1", "wrong guess", ip=f"203.0.113.{index}")
    assert password_only(app.test_client(), "mod1", ip="203.0.113.99").status_code == 429
    assert login(owner, "mod1").status_code == 302 and signed_in(owner)
    assert audit.refused_counts(redis_db) == {"mod1": 2}  # the 6th guess and the 7th try


# --- finding 10 -------------------------------------------------------------------------------

def test_a_copied_cookie_stops_working_after_logout(app):
    browser, thief = app.test_client(), app.test_client()
    login(browser, "mod1")
    cookie = browser.get_cookie("hl_console", path="/console")
    thief.set_cookie(cookie.key, cookie.value, path="/console")
    assert signed_in(thief)
    browser.post("/console/logout", data={"csrf_token": session_token(browser)})
    assert not signed_in(thief)


def test_a_session_ends_after_the_idle_timeout(redis_server, people):
    app = console_app(redis_server, CONSOLE_IDLE_MINUTES=30)
    client = app.test_client()
    login(client, "mod1")
    assert signed_in(client)
    with client.session_transaction("/console/") as session:
        session["seen"] = int(time.time()) - 31 * 60
    assert not signed_in(client)


def test_background_refreshes_do_not_keep_a_session_alive(redis_server, people):
    app = console_app(redis_server, CONSOLE_IDLE_MINUTES=30)
    client = app.test_client()
    login(client, "mod1")
    with client.session_transaction("/console/") as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert client.get("/console/queue.json").status_code == 200
    with client.session_transaction("/console/") as session:
        assert session["seen"] < int(time.time()) - 28 * 60


def test_an_admin_must_enrol_a_second_factor_before_any_page(app, redis_db):
    client = app.test_client()
    answer = password_only(client, "admin1")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/enrol")
    assert client.get("/console/audit").status_code == 302, "no session yet"
    page = client.get("/console/login/enrol").get_data(as_text=True)
    assert "otpauth://totp/" in page and client.get("/console/login/enrol.svg").mimetype == \
        "image/svg+xml"
    wrong = client.post("/console/login/enrol", data={"code": "000000",
                                                      "csrf_token": page_token(client,
                                                                               "/console/login/enrol")})
    assert wrong.status_code == 401 and not totp.has_totp(redis_db, "admin1")
    assert login(app.test_client(), "admin1").status_code == 302  # the helper enrols
    assert totp.has_totp(redis_db, "admin1")
    second = app.test_client()
    assert password_only(second, "admin1").headers["Location"].endswith("/login/code")


def test_a_code_works_once(app, redis_db):
    assert login(app.test_client(), "admin1").status_code == 302
    secret = redis_db.hget(accounts.account_key("admin1"), "totp_secret").decode()
    code = fresh_code(redis_db, "admin1", secret)
    assert totp.verify(redis_db, "admin1", code)
    assert not totp.verify(redis_db, "admin1", code), "a code seen once cannot be replayed"
    assert not totp.verify(redis_db, "admin1", "12345x")


def test_a_moderator_may_add_a_second_factor_and_is_then_asked_for_it(app, redis_db):
    client = app.test_client()
    login(client, "mod1")
    page = client.get("/console/account/second-factor").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    client.post("/console/account/second-factor",
                data={"code": pyotp.TOTP(secret).now(), "csrf_token": session_token(client)})
    assert totp.has_totp(redis_db, "mod1")
    answer = password_only(app.test_client(), "mod1")
    assert answer.headers["Location"].endswith("/login/code")


def test_the_command_line_enrols_and_resets_a_second_factor(redis_db, people, monkeypatch,
                                                            capsys):
    import io

    from webhook.console import totp_cli

    secrets = []
    real_start = totp.start_enrolment
    monkeypatch.setattr(totp, "start_enrolment",
                        lambda client, name: secrets.append(real_start(client, name))
                        or secrets[-1])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(accounts.AccountError):
        totp_cli.run(redis_db, "totp-enrol", "mod1")
    monkeypatch.setattr("sys.stdin", io.StringIO(pyotp.TOTP(secrets[-1]).now() + "\n"))
    assert "second factor on" in totp_cli.run(redis_db, "totp-enrol", "mod1")
    assert "otpauth://totp/" in capsys.readouterr().out
    assert totp.has_totp(redis_db, "mod1")
    totp_cli.run(redis_db, "totp-reset", "mod1")
    assert not totp.has_totp(redis_db, "mod1")


def test_the_second_step_pages_need_a_pending_sign_in(app):
    client = app.test_client()
    for path in ("/console/login/code", "/console/login/enrol", "/console/login/enrol.svg"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/login")
    page_token(client)
    with client.session_transaction("/console/") as session:
        token = session["csrf"]
    answer = client.post("/console/login/code", data={"code": "123456", "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/login")
