"""Issue 10, finding 11, on the running stack: 100 open console event streams leave the
webhook answering (latency is measured in tests/bench/console_streams.py, not here)."""

import http.client
import re
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import requests

from tests.integration.messenger_client import Messenger
from webhook.console.accounts import create_account
from webhook.simulator import payloads

PASSWORD = "streams need long passwords"
STREAMS = 100


def console_session(stack, role="moderator"):
    """A signed-in requests session of a new account (moderators have no second factor)."""
    name = f"streams-{uuid.uuid4().hex[:8]}"
    create_account(redis.Redis.from_url(stack.redis_url), name, "Streams", role, PASSWORD)
    browser = requests.Session()
    page = browser.get(f"{stack.web_url}/console/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(f"{stack.web_url}/console/login", timeout=60, data={
        "username": name, "password": PASSWORD, "csrf_token": token, "next": ""})
    assert answer.ok and "/console/login" not in answer.url
    return browser


def events_url_of(stack, browser):
    """The event-stream address the queue page gives its script."""
    page = browser.get(f"{stack.web_url}/console/", timeout=60).text
    url = re.search(r'data-events-url="([^"]+)"', page).group(1)
    return url if url.startswith("http") else f"{stack.web_url}{url}"


def open_stream(url, cookie):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", parts.path, headers={"Cookie": cookie,
                                                   "Accept": "text/event-stream"})
    response = connection.getresponse()
    assert response.status == 200, response.status
    assert response.readline().startswith(b"retry:")
    return connection


@pytest.fixture
def streams(stack):
    browser = console_session(stack)
    url = events_url_of(stack, browser)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    opened = []
    try:
        for _ in range(STREAMS):
            opened.append(open_stream(url, cookie))
        yield opened
    finally:
        for connection in opened:
            connection.close()


def test_the_webhook_answers_while_a_hundred_streams_are_open(stack, streams):
    assert len(streams) == STREAMS
    fb = Messenger(stack)
    user = fb.new_user()
    for _ in range(3):
        assert fb.deliver(payloads.text(user, "hello")).status_code == 200
    fb.wait_for(user, 1)  # and the whole pipeline answered the user


def test_the_web_app_itself_holds_only_a_few_streams(stack):
    browser = console_session(stack)
    answers = [browser.get(f"{stack.web_url}/console/events", stream=True, timeout=10)
               for _ in range(12)]
    try:
        assert 503 in [answer.status_code for answer in answers]
    finally:
        for answer in answers:
            answer.close()
