"""Fixtures for the tests that talk to the running stack (the `stack` fixture itself is in
tests/conftest.py, so the integration and browser tests share one)."""

import uuid

import pytest
import redis
import requests

from tests.integration.messenger_client import Messenger
from webhook.pipeline.bursts import BurstWindow


@pytest.fixture
def fb(stack):
    """Signed webhook deliveries to the stack and what the Graph stand-in received."""
    from tests.integration.messenger_client import Messenger

    return Messenger(stack)


@pytest.fixture
def db(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)


@pytest.fixture
def burst_window(stack):
    """Set the workers' burst window for one test (seconds; 0 turns joining off); the
    stack's own (tests/conftest.py) comes back after."""
    window = BurstWindow(0.0, redis.Redis.from_url(stack.redis_url), adjustable=True)
    yield window.set
    window.set(None)


@pytest.fixture
def redis_client(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)


@pytest.fixture
def messenger(stack):
    """Signed webhook deliveries to the stack and the Send API calls it made."""
    return Messenger(stack)


class Chat:
    """A user talking to the bot through Rasa's REST channel (answers come through /nlg)."""

    def __init__(self, rasa_url: str, auth: dict[str, str]) -> None:
        self.rasa_url = rasa_url
        self.auth = auth  # the Rasa token's query parameter
        self.sender = f"test-{uuid.uuid4().hex[:10]}"

    def say(self, text: str, **metadata) -> list[dict]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", params=self.auth,
            json={"sender": self.sender, "message": text, "metadata": metadata},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = requests.post(f"{self.rasa_url}/model/parse", json={"text": text},
                                 params=self.auth, timeout=30)
        response.raise_for_status()
        return response.json()

    def events(self) -> list[dict]:
        return requests.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker", params=self.auth, timeout=30
        ).json()["events"]

    def user_texts(self) -> list[str]:
        return [event["text"] for event in self.events() if event["event"] == "user"]


@pytest.fixture
def chat(stack):
    return Chat(stack.rasa_url, stack.rasa_auth)

