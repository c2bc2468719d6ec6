"""The Send API client and the Graph API stand-in, talking over real loopback HTTP."""

import json
import logging
import os
import random
import socket
import subprocess
import sys
import traceback

import pytest
import requests

from bot.project import ROOT
from webhook.messenger.send_api import (
    PAGE_INBOX_APP_ID,
    PermanentSendError,
    SendApi,
    TransientSendError,
    recipient_tag,
)
from webhook.messenger.signature import appsecret_proof
from webhook.simulator.graph_standin import GraphStandIn

TOKEN = "page-token-for-tests-7f3a"
SECRET = "app-secret-for-tests-91c2"
PROOF = appsecret_proof(TOKEN, SECRET)
VERSION = "v21.0"
USER = "5550001"


@pytest.fixture
def graph():
    with GraphStandIn(app_secret=SECRET) as standin:
        yield standin


class Sleeps(list):
    """An injectable sleep that records the delays instead of waiting."""

    def __call__(self, seconds):
        self.append(seconds)


class MaxJitter(random.Random):
    """Full jitter at its upper bound, so the caps themselves are visible."""

    def uniform(self, a, b):
        return b


@pytest.fixture
def sleeps():
    return Sleeps()


def make_api(url, sleeps, **tuning):
    tuning = {"max_attempts": 5, "timeout": 2.0, **tuning}
    return SendApi(url, VERSION, TOKEN, SECRET, sleep=sleeps, **tuning)


def text(body="hello"):
    return {"text": body}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- success -----------------------------------------------------------------------------------

def test_send_returns_the_message_id_with_a_valid_proof_and_no_token_stored(graph, sleeps):
    message_id = make_api(graph.url, sleeps).send_message(USER, text("hi there"))
    [seen] = graph.requests_for(USER)
    assert message_id.startswith("m_")
    assert seen["path"] == f"/{VERSION}/me/messages" and seen["method"] == "POST"
    assert seen["has_token"] and seen["has_proof"] and seen["proof_valid"] is True
    assert seen["json"] == {"recipient": {"id": USER}, "messaging_type": "RESPONSE",
                            "message": {"text": "hi there"}}
    dumped = json.dumps(graph.requests_for())
    assert TOKEN not in dumped and PROOF not in dumped
    assert sleeps == []


def test_a_wrong_app_secret_is_seen_as_an_invalid_proof(graph, sleeps):
    SendApi(graph.url, VERSION, TOKEN, "another-secret", sleep=sleeps).send_message(USER, text())
    assert graph.requests_for(USER)[0]["proof_valid"] is False


def test_sender_actions_and_thread_control(graph, sleeps):
    api = make_api(graph.url, sleeps)
    api.sender_action(USER, "typing_on")
    api.pass_thread_control(USER, metadata="handoff")
    api.take_thread_control(USER)
    api.release_thread_control(USER)
    seen = graph.requests_for(USER)
    assert [r["path"].rsplit("/", 1)[1] for r in seen] == [
        "messages", "pass_thread_control", "take_thread_control", "release_thread_control"]
    assert seen[0]["json"] == {"recipient": {"id": USER}, "sender_action": "typing_on"}
    assert seen[1]["json"]["target_app_id"] == PAGE_INBOX_APP_ID
    assert all(r["proof_valid"] and r["status"] == 200 for r in seen)
    with pytest.raises(ValueError):
        api.sender_action(USER, "dance")


def test_tag_is_sent_only_with_message_tag(graph, sleeps):
    api = make_api(graph.url, sleeps)
    api.send_message(USER, text(), messaging_type="UPDATE")
    api.send_message(USER, text(), messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    first, second = (r["json"] for r in graph.requests_for(USER))
    assert "tag" not in first and first["messaging_type"] == "UPDATE"
    assert second["messaging_type"] == "MESSAGE_TAG" and second["tag"] == "HUMAN_AGENT"
    for bad in ({"tag": "HUMAN_AGENT"}, {"messaging_type": "MESSAGE_TAG"},
                {"messaging_type": "PROMO"}):
        with pytest.raises(ValueError):
            api.send_message(USER, text(), **bad)
    assert len(graph.requests_for(USER)) == 2  # the refused calls never left


# -- transient errors: retried until they clear ------------------------------------------------

@pytest.mark.parametrize("code, status", [
    (1, 400), (2, 503), (4, 400), (17, 400), (32, 400), (613, 400), (1200, 400),
    (99999, 500), (99999, 503),  # unknown code: the HTTP status decides
])
def test_transient_errors_are_retried_until_they_clear(graph, sleeps, code, status):
    graph.add_fault(code, http_status=status, times=2, recipient=USER)
    message_id = make_api(graph.url, sleeps).send_message(USER, text())
    seen = graph.requests_for(USER)
    assert [r["error_code"] for r in seen] == [code, code, None]
    assert [r["status"] for r in seen] == [status, status, 200]
    assert message_id.startswith("m_") and len(sleeps) == 2


def test_a_timeout_is_retried(graph, sleeps):
    graph.add_delay(1.0, recipient=USER)
    message_id = make_api(graph.url, sleeps, timeout=0.2).send_message(USER, text())
    assert message_id.startswith("m_")
    assert len(graph.requests_for(USER)) == 2 and len(sleeps) == 1


def test_connection_refused_is_retried_until_graph_is_up(sleeps):
    port = free_port()
    later = GraphStandIn(port=port, app_secret=SECRET)

    def sleep_then_start(seconds):
        sleeps.append(seconds)
        later.start()

    api = SendApi(f"http://127.0.0.1:{port}", VERSION, TOKEN, SECRET, sleep=sleep_then_start)
    try:
        assert api.send_message(USER, text()).startswith("m_")
    finally:
        later.stop()
    assert len(sleeps) == 1 and len(later.requests_for(USER)) == 1


def test_retries_exhausted_raise_transient_send_error(graph, sleeps):
    graph.add_fault(613, times=100)
    with pytest.raises(TransientSendError) as raised:
        make_api(graph.url, sleeps, max_attempts=3).send_message(USER, text())
    error = raised.value
    assert (error.code, error.http_status, error.permanent, error.attempts) == (613, 400, False, 3)
    assert len(graph.requests_for(USER)) == 3 and len(sleeps) == 2


def test_backoff_grows_and_is_capped(graph, sleeps):
    graph.add_fault(2, http_status=500, times=100)
    api = make_api(graph.url, sleeps, max_attempts=7, base_delay=0.2, max_delay=1.0,
                   rng=MaxJitter())
    with pytest.raises(TransientSendError):
        api.send_message(USER, text())
    assert sleeps == pytest.approx([0.2, 0.4, 0.8, 1.0, 1.0, 1.0])


def test_full_jitter_stays_within_each_cap():
    api = SendApi("http://127.0.0.1:9", VERSION, TOKEN, SECRET, base_delay=0.1, max_delay=2.0,
                  rng=random.Random(7))
    for attempt in range(1, 12):
        cap = min(2.0, 0.1 * 2 ** (attempt - 1))
        delays = [api.backoff(attempt) for _ in range(50)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap / 2  # really spread over the range, not a constant


# -- permanent errors: one attempt only --------------------------------------------------------

@pytest.mark.parametrize("code, subcode, status", [
    (10, None, 400), (100, None, 400), (190, None, 400), (551, None, 400),
    (1545041, None, 400), (2018278, None, 400),
    (551, 1545041, 400),   # how Meta reports "this person isn't available right now"
    (10, 2018278, 400),    # how Meta reports "outside of the allowed window"
    (100, None, 500),      # a permanent code wins over a 5xx status
    (368, None, 400),      # any other 4xx
    (99999, None, 404),
])
def test_permanent_errors_are_not_retried(graph, sleeps, code, subcode, status):
    graph.add_fault(code, http_status=status, subcode=subcode, times=5)
    with pytest.raises(PermanentSendError) as raised:
        make_api(graph.url, sleeps).send_message(USER, text())
    error = raised.value
    assert (error.code, error.subcode, error.http_status) == (code, subcode, status)
    assert error.permanent and error.attempts == 1
    assert len(graph.requests_for(USER)) == 1 and sleeps == []


def test_graph_validation_errors_are_permanent(graph, sleeps):
    with pytest.raises(PermanentSendError) as raised:
        make_api(graph.url, sleeps).send_message(USER, text("x" * 2001))
    assert raised.value.code == 100 and sleeps == []


def test_no_secret_or_text_in_logs_or_errors(graph, sleeps, caplog):
    caplog.set_level(logging.DEBUG, logger="webhook.messenger.send_api")
    secret_text = "my password is hunter2"
    errors = []
    graph.add_fault(613, times=2)
    graph.add_fault(551, subcode=1545041)
    dead = SendApi(f"http://127.0.0.1:{free_port()}", VERSION, TOKEN, SECRET,
                   max_attempts=2, sleep=sleeps)
    for api in (make_api(graph.url, sleeps), dead):
        with pytest.raises(PermanentSendError if api is not dead else TransientSendError) as e:
            api.send_message(USER, text(secret_text))
        errors.append("".join(traceback.format_exception(e.type, e.value, e.tb)))
    ours = [r.getMessage() for r in caplog.records if r.name == "webhook.messenger.send_api"]
    assert len(ours) == 5 and all(recipient_tag(USER) in line for line in ours)
    for written in [*ours, *errors]:
        for secret in (TOKEN, PROOF, secret_text, USER):
            assert secret not in written
    assert "ConnectionError" in errors[1]  # the cause is still chained, only scrubbed


# -- the stand-in's control API, over HTTP -----------------------------------------------------

def test_faults_over_http_match_a_recipient_and_use_meta_error_json(graph, sleeps):
    reply = requests.post(f"{graph.url}/_standin/faults", timeout=5,
                          json={"code": 551, "subcode": 1545041, "recipient": "U1"})
    assert reply.status_code == 201
    api = make_api(graph.url, sleeps)
    api.send_message("U2", text())  # another recipient is unaffected
    raw = requests.post(f"{graph.url}/{VERSION}/me/messages", timeout=5,
                        json={"recipient": {"id": "U1"}, "message": text()})
    error = raw.json()["error"]
    assert raw.status_code == 400
    assert (error["code"], error["error_subcode"], error["type"]) == (551, 1545041,
                                                                    "OAuthException")
    assert error["message"] and error["fbtrace_id"]
    assert requests.post(f"{graph.url}/_standin/faults", json={"times": 2}, timeout=5
                         ).status_code == 400


def test_delete_faults_over_http(graph, sleeps):
    graph.add_fault(190, times=10)
    assert requests.delete(f"{graph.url}/_standin/faults", timeout=5).json() == {"faults": 0}
    assert make_api(graph.url, sleeps).send_message(USER, text()).startswith("m_")


def test_requests_since_and_for_a_recipient_over_http(graph, sleeps):
    api = make_api(graph.url, sleeps)
    for user in ("A", "B", "A"):
        api.send_message(user, text(user))
    listing = requests.get(f"{graph.url}/_standin/requests", timeout=5).json()
    first_seq = listing["requests"][0]["seq"]
    since = requests.get(f"{graph.url}/_standin/requests", timeout=5,
                         params={"since": first_seq, "recipient": "A"}).json()
    assert listing["last_seq"] == first_seq + 2
    assert [r["json"]["message"]["text"] for r in since["requests"]] == ["A"]
    assert since["requests"][0]["seq"] == first_seq + 2
    assert all("access_token" not in r["args"] for r in listing["requests"])
    assert requests.get(f"{graph.url}/_standin/requests", params={"since": "x"},
                        timeout=5).status_code == 400


def test_reset_over_http_forgets_everything_but_keeps_counting(graph, sleeps):
    api = make_api(graph.url, sleeps)
    api.send_message(USER, text())
    graph.add_fault(100)
    assert requests.post(f"{graph.url}/_standin/reset", timeout=5).json() == {"reset": True}
    assert graph.requests_for() == []
    api.send_message(USER, text())  # the fault is gone too
    assert graph.requests_for()[0]["seq"] == 2


def test_history_is_bounded(sleeps):
    with GraphStandIn(app_secret=SECRET, history_limit=5) as small:
        api = make_api(small.url, sleeps)
        for n in range(8):
            api.send_message(USER, text(str(n)))
        kept = requests.get(f"{small.url}/_standin/requests", timeout=5).json()["requests"]
    assert [r["seq"] for r in kept] == [4, 5, 6, 7, 8]


def test_unknown_graph_paths_answer_a_graph_error(graph):
    reply = requests.post(f"{graph.url}/{VERSION}/me/nothing_here", json={}, timeout=5)
    assert reply.status_code == 400 and reply.json()["error"]["code"] == 2500


def test_access_log_has_no_token(graph, sleeps, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    make_api(graph.url, sleeps).send_message(USER, text())
    requests.get(f"{graph.url}/_standin/requests", params={"recipient": USER}, timeout=5)
    assert f"/{VERSION}/me/messages" in caplog.text
    assert TOKEN not in caplog.text and PROOF not in caplog.text
    assert "_standin" not in caplog.text and USER not in caplog.text  # polling stays quiet


@pytest.mark.timeout(60)
def test_runs_as_a_module_with_a_port():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FB_PAGE_ACCESS_TOKEN": TOKEN,
           "FB_APP_SECRET": SECRET, "FB_VERIFY_TOKEN": "verify"}
    process = subprocess.Popen(
        [sys.executable, "-m", "webhook.simulator.graph_standin", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout.readline().strip().endswith(f"127.0.0.1:{port}")
        api = SendApi(f"http://127.0.0.1:{port}", VERSION, TOKEN, SECRET)
        api.send_message(USER, text())
        seen = requests.get(f"http://127.0.0.1:{port}/_standin/requests", timeout=5).json()
        assert seen["requests"][0]["proof_valid"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
