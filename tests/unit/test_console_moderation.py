"""The moderators' console with Flask's test client, real Redis and the Graph API stand-in."""

import re

import pytest

from tests.unit.console_client import page_token, sign_in
from webhook import create_app
from webhook.console.accounts import create_account
from webhook.simulator.graph_standin import GraphStandIn

PASSWORD = "a long enough passphrase"
USER = "psid-console-1"


@pytest.fixture(scope="module")
def graph():
    with GraphStandIn(app_secret="secret") as standin:
        yield standin


@pytest.fixture
def app(redis_server, redis_db, graph):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "GRAPH_API_URL": graph.url,
                      "FB_APP_SECRET": "secret", "FB_PAGE_ACCESS_TOKEN": "token",
                      "FB_VERIFY_TOKEN": "v", "SECRET_KEY": "test-key" * 4,
                      "SESSION_COOKIE_SECURE": False})
    for name, role in (("dara", "moderator"), ("sokha", "moderator"), ("editor1", "editor"),
                       ("admin1", "admin")):
        create_account(redis_db, name, name.title(), role, PASSWORD)
    return app


def login(client, username):
    token = page_token(client)
    answer = sign_in(client, username, PASSWORD, token)
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    return token


def token_of(client, path="/console/"):
    return page_token(client, path)


@pytest.fixture
def waiting(app):
    service = app.extensions["handoffs"]
    service.conversations.update(USER, last_user_at=int(service.clock.now() * 1000),
                                 language="en")
    service.transcript.add(USER, "user", "<script>alert(1)</script><b>help me</b>", "en")
    service.escalate(USER, "scam_victim", "en")
    return service.conversations.ref(USER)


def test_every_console_route_requires_login(app):
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/console")
             and r.endpoint not in ("auth.login", "auth.login_submit", "auth.static")]
    assert len(rules) >= 12
    for rule in rules:
        path = re.sub(r"<[^>]+>", "some-ref", re.sub(r"<int:[^>]+>", "1", rule.rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = client.open(path, method=method)
            assert answer.status_code in (302, 400, 401, 403), (method, path, answer.status_code)
            if answer.status_code == 302:
                assert "/console/login" in answer.headers["Location"]


def test_the_queue_shows_waiting_cases_escaped(app, waiting):
    client = app.test_client()
    login(client, "dara")
    page = client.get("/console/").get_data(as_text=True)
    assert "scam_victim" in page and waiting in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert USER not in page, "console pages never show the Facebook user id"


def test_claim_reply_note_resolve(app, waiting, graph):
    client = app.test_client()
    login(client, "dara")
    token = token_of(client)
    client.post(f"/console/c/{waiting}/claim", data={"csrf_token": token})
    assert app.extensions["handoffs"].conversations.get(USER)["claimed_by"] == "dara"
    client.post(f"/console/c/{waiting}/reply", data={"csrf_token": token,
                                                     "text": "Hello, I am Dara"})
    client.post(f"/console/c/{waiting}/note", data={"csrf_token": token,
                                                    "text": "bank contacted"})
    page = client.get(f"/console/c/{waiting}").get_data(as_text=True)
    assert "Hello, I am Dara" in page and "bank contacted" in page
    sent = [r["json"] for r in graph.requests_for(USER) if "message" in (r["json"] or {})]
    assert sent[-1]["message"] == {"text": "Hello, I am Dara"}
    assert not any("bank contacted" in str(s) for s in sent), "notes are never sent"
    client.post(f"/console/c/{waiting}/resolve", data={"csrf_token": token})
    assert app.extensions["handoffs"].conversations.get(USER)["owner"] == "bot"


def test_a_second_claim_is_told_someone_was_first(app, waiting):
    first, second = app.test_client(), app.test_client()
    login(first, "dara")
    login(second, "sokha")
    first.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(first)})
    answer = second.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(second)},
                         follow_redirects=True)
    assert "Someone else already took this conversation" in answer.get_data(as_text=True)
    assert app.extensions["handoffs"].conversations.get(USER)["claimed_by"] == "dara"


def test_replying_needs_a_claim_and_a_csrf_token(app, waiting):
    client = app.test_client()
    login(client, "dara")
    assert client.post(f"/console/c/{waiting}/reply", data={"text": "x"}).status_code == 400
    answer = client.post(f"/console/c/{waiting}/reply",
                         data={"csrf_token": token_of(client), "text": "x"})
    assert answer.status_code == 409


def test_after_seven_days_the_console_says_why_it_cannot_send(app, waiting, graph):
    client = app.test_client()
    login(client, "dara")
    token = token_of(client)
    client.post(f"/console/c/{waiting}/claim", data={"csrf_token": token})
    app.extensions["handoffs"].clock.advance(8 * 86400)
    try:
        before = len(graph.requests_for(USER))
        page = client.post(f"/console/c/{waiting}/reply", data={"csrf_token": token,
                                                                "text": "late"},
                           follow_redirects=True).get_data(as_text=True)
    finally:
        app.extensions["handoffs"].clock.reset()
    assert "7 days" in page
    assert len(graph.requests_for(USER)) == before


def test_an_editor_cannot_moderate(app, waiting):
    client = app.test_client()
    login(client, "editor1")
    assert client.get("/console/").status_code == 403
    assert client.get(f"/console/c/{waiting}").status_code == 403


def test_viewing_and_claiming_are_audited(app, waiting):
    client = app.test_client()
    login(client, "dara")
    client.get(f"/console/c/{waiting}")
    client.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(client)})
    admin = app.test_client()
    login(admin, "admin1")
    page = admin.get("/console/audit").get_data(as_text=True)
    assert "view_transcript" in page and "claim" in page and USER not in page


def test_unknown_conversations_are_404(app):
    client = app.test_client()
    login(client, "dara")
    assert client.get("/console/c/nope").status_code == 404


def test_an_admin_deletes_a_persons_data_on_request(app, waiting, redis_db):
    service = app.extensions["handoffs"]
    service.add_note(waiting, "dara", "a note")
    moderator = app.test_client()
    login(moderator, "dara")
    token = token_of(moderator)
    assert moderator.post(f"/console/c/{waiting}/erase", data={"csrf_token": token}
                          ).status_code == 403
    admin = app.test_client()
    login(admin, "admin1")
    admin.post(f"/console/c/{waiting}/erase", data={"csrf_token": token_of(admin)})
    leftovers = [k for k in redis_db.scan_iter() if USER.encode() in k]
    assert leftovers == []
    assert service.queue() == []
    page = admin.get("/console/audit").get_data(as_text=True)
    assert "delete_data" in page and USER not in page
