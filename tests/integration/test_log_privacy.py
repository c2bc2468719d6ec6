"""A whole conversation through the running stack leaves no text, ids or secrets in its logs.

Two users (English and Khmer) write, share a password and a one-time code, ask for a person, get
a moderator's reply through the console, and delete their data; Facebook's subscription check,
a forged delivery and a message Rasa fails on come too. Then every log the stack wrote meanwhile
(web app and its access log, workers, Rasa, Graph API stand-in: .build/test-logs) is searched.
"""

import hashlib
import re
import time
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import LOGS
from tests.integration.messenger_client import Messenger
from webhook.console.accounts import create_account, get_account
from webhook.conversations.state import Conversations
from webhook.simulator import payloads

MODERATOR, MODERATOR_PASSWORD = "logcheck-mod", "Mekong-lantern-7319-river"
PASSWORD, CODE = "Tonle$ap2026", "482913"
ENGLISH = [
    "hello",
    "my friend Sreymom got a message saying she won a prize, is it a scam?",
    f"my password is {PASSWORD} and they asked for my OTP {CODE}",
    "I want to talk to a real person",
    "are you there? I am waiting in Kampot",
]
KHMER = [
    "ខ្ញុំត្រូវគេបោកលុយហើយ",
    "សូមលុបទិន្នន័យរបស់ខ្ញុំ",
]
REPLY = "Hello from Dara, we will call you back about Kampot"


def log_offsets() -> dict[Path, int]:
    return {path: path.stat().st_size for path in LOGS.glob("*.log")}


def written_since(offsets: dict[Path, int]) -> dict[str, str]:
    """Each log's text written after `offsets` (whole files that are new)."""
    found = {}
    for path in LOGS.glob("*.log"):
        with path.open("rb") as log:
            log.seek(offsets.get(path, 0))
            found[path.name] = log.read().decode("utf-8", "replace")
    return found


def wait_until(check, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)


class Console:
    """A moderator in the console, over HTTP, as a browser would."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.http = requests.Session()

    def token(self, path: str) -> str:
        page = self.http.get(f"{self.web_url}{path}", timeout=10)
        page.raise_for_status()
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def login(self) -> None:
        answer = self.http.post(f"{self.web_url}/console/login", timeout=30, data={
            "username": MODERATOR, "password": MODERATOR_PASSWORD,
            "csrf_token": self.token("/console/login")})
        assert answer.ok and "/console/login" not in answer.url, answer.text[:300]

    def post(self, path: str, **form: str) -> None:
        form["csrf_token"] = self.token("/console/")
        self.http.post(f"{self.web_url}{path}", data=form, timeout=30).raise_for_status()


@pytest.fixture
def fb(stack):
    return Messenger(stack)


@pytest.fixture
def conversations(stack):
    return Conversations(redis.Redis.from_url(stack.redis_url), 86400)


@pytest.fixture
def console(stack):
    client = redis.Redis.from_url(stack.redis_url)
    if get_account(client, MODERATOR) is None:
        create_account(client, MODERATOR, "Dara", "moderator", MODERATOR_PASSWORD)
    return Console(stack.web_url)


def say(fb, user: str, text: str, answers_before: int) -> int:
    """Send `text` and wait for at least one more answer; return the new count."""
    fb.deliver(payloads.text(user, text))
    return len(fb.wait_for(user, answers_before + 1))


def english_conversation(fb, console, conversations, user: str) -> None:
    fb.fault(2, http_status=500, times=1, recipient=user)  # a retry names the recipient in logs
    count = 0
    for text in ENGLISH[:3]:
        count = say(fb, user, text, count)
    fb.deliver(payloads.text(user, ENGLISH[3]))
    wait_until(lambda: conversations.get(user).get("owner") == "queued", "queued", timeout=90)
    fb.deliver(payloads.text(user, ENGLISH[4]))
    ref = conversations.ref(user)
    console.login()
    console.http.get(f"{console.web_url}/console/c/{ref}", timeout=10).raise_for_status()
    console.post(f"/console/c/{ref}/claim")
    console.post(f"/console/c/{ref}/reply", text=REPLY)
    console.post(f"/console/c/{ref}/resolve")
    wait_until(lambda: REPLY in fb.texts(user), "the moderator's reply")
    delete_data(fb, user, "please delete all my data", conversations)


def delete_data(fb, user: str, request: str, conversations) -> None:
    count = len(fb.sent_messages(user))
    say(fb, user, request, count)
    fb.deliver(payloads.quick_reply(user, "Yes, delete", "/affirm"))
    wait_until(lambda: not conversations.get(user), "the data deleted")


def khmer_conversation(fb, conversations, user: str) -> None:
    say(fb, user, KHMER[0], 0)
    delete_data(fb, user, KHMER[1], conversations)


FAILING_SENDER, FAILING_TEXT = "psid-rasa-failure", "my neighbour Chanthou lost 200 dollars"


def side_requests(stack) -> None:
    """Facebook's subscription check (the verify token in the query), a forged delivery, and a
    message Rasa fails to handle: Rasa logs such a failure with the text and a traceback whose
    frames list the sender id (as when its Redis is down); here its metadata is no mapping."""
    token = stack.secrets["FB_VERIFY_TOKEN"]
    check = requests.get(f"{stack.web_url}/webhook", timeout=10, params={
        "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "77"})
    assert check.text == "77"
    raw, headers = payloads.encode(payloads.body(payloads.text("psid-forged", ENGLISH[1])),
                                   "not-the-app-secret")
    forged = requests.post(f"{stack.web_url}/webhook", data=raw, headers=headers, timeout=10)
    assert forged.status_code == 403
    failing = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                            params=stack.rasa_auth, json={
        "sender": FAILING_SENDER, "message": FAILING_TEXT, "metadata": "not a mapping"})
    assert failing.json() == []


def test_no_log_holds_message_text_user_ids_or_secrets(stack, fb, console, conversations):
    offsets = log_offsets()
    english, khmer = fb.new_user(), fb.new_user()
    side_requests(stack)
    english_conversation(fb, console, conversations, english)
    khmer_conversation(fb, conversations, khmer)
    time.sleep(1)  # let every process write what it had to say
    logs = written_since(offsets)
    assert {"web.log", "rasa.log", "graph.log"} <= set(logs)
    assert "Send API messages failed" in "".join(logs.values())
    forbidden = {
        **{f"message {n}": text for n, text in enumerate(ENGLISH + KHMER)},
        "moderator reply": REPLY, "password": PASSWORD, "one-time code": CODE,
        "PSID (en)": english, "PSID (km)": khmer, "PSID (forged)": "psid-forged",
        "failed message": FAILING_TEXT, "PSID (failed)": FAILING_SENDER,
        "PSID (en), plain hash": hashlib.sha256(english.encode()).hexdigest()[:10],
        "moderator password": MODERATOR_PASSWORD,
        "console session": console.http.cookies.get("hl_console", "unset-cookie"),
        **{name: stack.secrets[name] for name in
           ("FB_PAGE_ACCESS_TOKEN", "FB_APP_SECRET", "FB_VERIFY_TOKEN")},
    }
    leaks = [f"{name}: {what} in {line.strip()[:160]!r}"
             for name, text in logs.items() for line in text.splitlines()
             for what, secret in forbidden.items() if secret in line]
    assert not leaks, "\n".join(leaks)
