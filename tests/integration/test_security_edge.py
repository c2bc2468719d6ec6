"""Issue 10 against the running stack (real Rasa, real Redis, the Graph API stand-in):
finding 4 (Rasa refuses calls without the token; ours carry it) and the probes of
tests/security/probes_edge.py (findings 4, 6, 8, 12), run as `python -m tests.security.probe`
against a web process started without APP_ENV."""

import secrets
import subprocess
import sys

import pytest
import requests

from bot.train import rasa_environment
from tests.integration.messenger_client import Messenger
from tests.security.probes_edge import PROBES
from webhook.config import ROOT
from webhook.devstack import wait_for
from webhook.embedded_redis import free_port
from webhook.simulator import payloads

RASA_CALLS = [("GET", "/status", None), ("GET", "/conversations/edge-1/tracker", None),
              ("POST", "/model/parse", {"text": "hello"}),
              ("POST", "/webhooks/rest/webhook", {"sender": "edge-1", "message": "hello"})]


@pytest.mark.parametrize(("method", "path", "body"), RASA_CALLS)
def test_rasa_refuses_a_call_without_the_token_and_ours_works(stack, method, path, body):
    url = f"{stack.rasa_url}{path}"
    assert requests.request(method, url, json=body, timeout=30).status_code in (401, 403)
    wrong = requests.request(method, url, json=body, params={"token": "wrong"}, timeout=30)
    assert wrong.status_code in (401, 403)
    ours = requests.request(method, url, json=body, params=stack.rasa_auth, timeout=30)
    assert ours.status_code == 200


def test_the_health_check_reaches_rasa_with_the_token(stack):
    health = requests.get(f"{stack.web_url}/healthz", timeout=10).json()
    assert "rasa" not in health["problems"], health


@pytest.fixture
def production_web(stack):
    """The web app as a deployment that never set APP_ENV: the same Redis, Rasa and Graph API
    stand-in as the stack, its production secrets given."""
    port = free_port()
    env = {key: value for key, value in stack.environment().items() if key != "APP_ENV"}
    env.update({"WEB_PORT": str(port), "SECRET_KEY": secrets.token_urlsafe(48)})
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "webhook:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", "production web", expect_any_status=True)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_probe_of_findings_4_6_8_12_is_closed(stack, production_web):
    fb = Messenger(stack)
    user = fb.new_user()
    assert fb.deliver(payloads.text(user, "thank you")).status_code == 200
    fb.wait_for(user, 1)  # Graph API traffic for the finding-12 probe to look at
    env = {**rasa_environment(), "PROBE_GRAPH_URL": stack.graph_url,
           "PROBE_APP_SECRET": stack.secrets["FB_APP_SECRET"]}
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.probe", production_web,
         "--rasa", stack.rasa_url, "--redis", stack.redis_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    for probe in PROBES:
        [line] = [line for line in lines if f" {probe.name}:" in line]
        assert line.startswith("CLOSED"), line
