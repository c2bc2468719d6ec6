"""/metrics: what the webhook, the worker's parts and Redis report, and who may read it."""

import re

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from webhook import create_app, keys, metrics
from webhook.messenger.signature import sign
from webhook.simulator import payloads

SECRET = "metrics-secret"


@pytest.fixture
def app(redis_server, redis_db):
    return create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": SECRET,
                       "FB_VERIFY_TOKEN": "v", "FB_PAGE_ACCESS_TOKEN": "t", "INBOX_SHARDS": 2})


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def post(client, raw: bytes, signature: str):
    return client.post("/webhook", data=raw, headers={"Content-Type": "application/json",
                                                      "X-Hub-Signature-256": signature})


def test_deliveries_are_counted_by_result_and_the_inbox_is_measured(app, redis_db):
    client = app.test_client()
    before = scrape(client)
    raw, _ = payloads.encode(payloads.body(payloads.text("u1", "hello", mid="m-1")), SECRET)
    assert post(client, raw, sign(raw, SECRET)).status_code == 200
    assert post(client, raw, "sha256=" + "0" * 64).status_code == 403
    after = scrape(client)
    name = "helpline_webhook_deliveries_total"
    assert value(after, name, result="accepted") - value(before, name, result="accepted") == 1
    assert value(after, name, result="bad_signature") - \
        value(before, name, result="bad_signature") == 1
    shard = str(keys.shard_of("u1", 2))
    assert value(after, "helpline_inbox_length", shard=shard) == 1
    assert value(after, "helpline_inbox_oldest_age_seconds", shard=shard) >= 0
    assert value(after, "helpline_redis_up") == 1
    assert value(after, "helpline_webhook_ack_seconds_count") > \
        value(before, "helpline_webhook_ack_seconds_count")


def test_no_user_id_or_text_appears_in_the_metrics(app, redis_db):
    client = app.test_client()
    body = payloads.body(payloads.text("psid-4242", "my code is secret words", mid="m-2"))
    raw, _ = payloads.encode(body, SECRET)
    post(client, raw, sign(raw, SECRET))
    text = client.get("/metrics").get_data(as_text=True)
    assert "psid-4242" not in text and "secret words" not in text


def test_the_public_listener_does_not_serve_metrics(app):
    app.config["INTERNAL_PORT"] = 9100
    client = app.test_client()
    assert client.get("/metrics").status_code == 404

    class Socket:
        def __init__(self, port):
            self.port = port

        def getsockname(self):
            return ("127.0.0.1", self.port)

    public = client.get("/metrics", environ_base={"gunicorn.socket": Socket(8000)})
    internal = client.get("/metrics", environ_base={"gunicorn.socket": Socket(9100)})
    spoofed = client.get("/metrics", headers={"Host": "localhost:9100"},
                         environ_base={"gunicorn.socket": Socket(8000)})
    assert (public.status_code, internal.status_code, spoofed.status_code) == (404, 200, 404)


def test_redis_down_is_reported_not_raised(app):
    app.extensions["redis"] = redis.Redis(port=1, socket_connect_timeout=0.2)
    samples = scrape(app.test_client())
    assert value(samples, "helpline_redis_up") == 0


def test_every_metric_is_namespaced_and_documented():
    names = [m._name for m in vars(metrics).values() if hasattr(m, "_documentation")]
    assert names and all(re.fullmatch(r"helpline_[a-z_]+", name) for name in names)
