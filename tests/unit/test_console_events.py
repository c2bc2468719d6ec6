"""Issue 10, finding 11 (the parts a test client can show): an event stream has a maximum
lifetime, ends soon after its session does, and a process holds only so many at once.
tests/integration/test_console_streams.py shows 100 open streams leave /webhook answering."""

import threading
import time

import pytest

from tests.unit.test_console_auth import (  # noqa: F401 - cheap_hashes: autouse
    PASSWORD,
    cheap_hashes,
    console_app,
    login,
    session_token,
)
from webhook.console import accounts


@pytest.fixture
def moderator(redis_db):
    accounts.create_account(redis_db, "mod1", "Mod", "moderator", PASSWORD)


def open_stream(app):
    client = app.test_client()
    login(client, "mod1")
    response = client.get("/console/events", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    return client, response


def in_thread(work):
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)


def read_until_end(response, limit_s):
    started, chunks = time.monotonic(), []
    for chunk in response.response:
        chunks.append(chunk)
        if time.monotonic() - started > limit_s:
            break
    response.close()
    return time.monotonic() - started, b"".join(c if isinstance(c, bytes) else c.encode()
                                                 for c in chunks)


def test_a_stream_ends_at_its_maximum_lifetime(redis_server, moderator):
    app = console_app(redis_server, CONSOLE_STREAM_MAX_SECONDS=1)
    _, response = open_stream(app)
    elapsed, body = read_until_end(response, limit_s=30)
    assert body.startswith(b"retry: 2000") and elapsed < 30


@pytest.mark.parametrize("ending", ["logout", "disable"])
def test_a_stream_ends_soon_after_logout_or_a_disabled_account(redis_server, redis_db,
                                                               moderator, ending):
    app = console_app(redis_server, CONSOLE_STREAM_MAX_SECONDS=120,
                      CONSOLE_STREAM_RECHECK_SECONDS=0.2)
    client, response = open_stream(app)

    def end_the_session():  # in another thread, as another request of a real server would be
        other = app.test_client()
        login(other, "mod1")
        if ending == "logout":
            other.post("/console/logout", data={"csrf_token": session_token(other)})
        else:
            accounts.disable_account(redis_db, "mod1")

    in_thread(end_the_session)
    elapsed, _ = read_until_end(response, limit_s=60)
    assert elapsed < 60, "the stream outlived its session"


def test_a_process_holds_only_so_many_streams(redis_server, moderator):
    app = console_app(redis_server, CONSOLE_MAX_STREAMS=1)
    _, first = open_stream(app)
    next(iter(first.response))
    answers = []

    def second_stream():
        client = app.test_client()
        login(client, "mod1")
        answers.append(client.get("/console/events"))

    in_thread(second_stream)
    assert answers[0].status_code == 503 and answers[0].headers["Retry-After"]
    first.close()  # its slot is free again
    _, third = open_stream(app)
    third.close()
