"""The S3 evidence store against a real S3-compatible server (moto's, on 127.0.0.1): what the
objects are called and carry, what is sent, a service that is down, and erasure."""

import json

import pytest
from prometheus_client import REGISTRY

from tests.evidence_files import pdf, photo_with_location, voice_note
from tests.s3_server import BUCKET, closed_port, s3_server  # noqa: F401 - a fixture by name
from tests.unit.test_evidence import DAY, USER, collector_on, graph, keep_one, upload  # noqa: F401
from webhook import keys
from webhook.config import ConfigError
from webhook.evidence import s3
from webhook.evidence.blobs import StoreUnavailable, from_environment
from webhook.evidence.store import EvidenceStore
from webhook.privacy.erase import erase_user

PUBLIC = ("http://acs.amazonaws.com/groups/global/AllUsers",
          "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


@pytest.fixture
def bucket(s3_server, monkeypatch):  # noqa: F811
    """The store's environment on a fresh prefix: (server, prefix)."""
    return s3_server, s3_server.use(monkeypatch)


def sent_headers(blobs):
    """Every PUT's HTTP headers, as boto3 sends them to the service."""
    seen = []
    blobs.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: seen.append(dict(request.headers)))
    return seen


def store_errors(operation):
    return REGISTRY.get_sample_value("helpline_evidence_store_errors_total",
                                     {"operation": operation}) or 0.0


def test_the_url_names_a_bucket_and_prefix_never_credentials():
    assert s3.parse_url("s3://evidence/helpline/prod") == ("evidence", "helpline/prod/")
    assert s3.parse_url("s3://evidence") == ("evidence", "")
    for wrong in ("https://evidence/x", "s3:///x", "evidence/x"):
        with pytest.raises(ConfigError):
            s3.parse_url(wrong)
    with pytest.raises(ConfigError) as refused:
        s3.parse_url("s3://AKIAKEY:topsecret@evidence/x")
    assert "topsecret" not in str(refused.value)
    assert s3.sse_setting("") == "AES256" and s3.sse_setting("off") is None
    assert s3.sse_setting("aws:kms") == "aws:kms"
    with pytest.raises(ConfigError):
        s3.sse_setting("yes")


def test_objects_are_named_by_random_id_typed_encrypted_and_private(bucket, redis_db):
    server, prefix = bucket
    store = EvidenceStore(redis_db, 30 * DAY)
    headers = sent_headers(store.blobs)
    record = store.save(USER, "image", "image/jpeg", photo_with_location(), mid="m-1")
    assert sorted(server.object_keys(prefix)) == [prefix + record["id"],
                                           prefix + record["id"] + ".thumb.jpg"]
    assert not any(USER in key for key in server.object_keys())
    assert all(h["x-amz-server-side-encryption"] == b"AES256" for h in headers)
    assert len(headers) == 2 and not any("x-amz-acl" in h for h in headers)
    head = server.client.head_object(Bucket=BUCKET, Key=prefix + record["id"])
    assert head["ContentType"] == "image/jpeg" and head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == record["size"]
    grants = server.client.get_object_acl(Bucket=BUCKET, Key=prefix + record["id"])["Grants"]
    assert not any(g["Grantee"].get("URI") in PUBLIC for g in grants)


def test_encryption_can_be_turned_off_for_services_that_refuse_it(bucket, redis_db,
                                                                  monkeypatch):
    monkeypatch.setenv("EVIDENCE_S3_SSE", "off")
    store = EvidenceStore(redis_db, 30 * DAY)
    headers = sent_headers(store.blobs)
    record = store.save(USER, "audio", "audio/x-wav", voice_note())
    assert headers and not any("x-amz-server-side-encryption" in h for h in headers)
    assert store.read(record["id"]) == voice_note()


def test_a_service_that_is_down_means_not_stored_noted_and_counted(
        s3_server, graph, redis_db, monkeypatch):  # noqa: F811
    s3_server.use(monkeypatch, endpoint=closed_port())
    store = EvidenceStore(redis_db, 30 * DAY)
    before = store_errors("put")
    collector = collector_on(store, redis_db)
    told = []
    collector.tell_user = lambda psid, name: told.append((psid, name))
    try:
        assert keep_one(collector, "image", upload(graph, photo_with_location())) is None
        # the next file is tried again, and the thread pool is still there to try it
        assert keep_one(collector, "file", upload(graph, pdf(), "application/pdf")) is None
    finally:
        collector.shutdown()
    assert store.records(USER) == []
    notes = [json.loads(e)["text"] for e in redis_db.lrange(keys.transcript(USER), 0, -1)]
    assert len(notes) == 2 and all("evidence store did not answer" in n for n in notes)
    assert store_errors("put") >= before + 2
    assert told == [(USER, "utter_evidence_not_received")]  # asked once to send it again
    with pytest.raises(StoreUnavailable) as error:
        store.read("0" * 32)
    assert USER not in str(error.value)


def test_a_bucket_that_refuses_is_not_stored_either(s3_server, redis_db, monkeypatch):  # noqa: F811
    s3_server.use(monkeypatch)
    monkeypatch.setenv("EVIDENCE_URL", "s3://no-such-bucket-here/x")
    store = EvidenceStore(redis_db, 30 * DAY)
    with pytest.raises(StoreUnavailable, match="NoSuchBucket"):
        store.save(USER, "file", "application/pdf", pdf())
    assert store.records(USER) == [] and not redis_db.exists(keys.evidence_expiry())


def test_erasing_while_the_service_is_down_finishes_at_the_next_sweep(
        s3_server, redis_db, monkeypatch):  # noqa: F811
    prefix = s3_server.use(monkeypatch)
    live = EvidenceStore(redis_db, 30 * DAY)
    ids = [live.save(USER, "image", "image/jpeg", photo_with_location())["id"],
           live.save(USER, "file", "application/pdf", pdf())["id"]]
    monkeypatch.setenv("EVIDENCE_S3_ENDPOINT", closed_port())  # the service goes down
    erase_user(redis_db, USER, actor="user")
    assert not [k for k in redis_db.scan_iter() if USER.encode() in k]
    assert len(s3_server.object_keys(prefix)) == 3  # still in the bucket, under random ids only
    assert sorted(i.decode() for i in redis_db.zrange(keys.evidence_expiry(), 0, -1)) == \
        sorted(ids)
    assert EvidenceStore(redis_db, 30 * DAY).sweep() == 0  # still down: nothing lost
    assert live.sweep() == 2  # back up
    assert s3_server.object_keys(prefix) == [] and not redis_db.exists(keys.evidence_expiry())


def test_one_client_per_process_and_setting_and_wrong_settings_stop_the_start(
        bucket, monkeypatch):
    assert from_environment() is from_environment()
    monkeypatch.setenv("EVIDENCE_S3_SSE", "yes please")
    with pytest.raises(ConfigError):
        from_environment()


def test_the_sweep_runs_beside_the_loop_one_at_a_time(s3_server, redis_db, monkeypatch):  # noqa: F811
    prefix = s3_server.use(monkeypatch)
    store = EvidenceStore(redis_db, 0)  # retention already over
    store.save(USER, "file", "application/pdf", pdf())
    collector = collector_on(store, redis_db)
    try:
        first = collector.sweep_later()
        assert first.result(timeout=10) == 1
        assert collector.sweep_later() is not first  # a new one once the first is done
    finally:
        collector.shutdown()
    assert s3_server.object_keys(prefix) == []
