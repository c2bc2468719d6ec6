"""Issue 10, finding 4 (the parts without a running Rasa; tests/integration/test_security_edge.py
checks the real server): `bot.serve run` takes `--auth-token` from RASA_TOKEN and refuses to
start without it, the REST channel checks the same token, and nothing names a model server."""

import pytest
import requests
import yaml

from bot import serve
from bot.channels import TokenRestInput, token_ok
from webhook.config import ROOT
from webhook.devstack import Stack
from webhook.pipeline.rasa_client import RasaClient


def test_run_gets_the_token_from_the_environment_not_the_command_line():
    argv = ["rasa", "run", "--enable-api", "--port", "5005"]
    assert serve.with_auth_token(argv, {"RASA_TOKEN": "t0k"}) == [*argv, "--auth-token", "t0k"]
    with pytest.raises(serve.MissingToken, match="RASA_TOKEN is not set"):
        serve.with_auth_token(argv, {})
    with pytest.raises(serve.MissingToken, match="not --auth-token"):
        serve.with_auth_token([*argv, "--auth-token", "visible"], {"RASA_TOKEN": "t0k"})
    other = ["rasa", "test", "core"]
    assert serve.with_auth_token(other, {}) == other


def test_the_channel_token_check_refuses_empty_and_wrong_tokens():
    assert token_ok("right", "right")
    assert not token_ok("wrong", "right") and not token_ok("", "right")
    assert not token_ok("", ""), "no configured token: nobody gets in"
    assert TokenRestInput.name() == "rest", "same URL and input channel as before"


def test_rasa_is_configured_with_the_guarded_channel_and_no_model_server():
    credentials = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text())
    assert list(credentials) == ["bot.channels.TokenRestInput"]
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text())
    assert "models" not in endpoints, "a model server URL would let it replace the model"
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "bot.serve run" in entrypoint and "--auth-token" not in entrypoint


def test_make_run_binds_rasa_to_loopback_and_gives_the_token_only_in_the_environment(tmp_path):
    stack = Stack(model=tmp_path / "model.tar.gz", redis_url="redis://127.0.0.1:9/0",
                  secrets={"RASA_TOKEN": "t0k"})
    command = stack._rasa_command()  # the first replica
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert "t0k" not in command and "--auth-token" not in command
    assert stack.rasa_auth == {"token": "t0k"}


def test_the_client_puts_the_token_on_every_request():
    client = RasaClient("http://127.0.0.1:9", "t0k")
    prepared = client.session.prepare_request(
        requests.Request("POST", f"{client.url}/webhooks/rest/webhook"))
    assert prepared.url.endswith("/webhooks/rest/webhook?token=t0k")
