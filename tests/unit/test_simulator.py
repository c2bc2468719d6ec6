"""The simulator: the page, signed webhook posts over real HTTP, and the Send API view."""

from __future__ import annotations

import json
import re
import socket
import threading
from contextlib import contextmanager

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webhook import create_app
from webhook.messenger import events
from webhook.messenger.signature import is_valid
from webhook.simulator.views import bp

SECRET = "test-app-secret"
USER = "sim-user-1"
KHMER = "ខ្ញុំត្រូវគេបោកប្រាស់លុយ តើធ្វើដូចម្ដេច?"
SECRETS = {"FB_APP_SECRET": SECRET, "FB_PAGE_ACCESS_TOKEN": "test-token",
           "FB_VERIFY_TOKEN": "test-verify", "NLG_TOKEN": "test-nlg",
           "RASA_TOKEN": "test-rasa-token"}


class Recorder:
    """A tiny WSGI app that records what it receives and answers with a fixed reply."""

    def __init__(self, status=200, reply=b"EVENT_RECEIVED", content_type="text/plain"):
        self.status, self.reply, self.content_type = status, reply, content_type
        self.requests = []

    @Request.application
    def __call__(self, request):
        self.requests.append({"path": request.path, "args": request.args.to_dict(),
                              "headers": dict(request.headers), "raw": request.get_data()})
        return Response(self.reply, self.status, content_type=self.content_type)


@contextmanager
def serving(wsgi_app):
    """Run `wsgi_app` on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def closed_port_url():
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def make_client(tmp_path):
    def build(**config):
        app = create_app({"TESTING": True, "REDIS_URL": "", **SECRETS,
                          "GRAPH_API_URL": closed_port_url(),
                          "PUBLIC_WEB_URL": closed_port_url(), **config})
        if "simulator" not in app.blueprints:
            app.register_blueprint(bp)
        return app.test_client()

    return build


# --- the page -------------------------------------------------------------------------------

def test_page_is_served_with_the_three_users_and_a_collapsed_raw_panel(make_client):
    page = make_client().get("/simulator/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for psid, name in (("sim-user-1", "Dara"), ("sim-user-2", "Sokha"), ("sim-user-3", "Vanna")):
        assert f'value="{psid}"' in html and name in html
    assert "What the Graph API received" in html
    assert re.search(r"<details[^>]*>", html).group(0) == '<details id="raw-panel" class="raw">'
    assert "Get Started" in html and 'data-kind="sticker"' in html and 'data-kind="audio"' in html
    assert "/simulator/static/simulator.js" in html and "/simulator/static/simulator.css" in html
    assert 'data-send-url="/simulator/api/send"' in html


def test_page_and_assets_fetch_nothing_from_the_internet(make_client):
    client = make_client()
    texts = {path: client.get(path).get_data(as_text=True) for path in (
        "/simulator/", "/simulator/static/simulator.js", "/simulator/static/simulator.css")}
    for path, text in texts.items():
        assert text, path
        hosts = re.findall(r"https?://([^/\s\"'<>)]+)", text)
        assert set(hosts) <= {"127.0.0.1", "localhost"}, (path, hosts)
        assert not re.search(r"""(src|href)=["']?//|url\(\s*["']?//|@import""", text), path
    assert "innerHTML" not in texts["/simulator/static/simulator.js"]
    assert "insertAdjacentHTML" not in texts["/simulator/static/simulator.js"]
    assert '"Noto Sans Khmer", "Khmer OS"' in texts["/simulator/static/simulator.css"]


def test_the_app_factory_leaves_the_simulator_out_of_production():
    app = create_app({"TESTING": True, "REDIS_URL": "", "APP_ENV": "production", **SECRETS,
                      "SECRET_KEY": "k" * 32})
    assert "simulator" not in app.blueprints
    assert app.test_client().get("/simulator/").status_code == 404


# --- sending --------------------------------------------------------------------------------

def _sent(make_client, message, recorder=None):
    """POST `message` to the send API with a webhook receiver; the answer and what it got."""
    recorder = recorder or Recorder()
    with serving(recorder) as url:
        answer = make_client(PUBLIC_WEB_URL=url).post("/simulator/api/send", json=message)
    return answer, recorder.requests


def _the_event(received):
    """The one event of a received webhook body, checked as the real /webhook checks it."""
    assert len(received) == 1
    request = received[0]
    assert request["path"] == "/webhook"
    assert request["headers"]["Content-Type"] == "application/json"
    assert is_valid(request["raw"], request["headers"]["X-Hub-Signature-256"], SECRET)
    body = json.loads(request["raw"])
    assert len(events.parse(body)) == 1
    assert body["object"] == "page"
    return body["entry"][0]["messaging"][0]


def test_khmer_text_is_sent_signed_over_the_raw_utf8_bytes(make_client):
    answer, received = _sent(make_client, {"user": USER, "kind": "text", "text": KHMER})
    assert answer.status_code == 200
    event = _the_event(received)
    assert KHMER.encode("utf-8") in received[0]["raw"]  # not \u escapes: real non-ASCII bytes
    assert event["sender"]["id"] == USER
    assert event["message"]["text"] == KHMER
    assert answer.get_json() == {"status": 200, "mid": event["message"]["mid"]}


def test_a_tampered_body_would_not_verify(make_client):
    _, received = _sent(make_client, {"user": USER, "kind": "text", "text": KHMER})
    raw, header = received[0]["raw"], received[0]["headers"]["X-Hub-Signature-256"]
    assert not is_valid(raw.replace("លុយ".encode(), "ធ្វើ".encode()), header, SECRET)
    assert not is_valid(raw, header, "another-secret")


@pytest.mark.parametrize("message, check", [
    ({"kind": "quick_reply", "title": "បាទ/ចាស", "payload": "/affirm"},
     lambda e: e["message"]["quick_reply"] == {"payload": "/affirm"}
     and e["message"]["text"] == "បាទ/ចាស"),
    ({"kind": "postback", "title": "Get Started", "payload": "GET_STARTED"},
     lambda e: e["postback"]["payload"] == "GET_STARTED" and e["postback"]["title"]),
    ({"kind": "image"}, lambda e: e["message"]["attachments"][0]["type"] == "image"
     and "sticker_id" not in e["message"]),
    ({"kind": "sticker"}, lambda e: e["message"]["sticker_id"]
     and e["message"]["attachments"][0]["type"] == "image"),
    ({"kind": "audio"}, lambda e: e["message"]["attachments"][0]["type"] == "audio"),
])
def test_every_kind_becomes_the_event_facebook_sends(make_client, message, check):
    answer, received = _sent(make_client, {"user": "sim-user-3", **message})
    event = _the_event(received)
    assert answer.status_code == 200 and answer.get_json()["mid"]
    assert event["sender"]["id"] == "sim-user-3"
    assert check(event)


def test_text_of_exactly_2000_characters_is_accepted(make_client):
    answer, received = _sent(make_client, {"user": USER, "kind": "text", "text": "ក" * 2000})
    assert answer.status_code == 200
    assert _the_event(received)["message"]["text"] == "ក" * 2000


def test_the_webhook_status_is_passed_on(make_client):
    refusing = Recorder(403, b'{"error": "Forbidden", "description": "bad signature"}',
                        "application/json")
    answer, _ = _sent(make_client, {"user": USER, "kind": "text", "text": "hi"}, refusing)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == 403
    assert "bad signature" in answer.get_json()["error"]


def test_send_answers_503_when_the_webhook_is_not_listening(make_client):
    answer = make_client().post("/simulator/api/send",
                                json={"user": USER, "kind": "text", "text": "hi"})
    assert answer.status_code == 503
    assert "not answering" in answer.get_json()["description"]


@pytest.mark.parametrize("message, words", [
    ({"user": USER, "kind": "video"}, "unknown kind"),
    ({"user": USER}, "unknown kind"),
    ({"user": USER, "kind": "text", "text": ""}, "text is empty"),
    ({"user": USER, "kind": "text", "text": "  \n "}, "text is empty"),
    ({"user": USER, "kind": "text"}, "text is empty"),
    ({"user": USER, "kind": "text", "text": 42}, "text is empty"),
    ({"user": USER, "kind": "text", "text": "ក" * 2001}, "over 2000 characters"),
    ({"user": "1234567890", "kind": "text", "text": "hi"}, "unknown user"),
    ({"kind": "text", "text": "hi"}, "unknown user"),
    ({"user": USER, "kind": "quick_reply", "title": "Yes"}, "payload is empty"),
    ({"user": USER, "kind": "postback", "payload": "GET_STARTED"}, "title is empty"),
    ([USER, "text", "hi"], "JSON object"),
])
def test_bad_send_requests_get_a_clear_400(make_client, message, words):
    recorder = Recorder()
    with serving(recorder) as url:
        answer = make_client(PUBLIC_WEB_URL=url).post("/simulator/api/send", json=message)
    assert answer.status_code == 400
    assert words in answer.get_json()["description"]
    assert answer.get_json()["error"] == "Bad Request"
    assert recorder.requests == []


def test_a_body_that_is_not_json_gets_a_400(make_client):
    answer = make_client().post("/simulator/api/send", data="hello",
                                content_type="text/plain")
    assert answer.status_code == 400


# --- what the Send API received -------------------------------------------------------------

def _send_request(message=None, **body):
    return {"recipient": {"id": USER}, "messaging_type": "RESPONSE",
            **({"message": message} if message else {}), **body}


RECORDED = [
    {"seq": 4, "time": 1700000000.5, "path": "/v21.0/me/messages",
     "body": _send_request(sender_action="typing_on")},
    {"seq": 5, "time": 1700000001.0, "path": "/v21.0/me/messages",
     "body": _send_request({"text": KHMER})},
    {"seq": 6, "time": 1700000001.1, "path": "/v21.0/me/messages",
     "body": _send_request({"text": "Which language?", "quick_replies": [
         {"content_type": "text", "title": "ខ្មែរ", "payload": "/set_language_km"},
         {"content_type": "text", "title": "English", "payload": "/set_language_en"}]})},
    {"seq": 7, "time": 1700000001.2, "path": "/v21.0/me/messages",
     "body": _send_request({"attachment": {"type": "template", "payload": {
         "template_type": "button", "text": "What happened?", "buttons": [
             {"type": "postback", "title": "I lost money", "payload": "/scam_victim"},
             {"type": "web_url", "title": "Report", "url": "https://example.org/report"}]}},
         "quick_replies": [{"content_type": "text", "title": "Talk to a person",
                            "payload": "/request_human"}]})},
    {"seq": 8, "time": 1700000001.3, "path": "/v21.0/me/messages",
     "body": _send_request({"attachment": {"type": "image", "payload": {
         "url": "https://example.org/steps.png", "is_reusable": True}}})},
    {"seq": 9, "time": 1700000001.4, "path": "/v21.0/me/messages",
     "body": _send_request(sender_action="typing_off")},
    {"seq": 10, "time": 1700000001.5, "path": "/v21.0/me/pass_thread_control",
     "body": {"recipient": {"id": USER}, "target_app_id": 263902037430900}},
    {"seq": 11, "time": 1700000001.6, "path": "/v21.0/me/messages",
     "body": _send_request({"attachment": {"type": "template", "payload": {
         "template_type": "generic", "elements": []}}})},
]


def _messages(make_client, recorded, query="?user=sim-user-1&since=3", status=200):
    recorder = Recorder(status, json.dumps(recorded).encode(), "application/json")
    with serving(recorder) as url:
        answer = make_client(GRAPH_API_URL=url).get(f"/simulator/api/messages{query}")
    return answer, recorder.requests


def test_each_recorded_shape_becomes_what_the_page_draws(make_client):
    answer, asked = _messages(make_client, {"requests": RECORDED, "last_seq": 11})
    assert answer.status_code == 200
    assert asked[0]["path"] == "/_standin/requests"
    assert asked[0]["args"] == {"recipient": USER, "since": "3"}
    reply = answer.get_json()
    assert reply["last_seq"] == 11
    items = {item["seq"]: item for item in reply["messages"]}
    assert list(items) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert items[4]["kind"] == "typing"
    assert items[5]["kind"] == "text" and items[5]["text"] == KHMER
    assert items[5]["time"] == 1700000001.0 and items[5]["raw"] == RECORDED[1]["body"]
    assert items[6]["kind"] == "quick_replies"
    assert items[6]["quick_replies"] == [
        {"title": "ខ្មែរ", "payload": "/set_language_km"},
        {"title": "English", "payload": "/set_language_en"}]
    assert items[7]["kind"] == "buttons" and items[7]["text"] == "What happened?"
    assert items[7]["buttons"] == [
        {"type": "postback", "title": "I lost money", "payload": "/scam_victim"},
        {"type": "web_url", "title": "Report", "url": "https://example.org/report"}]
    assert items[7]["quick_replies"] == [{"title": "Talk to a person",
                                          "payload": "/request_human"}]
    assert items[8]["kind"] == "image" and items[8]["text"] == "https://example.org/steps.png"
    assert items[9]["kind"] == "other" and items[9]["text"] == ""
    assert items[10]["kind"] == "other" and "pass_thread_control" in items[10]["text"]
    assert items[11]["kind"] == "other" and "generic" in items[11]["text"]
    for item in items.values():
        assert set(item) == {"seq", "time", "kind", "text", "quick_replies", "buttons", "raw"}


def test_a_bare_list_without_last_seq_is_understood(make_client):
    answer, _ = _messages(make_client, RECORDED[1:3])
    assert answer.get_json()["last_seq"] == 6
    assert [m["kind"] for m in answer.get_json()["messages"]] == ["text", "quick_replies"]


def test_nothing_new_keeps_the_cursor(make_client):
    answer, _ = _messages(make_client, {"requests": []}, query="?user=sim-user-2&since=17")
    assert answer.get_json() == {"messages": [], "last_seq": 17}


def test_another_users_requests_are_never_shown(make_client):
    other = {"seq": 12, "path": "/v21.0/me/messages",
             "body": {"recipient": {"id": "sim-user-2"}, "message": {"text": "not yours"}}}
    answer, _ = _messages(make_client, {"requests": [RECORDED[1], other], "last_seq": 12})
    assert [m["seq"] for m in answer.get_json()["messages"]] == [5]
    assert answer.get_json()["last_seq"] == 12


def test_messages_answer_503_when_the_stand_in_is_not_listening(make_client):
    answer = make_client().get("/simulator/api/messages?user=sim-user-1")
    assert answer.status_code == 503
    assert "stand-in" in answer.get_json()["description"]


def test_messages_never_ask_the_real_graph_api(make_client):
    client = make_client(GRAPH_API_URL="https://graph.facebook.com")
    answer = client.get("/simulator/api/messages?user=sim-user-1")
    assert answer.status_code == 503
    assert "GRAPH_API_URL" in answer.get_json()["description"]


def test_a_failing_stand_in_gives_502(make_client):
    answer, _ = _messages(make_client, {"error": "boom"}, status=500)
    assert answer.status_code == 502


@pytest.mark.parametrize("query, words", [
    ("?user=someone-else", "unknown user"),
    ("", "unknown user"),
    ("?user=sim-user-1&since=-1", "whole number"),
    ("?user=sim-user-1&since=abc", "whole number"),
    ("?user=sim-user-1&since=%C2%B2", "whole number"),
])
def test_bad_message_queries_get_a_clear_400(make_client, query, words):
    answer = make_client().get(f"/simulator/api/messages{query}")
    assert answer.status_code == 400
    assert words in answer.get_json()["description"]


def test_a_request_the_graph_api_refused_is_a_note_not_a_bubble(make_client):
    refused = {**RECORDED[1], "seq": 12, "status": 400, "error_code": 551}
    answer, _ = _messages(make_client, {"requests": [refused], "last_seq": 12})
    item = answer.get_json()["messages"][0]
    assert item["kind"] == "other" and "refused" in item["text"] and "551" in item["text"]
    assert item["raw"] == refused["body"]


def test_the_real_stand_in_round_trip(make_client):
    from webhook.simulator.graph_standin import GraphStandIn

    with GraphStandIn() as graph:
        send = f"{graph.url}/v21.0/me/messages"
        for body in (_send_request(sender_action="typing_on"), _send_request({"text": KHMER}),
                     {"recipient": {"id": "sim-user-2"}, "message": {"text": "not yours"}}):
            assert requests.post(send, json=body, timeout=5).status_code == 200
        client = make_client(GRAPH_API_URL=graph.url)
        reply = client.get("/simulator/api/messages?user=sim-user-1&since=0").get_json()
        later = client.get(f"/simulator/api/messages?user=sim-user-1&since={reply['last_seq']}")
    assert [(m["kind"], m["text"]) for m in reply["messages"]] == [("typing", ""),
                                                                   ("text", KHMER)]
    assert reply["messages"][1]["raw"]["message"] == {"text": KHMER}
    assert reply["last_seq"] == 3
    assert later.get_json() == {"messages": [], "last_seq": 3}
