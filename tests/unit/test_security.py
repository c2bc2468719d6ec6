"""Security checks of the console and the webhook that docs/security.md cites (OWASP Top Ten
2021) where no other test covered the point. Flask's test client, real Redis, and the Graph
API stand-in."""

import inspect
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from argon2 import PasswordHasher

from tests.unit.console_client import csrf_in, second_step
from webhook import create_app
from webhook.console import accounts
from webhook.content.model import Settings
from webhook.content.render import fill
from webhook.embedded_redis import free_port
from webhook.messenger.signature import sign
from webhook.simulator import payloads
from webhook.simulator.graph_standin import GraphStandIn

PASSWORD = "a long enough passphrase"
USER = "psid-security-1"
SECRETS = {"FB_APP_SECRET": "secret", "FB_PAGE_ACCESS_TOKEN": "token", "FB_VERIFY_TOKEN": "v",
           "NLG_TOKEN": "nlg",
           "SECRET_KEY": "test-key" * 4}
ROLES = ("moderator", "editor", "admin")
PUBLIC = {"auth.login", "auth.login_submit", "auth.logout",  # and every blueprint's static
          # the second sign-in step: only with a pending sign-in (the right password)
          "signin_steps.code", "signin_steps.code_submit", "signin_steps.enrol",
          "signin_steps.enrol_submit", "signin_steps.enrol_qr",
          # the language switch is on the login page too (CSRF-checked; saves to the session,
          # and to the account only when one is signed in)
          "i18n.choose_language"}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))


@pytest.fixture(scope="module")
def graph():
    with GraphStandIn(app_secret="secret") as standin:
        yield standin


@pytest.fixture
def app(redis_server, redis_db, graph):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "GRAPH_API_URL": graph.url,
                      "SESSION_COOKIE_SECURE": False, **SECRETS})
    for role in ROLES:
        accounts.create_account(redis_db, role, role.title(), role, PASSWORD)
    accounts.create_account(redis_db, "moderator2", "Sokha", "moderator", PASSWORD)
    return app


def token_of(client, **request):
    """The client's CSRF token, as its pages carry it (a visitor's from the login page)."""
    with client.session_transaction("/console/", **request) as session:
        token = session.get("csrf")
    if token:
        return token
    return csrf_in(client.get("/console/login", **request).get_data(as_text=True))


def login(client, username, password=PASSWORD):
    answer = client.post("/console/login", data={"username": username, "password": password,
                                                 "csrf_token": token_of(client)})
    return second_step(client, answer, username)  # admins: the authenticator code


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture
def waiting(app):
    service = app.extensions["handoffs"]
    service.conversations.update(USER, last_user_at=int(service.clock.now() * 1000),
                                 language="en")
    service.transcript.add(USER, "user", "my bank account was emptied", "en")
    service.escalate(USER, "scam_victim", "en")
    return service.conversations.ref(USER)


# --- A01 broken access control ----------------------------------------------------------------

def roles_of(view) -> tuple[str, ...] | None:
    """The roles a console view admits (from its role_required), None when it has no check."""
    while view is not None:
        roles = inspect.getclosurevars(view).nonlocals.get("roles")
        if roles:
            return roles
        view = getattr(view, "__wrapped__", None)
    return None


def console_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or rule.endpoint in PUBLIC \
                or rule.endpoint.endswith("static"):
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, re.sub(r"<[^>]+>", "no-such-thing", path)


def call(client, method, path) -> str:
    """`login`, `denied`, or `allowed` (whatever the view then said: 200, 302, 400, 404…)."""
    data = {"csrf_token": token_of(client)} if method == "POST" else None
    answer = client.open(path, method=method, data=data, headers={"Accept": "text/html"})
    answer.close()  # the live-updates stream would run forever
    if answer.status_code == 401 or "/console/login" in answer.headers.get("Location", ""):
        return "login"
    return "denied" if answer.status_code == 403 else "allowed"


def test_every_console_route_checks_a_role_and_admits_exactly_those_roles(app):
    routes = list(console_routes(app))
    assert len(routes) >= 20
    clients = {role: signed_in(app, role) for role in ROLES}
    clients["anonymous"] = app.test_client()
    for endpoint, method, path in routes:
        roles = roles_of(app.view_functions[endpoint])
        assert roles, f"{endpoint} has no role_required"
        for who, client in clients.items():
            expected = "login" if who == "anonymous" else \
                "allowed" if who == "admin" or who in roles else "denied"
            assert call(client, method, path) == expected, (who, endpoint, method)


def test_the_table_of_roles_says_what_docs_security_says(app):
    expected = {"console.queue": ("moderator",), "console.erase": ("admin",),
                "audit.index": ("admin",), "editor.index": ("editor",)}
    for endpoint, roles in expected.items():
        assert roles_of(app.view_functions[endpoint]) == roles


def test_a_moderator_cannot_reply_in_a_case_a_colleague_claimed(app, waiting, graph):
    owner, other = signed_in(app, "moderator"), signed_in(app, "moderator2")
    owner.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(owner)})
    before = len(graph.requests_for(USER))
    answer = other.post(f"/console/c/{waiting}/reply",
                        data={"csrf_token": token_of(other), "text": "hi"})
    assert answer.status_code == 409 and len(graph.requests_for(USER)) == before


def test_an_anonymous_post_with_a_valid_token_is_still_refused(app, waiting):
    client = app.test_client()
    answer = client.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(client)})
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]
    assert app.extensions["handoffs"].conversations.get(USER).get("claimed_by", "") == ""


# --- A03 injection ----------------------------------------------------------------------------

def test_editor_text_cannot_reach_python_objects_through_placeholders():
    settings = Settings("en", {"org_name": {"en": "Org"}})
    text = "{org_name} {0.__class__} {org_name.__class__} {__class__} {org_name!r}"
    assert fill(text, settings, "en") == \
        "Org {0.__class__} {org_name.__class__} {__class__} {org_name!r}"


# --- A05 security misconfiguration ------------------------------------------------------------

PRODUCTION_SECRETS = {"FB_APP_SECRET": "prod-app-secret-3b1f", "FB_VERIFY_TOKEN": "prod-verify-9d2",
                      "FB_PAGE_ACCESS_TOKEN": "prod-page-token-77a", "SECRET_KEY": "k4" * 24,
                      "NLG_TOKEN": "prod-nlg-token-5c0", "RASA_TOKEN": "prod-rasa-token-5c0"}


def production_app(redis_url):
    return create_app({"APP_ENV": "production", "REDIS_URL": redis_url, **PRODUCTION_SECRETS})


def test_errors_say_nothing_of_the_code_or_the_secrets():
    app = production_app(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    assert not app.debug and not app.testing
    client = app.test_client()
    raw = json.dumps(payloads.body(payloads.text("u1", "hello"))).encode()
    signature = sign(raw, PRODUCTION_SECRETS["FB_APP_SECRET"])
    answers = [client.post("/webhook", data=raw, headers={"X-Hub-Signature-256": signature})]
    https = {"base_url": "https://helpline.example"}  # production cookies are Secure
    answers.append(client.post("/console/login", data={
        "username": "admin", "password": PASSWORD, "csrf_token": token_of(client, **https)},
        **https))
    for answer in answers:
        body = answer.get_data(as_text=True)
        assert answer.status_code in (500, 503), body
        assert answer.is_json and set(answer.get_json()) == {"error", "description"}
        for leak in ("Traceback", "redis", "Redis", "ConnectionError", "File \"", ".py",
                     *PRODUCTION_SECRETS.values()):
            assert leak not in body, leak


# --- A07 identification and authentication ----------------------------------------------------

def test_sign_in_does_not_tell_unknown_names_from_wrong_passwords(app):
    unknown = login(app.test_client(), "nobody", "wrong password here")
    wrong = login(app.test_client(), "moderator", "wrong password here")
    assert unknown.status_code == wrong.status_code == 401

    def page(answer, name):
        text = answer.get_data(as_text=True).replace(name, "NAME")
        return re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", text)

    assert page(unknown, "nobody") == page(wrong, "moderator")


# --- A08 software and data integrity ----------------------------------------------------------

def session_cookie(client):
    return client.get_cookie("hl_console", path="/console").value


def test_a_tampered_or_foreign_session_cookie_signs_nobody_in(app, redis_server):
    admin = signed_in(app, "admin")
    assert admin.get("/console/audit").status_code == 200
    value = session_cookie(admin)
    # itsdangerous: payload.timestamp.signature, the payload led by "." when compressed.
    # A middle character is changed: the last one of base64 may only carry padding bits.
    payload, _, signed = value.rpartition(".")

    def flip(text):
        middle = len(text) // 2
        return text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1:]

    forged = [f"{flip(payload)}.{signed}", f"{payload}.{flip(signed)}"]
    other = create_app({"TESTING": True, "REDIS_URL": redis_server,
                        "SESSION_COOKIE_SECURE": False, **SECRETS, "SECRET_KEY": "other" * 8})
    forged.append(session_cookie(signed_in(other, "admin")))
    for cookie in forged:
        client = app.test_client()
        client.set_cookie("hl_console", cookie, path="/console")
        answer = client.get("/console/audit")
        assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


# --- A09 logging and monitoring ---------------------------------------------------------------

def test_a_forged_delivery_is_logged_as_a_warning_without_its_content(app, caplog):
    raw = json.dumps(payloads.body(payloads.text(USER, "my PIN is 1234"))).encode()
    answer = app.test_client().post("/webhook", data=raw,
                                    headers={"X-Hub-Signature-256": sign(raw, "not-it")})
    assert answer.status_code == 403
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert [r.getMessage() for r in warnings] == ["webhook refused: bad or missing signature"]
    assert USER not in caplog.text and "1234" not in caplog.text


# --- A10 server-side request forgery ----------------------------------------------------------

class Canary(BaseHTTPRequestHandler):
    """A server no request should ever reach: it records whatever comes."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server name
        Canary.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    Canary.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_no_request_decides_where_the_server_connects(app, waiting, graph, canary):
    host = canary.removeprefix("http://")
    tricks = {"X-Forwarded-Host": host, "X-Forwarded-Proto": "http", "Referer": canary,
              "Origin": canary, "Forwarded": f"host={host}"}
    events = [payloads.text(USER, f"look at {canary}/latest"),
              payloads.postback(USER, "Open", f"{canary}/postback"),
              payloads.attachment(USER, "image")]
    events[-1]["message"]["attachments"][0]["payload"]["url"] = f"{canary}/image.jpg"
    raw = json.dumps(payloads.body(*events)).encode()
    client = app.test_client()
    assert client.post("/webhook", data=raw, headers={
        **tricks, "X-Hub-Signature-256": sign(raw, "secret")}).status_code == 200
    for path in ("/webhook", "/console/login", "/healthz"):  # another Host: no session there
        client.get(path, headers={"Host": host, **tricks})
    moderator = signed_in(app, "moderator")
    token = token_of(moderator)
    for path, form in ((f"/console/c/{waiting}/claim", {}),
                       (f"/console/c/{waiting}/reply", {"text": f"see {canary}/help"}),
                       (f"/console/c/{waiting}/note", {"text": f"{canary}/note"}),
                       (f"/console/c/{waiting}/labels", {"labels": canary})):
        moderator.post(path, data={"csrf_token": token, **form}, headers=tricks)
    client.post("/console/login", headers=tricks, data={
        "username": "admin", "password": PASSWORD, "next": canary,
        "csrf_token": token_of(client)})
    sent = [r["json"] for r in graph.requests_for(USER) if "message" in (r["json"] or {})]
    assert sent[-1]["message"]["text"] == f"see {canary}/help"  # to the configured Graph API
    assert Canary.seen == []
