"""Issue 10, finding 6: secrets are masked in the webhook, before the event reaches the Redis
stream (and so the append-only file and backups); the worker masks again as a second line."""

import json

import pytest
import redis

from webhook import create_app, keys
from webhook.embedded_redis import EmbeddedRedis
from webhook.privacy.redact import CARD, CODE, PASSWORD, mask_event
from webhook.simulator import payloads

SECRET = "test-app-secret"
TYPED = "my OTP is 482913, card 4111 1111 1111 1111, password is zebra quartz nimbus"
SECRETS = ("482913", "4111 1111 1111 1111", "zebra quartz nimbus", "quartz")


@pytest.fixture
def disk_redis(tmp_path):
    with EmbeddedRedis(tmp_path / "redis") as server:
        yield server


def _post(app, text: str, psid: str = "u-mask") -> None:
    raw, headers = payloads.encode(payloads.body(payloads.text(psid, text)), SECRET)
    assert app.test_client().post("/webhook", data=raw, headers=headers).status_code == 200


def test_the_stream_and_the_append_only_file_never_hold_the_secret(disk_redis, tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": disk_redis.url, "FB_APP_SECRET": SECRET,
                      "INBOX_SHARDS": 2})
    _post(app, TYPED)
    client = redis.Redis.from_url(disk_redis.url)
    [event] = [json.loads(fields[b"event"]) for shard in range(2)
               for _, fields in client.xrange(keys.inbox(shard))]
    assert event["text"] == f"my OTP is {CODE}, card {CARD}, password is {PASSWORD}"
    assert event["secrets"] == ["card", "code", "password"]
    client.close()
    disk_redis.stop()  # SIGTERM: the append-only file is flushed
    on_disk = b"".join(path.read_bytes() for path in (tmp_path / "redis").rglob("*")
                       if path.is_file())
    assert b"hidden]" in on_disk, "the event did reach the append-only file"
    for secret in SECRETS:
        assert secret.encode() not in on_disk


def test_the_second_masking_keeps_what_the_first_found():
    first = mask_event({"kind": "text", "psid": "u", "text": "the code is 123 456"})
    assert first["text"] == f"the code is {CODE}" and first["secrets"] == ["code"]
    second = mask_event(first)
    assert second["secrets"] == ["code"], "the worker still warns the user"
    assert mask_event({**first, "text": first["text"] + " and pin 9876"})["text"].count(CODE) == 2


def test_events_without_typed_text_are_queued_as_they_came():
    postback = {"kind": "postback", "psid": "u", "payload": "/greet", "text": "code 1234"}
    assert mask_event(postback) is postback
    plain = {"kind": "text", "psid": "u", "text": "hello"}
    assert mask_event(plain) is plain
