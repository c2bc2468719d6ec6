"""POST and GET /webhook against a real Redis: signatures, batches, duplicates, bad input."""

import json

import pytest

from tests.unit.test_events import fixture
from webhook import create_app, keys
from webhook.messenger.signature import sign
from webhook.simulator import payloads

SECRET = "test-app-secret"


@pytest.fixture
def app(redis_server, redis_db):
    return create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": SECRET,
                       "FB_VERIFY_TOKEN": "verify-me", "FB_PAGE_ACCESS_TOKEN": "token",
                       "INBOX_SHARDS": 4, "MAX_WEBHOOK_BYTES": 4096})


@pytest.fixture
def client(app):
    return app.test_client()


def queued(redis_db):
    events = []
    for shard in range(4):
        for _, fields in redis_db.xrange(keys.inbox(shard)):
            events.append(json.loads(fields[b"event"]))
    return events


def post(client, raw: bytes, signature: str | None = "auto"):
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-Hub-Signature-256"] = sign(raw, SECRET)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhook", data=raw, headers=headers)


def test_verification_answers_the_challenge(client):
    ok = client.get("/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42")
    assert ok.status_code == 200 and ok.data == b"42"
    wrong = client.get("/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42")
    assert wrong.status_code == 403


@pytest.mark.parametrize("ascii_only", [False, True])
def test_signature_is_over_the_raw_bytes_khmer_included(client, redis_db, ascii_only):
    body = payloads.body(payloads.text("u1", "ខ្ញុំត្រូវគេបោក 😢", mid="m1"))
    raw, headers = payloads.encode(body, SECRET, ascii_only=ascii_only)
    assert client.post("/webhook", data=raw, headers=headers).status_code == 200
    assert [e["text"] for e in queued(redis_db)] == ["ខ្ញុំត្រូវគេបោក 😢"]


def test_a_signature_over_other_bytes_is_refused(client, redis_db):
    body = payloads.body(payloads.text("u1", "hello", mid="m1"))
    raw = json.dumps(body).encode()
    reformatted = json.dumps(body, indent=2).encode()  # same JSON, other bytes
    assert post(client, reformatted, sign(raw, SECRET)).status_code == 403
    assert queued(redis_db) == []


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256=00", "sha1=abc", "garbage",
                                    "sha256=" + "0" * 64, "sha256=ü"])
def test_missing_or_wrong_signatures_are_refused_and_nothing_is_queued(client, redis_db, header):
    raw = json.dumps(payloads.body(payloads.text("u1", "hi"))).encode()
    assert post(client, raw, header).status_code == 403
    assert queued(redis_db) == []


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"object": "page"}',
                                 b'{"object": "page", "entry": [{"messaging": [1]}]}'])
def test_signed_bodies_that_are_not_messenger_payloads_are_400(client, redis_db, raw):
    assert post(client, raw).status_code == 400
    assert queued(redis_db) == []


def test_oversized_bodies_are_413(client, redis_db):
    raw = json.dumps(payloads.body(payloads.text("u1", "x" * 5000))).encode()
    assert post(client, raw).status_code == 413
    assert queued(redis_db) == []


def test_every_event_of_a_batch_is_queued(client, redis_db):
    raw = json.dumps(fixture("batch")).encode()
    assert post(client, raw).status_code == 200
    assert sorted(e["mid"] for e in queued(redis_db)) == ["m_b_1", "m_b_2", "m_b_3", "m_b_4"]


def test_one_users_events_land_in_one_shard_in_order(client, redis_db):
    events = [payloads.text("same-user", f"message {n}", timestamp=1000 + n) for n in range(6)]
    raw = json.dumps(payloads.body(*events, entries=3)).encode()
    assert post(client, raw).status_code == 200
    shard = keys.shard_of("same-user", 4)
    texts = [json.loads(f[b"event"])["text"] for _, f in redis_db.xrange(keys.inbox(shard))]
    assert texts == [f"message {n}" for n in range(6)]


@pytest.mark.parametrize("name", ["text", "quick_reply", "postback", "get_started", "image"])
def test_redelivered_messages_are_queued_once(client, redis_db, name):
    raw = json.dumps(fixture(name)).encode()
    assert post(client, raw).status_code == 200
    assert post(client, raw).status_code == 200
    assert len(queued(redis_db)) == 1


def test_reads_and_deliveries_are_queued_every_time(client, redis_db):
    raw = json.dumps(fixture("read")).encode()
    post(client, raw)
    post(client, raw)
    assert len(queued(redis_db)) == 2
