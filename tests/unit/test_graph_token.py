"""Issue 10, finding 12: the Page token travels in the Authorization header and the
appsecret_proof in the body, never in a URL (which urllib3's DEBUG log, proxies and access logs
keep). Checked on the URLs actually sent and on what the Graph API stand-in recorded."""

import logging

import pytest
import requests

from webhook.messenger.profile import ProfileApi
from webhook.messenger.send_api import SendApi
from webhook.messenger.signature import appsecret_proof
from webhook.simulator.graph_standin import GraphStandIn

TOKEN = "page-token-finding-12-e41b"
SECRET = "app-secret-finding-12-77d0"
PROOF = appsecret_proof(TOKEN, SECRET)
USER = "psid-token-1"


@pytest.fixture
def graph():
    with GraphStandIn(app_secret=SECRET) as standin:
        yield standin


@pytest.fixture
def sent():
    """A session that remembers the URL and headers of every request it sent."""
    session, seen = requests.Session(), []
    session.hooks["response"].append(lambda response, *a, **k: seen.append(response.request))
    return session, seen


def test_send_api_calls_carry_the_token_in_the_header_only(graph, sent, caplog):
    session, seen = sent
    caplog.set_level(logging.DEBUG, logger="urllib3")
    api = SendApi(graph.url, "v21.0", TOKEN, SECRET, session=session, sleep=lambda _: None)
    api.send_message(USER, {"text": "hello"})
    api.sender_action(USER, "typing_on")
    api.pass_thread_control(USER)
    assert len(seen) == 3
    for prepared in seen:
        assert TOKEN not in prepared.url and PROOF not in prepared.url
        assert prepared.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "/v21.0/me/messages" in caplog.text, "urllib3 did log the requests"
    assert TOKEN not in caplog.text and PROOF not in caplog.text
    recorded = graph.requests_for(USER)
    assert all(r["has_token"] and r["proof_valid"] is True for r in recorded)
    assert not any(r["token_in_url"] or r["proof_in_url"] for r in recorded)


def test_profile_calls_never_put_the_token_in_a_url(graph, sent):
    session, seen = sent
    api = ProfileApi(graph.url, "v21.0", TOKEN, SECRET, session=session)
    api.set({"greeting": [{"locale": "default", "text": "Hello"}]})
    assert api.get(("greeting",))["greeting"][0]["text"] == "Hello"
    api.delete(("greeting",))
    assert [prepared.method for prepared in seen] == ["POST", "GET", "DELETE"]
    assert not any(TOKEN in prepared.url for prepared in seen)
    assert not any(PROOF in prepared.url for prepared in seen if prepared.method != "GET")
    recorded = graph.requests_for(path_contains="messenger_profile")
    assert all(r["proof_valid"] is True and not r["token_in_url"] for r in recorded)


def test_the_stand_in_still_sees_a_token_sent_in_the_query(graph):
    """What the probe relies on: a client that puts the token in the URL is recorded so."""
    requests.post(f"{graph.url}/v21.0/me/messages", timeout=5,
                  params={"access_token": TOKEN, "appsecret_proof": PROOF},
                  json={"recipient": {"id": USER}, "message": {"text": "x"}})
    [entry] = graph.requests_for(USER)
    assert entry["token_in_url"] and entry["proof_in_url"] and entry["proof_valid"] is True
    assert TOKEN not in str(entry) and PROOF not in str(entry)
