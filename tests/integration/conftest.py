"""One real stack for the whole session: embedded Redis, the web app and a Rasa server.

Loading the model takes about a minute, so every test that needs Rasa shares this one.
Set REDIS_URL to test against another Redis server instead of the embedded one.
"""

import os
import uuid
from pathlib import Path

import pytest
import redis
import requests

from bot.train import model_path
from webhook.devstack import Stack

LOGS = Path(__file__).resolve().parents[2] / ".build" / "test-logs"


@pytest.fixture(scope="session")
def stack():
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` (make test does)")
    running = Stack(model=model, redis_url=os.environ.get("REDIS_URL", ""),
                    extra_env={"RASA_PATIENCE_SECONDS": "3", "LOG_LEVEL": "INFO"})
    try:
        running.start(log_dir=LOGS)
    except RuntimeError:
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture
def redis_client(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)


class Chat:
    """A user talking to the bot through Rasa's REST channel (answers come through /nlg)."""

    def __init__(self, rasa_url: str) -> None:
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex[:10]}"

    def say(self, text: str, **metadata) -> list[dict]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": metadata},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = requests.post(f"{self.rasa_url}/model/parse", json={"text": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    def events(self) -> list[dict]:
        return requests.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker", timeout=30
        ).json()["events"]

    def user_texts(self) -> list[str]:
        return [event["text"] for event in self.events() if event["event"] == "user"]


@pytest.fixture
def chat(stack):
    return Chat(stack.rasa_url)
