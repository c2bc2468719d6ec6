"""Shared fixtures: a real Redis server (embedded unless REDIS_URL is set), and one running
stack (Redis, Graph API stand-in, web app, Rasa with the trained model, workers) shared by the
integration and browser tests of a session: loading the model takes a while."""

import os
from pathlib import Path

import pytest
import redis

from bot.train import model_path
from webhook.devstack import Stack
from webhook.embedded_redis import EmbeddedRedis

# The tests run in development, explicitly (unset APP_ENV means production); the stack's
# processes inherit it.
os.environ["APP_ENV"] = "development"

LOGS = Path(__file__).resolve().parents[1] / ".build" / "test-logs"
# Bursts are on in the shared stack with a short window: every message goes through them
# without slowing each test by the production window (tests/integration/test_bursts.py sets that).
BURST_WINDOW_S = "0.3"


@pytest.fixture(scope="session")
def stack():
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` (make test does)")
    running = Stack(model=model, redis_url=os.environ.get("REDIS_URL", ""),
                    extra_env={"RASA_PATIENCE_SECONDS": "3", "LOG_LEVEL": "INFO",
                               "BURST_WINDOW_SECONDS": BURST_WINDOW_S})
    try:
        running.start(log_dir=LOGS)
    except RuntimeError:
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """The URL of a real Redis server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def redis_db(redis_server):
    """A client on an empty database."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def feedback_on(stack):
    """The stack's workers ask "Did this help?" (as in production) for one test."""
    def restart(value):
        stack.extra_env["FEEDBACK_QUESTION"] = value
        stack.restart_workers(LOGS)

    restart("on")
    yield
    restart("off")
