"""Issue 10, finding 8: unset APP_ENV means production; unknown values stop the start; the
simulator and the movable clock need APP_ENV=development, said explicitly."""

import subprocess
import sys

import pytest

from webhook import config, create_app, services
from webhook.config import ROOT

PRODUCTION_SECRETS = {"FB_PAGE_ACCESS_TOKEN": "t", "FB_APP_SECRET": "s", "FB_VERIFY_TOKEN": "v",
                      "RASA_TOKEN": "r", "NLG_TOKEN": "n", "SECRET_KEY": "k" * 32}


@pytest.fixture
def no_app_env(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    for name in config.SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_unset_app_env_is_production_and_refuses_without_secrets(no_app_env):
    assert config.from_environment()["APP_ENV"] == "production"
    with pytest.raises(config.ConfigError, match="production"):
        create_app({"REDIS_URL": ""})


def test_unset_app_env_has_no_simulator_nor_movable_clock(no_app_env, redis_server, redis_db):
    app = create_app({"REDIS_URL": redis_server, **PRODUCTION_SECRETS})
    assert "simulator" not in app.blueprints
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.extensions["handoffs"].clock.adjustable


@pytest.mark.parametrize("value", ["prod", "Production", "PRODUCTION", "dev", "Development",
                                   "staging", " production"])
def test_unknown_values_are_refused_at_start_with_what_to_set(value, monkeypatch):
    monkeypatch.setenv("APP_ENV", value)
    with pytest.raises(config.ConfigError, match="APP_ENV=production or APP_ENV=development"):
        create_app({"REDIS_URL": "", **PRODUCTION_SECRETS})
    with pytest.raises(config.ConfigError, match=repr(value).replace("(", r"\(")):
        config.ensure_secrets(config.from_environment())


def test_a_worker_with_an_unknown_app_env_stops_with_a_clear_error(redis_server):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "APP_ENV": "Production",
           "REDIS_URL": redis_server}
    done = subprocess.run([sys.executable, "-m", "webhook.worker", "--burst"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "APP_ENV='Production' is not known" in done.stderr
    assert "Traceback" not in done.stderr


def test_only_an_explicit_development_gets_the_simulator_and_the_clock(redis_server, redis_db):
    app = create_app({"APP_ENV": "development", "REDIS_URL": redis_server})
    assert "simulator" in app.blueprints
    assert app.extensions["handoffs"].clock.adjustable
    settings = {"APP_ENV": "production", **PRODUCTION_SECRETS, "PUBLIC_WEB_URL": "https://x",
                "GRAPH_API_URL": "http://127.0.0.1:9", "GRAPH_API_VERSION": "v21.0",
                "RESPONSES_DIR": ROOT / "responses"}
    assert not services.handoffs(settings, redis_db, services.content(settings, None)) \
        .clock.adjustable


def test_make_and_the_tests_say_development_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert "export APP_ENV ?= development" in makefile
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert 'os.environ["APP_ENV"] = "development"' in conftest
