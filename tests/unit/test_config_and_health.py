"""Start-up configuration (production refuses missing secrets) and /healthz."""

import pytest

from webhook import config, create_app
from webhook.pipeline.leases import Leases


def test_production_refuses_to_start_without_secrets(monkeypatch):
    for name in config.SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(config.ConfigError, match="FB_PAGE_ACCESS_TOKEN"):
        create_app({"APP_ENV": "production", "FB_PAGE_ACCESS_TOKEN": "",
                    "FB_APP_SECRET": "", "FB_VERIFY_TOKEN": ""})


def test_development_generates_secrets_once_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(config, "DEV_SECRETS", tmp_path / "dev-secrets.json")
    settings = {"APP_ENV": "development", "FB_APP_SECRET": "given"}
    assert config.ensure_secrets(settings) == ["FB_PAGE_ACCESS_TOKEN", "FB_VERIFY_TOKEN",
                                               "NLG_TOKEN", "RASA_TOKEN"]
    again = {"APP_ENV": "development"}
    config.ensure_secrets(again)
    assert again["FB_VERIFY_TOKEN"] == settings["FB_VERIFY_TOKEN"]
    assert settings["FB_APP_SECRET"] == "given"
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0
    with caplog.at_level("WARNING"):
        create_app({"APP_ENV": "development", "FB_PAGE_ACCESS_TOKEN": ""})
    assert "generated local secrets" in caplog.text


def test_production_has_no_simulator(monkeypatch):
    app = create_app({"APP_ENV": "production", "FB_PAGE_ACCESS_TOKEN": "t",
                      "FB_APP_SECRET": "s", "FB_VERIFY_TOKEN": "v", "NLG_TOKEN": "n",
                      "SECRET_KEY": "k" * 32, "RASA_TOKEN": "r"})
    assert "simulator" not in app.blueprints


def test_health_says_what_is_missing(redis_server, redis_db):
    app = create_app({"REDIS_URL": redis_server, "RASA_URL": "http://127.0.0.1:9"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    problems = answer.get_json()["problems"]
    assert set(problems) == {"rasa", "worker"} and "redis" not in problems


def test_health_sees_a_live_worker(redis_server, redis_db):
    Leases(redis_db, "w1", shards=2).heartbeat()
    app = create_app({"REDIS_URL": redis_server, "RASA_URL": "http://127.0.0.1:9"})
    assert "worker" not in app.test_client().get("/healthz").get_json()["problems"]


def test_health_without_redis():
    app = create_app({"REDIS_URL": "redis://127.0.0.1:9/0", "RASA_URL": "http://127.0.0.1:9"})
    problems = app.test_client().get("/healthz").get_json()["problems"]
    assert "redis" in problems and "worker" in problems
