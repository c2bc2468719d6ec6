"""The evidence store: sniffing, thumbnails without EXIF, the fetch limits, keep, sweep, erase.

The store's own tests run against both backends: the folder and an S3 bucket on a real
S3-compatible server (tests/s3_server.py); tests/unit/test_evidence_s3.py has the bucket's own.
"""

import io
import json

import pytest
import requests
from PIL import Image

from tests.evidence_files import SVG, pdf, photo_with_location, voice_note
from tests.s3_server import s3_server  # noqa: F401 - a fixture used by name
from webhook import keys
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.evidence import sniff, thumbs
from webhook.evidence.collector import EvidenceCollector
from webhook.evidence.store import EvidenceStore
from webhook.privacy.erase import erase_user
from webhook.simulator.graph_standin import GraphStandIn

USER = "psid-evidence-1"
DAY = 86400


@pytest.fixture(scope="module")
def graph():
    with GraphStandIn() as standin:
        yield standin


@pytest.fixture
def store(redis_db, tmp_path, monkeypatch):
    """The folder store (EVIDENCE_DIR, where erase_user looks)."""
    monkeypatch.delenv("EVIDENCE_URL", raising=False)
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    return EvidenceStore(redis_db, 30 * DAY)


@pytest.fixture(params=["folder", "s3"])
def any_store(request, redis_db, tmp_path, monkeypatch):
    """The store on each backend in turn, chosen by the environment as in production."""
    if request.param == "s3":
        request.getfixturevalue("s3_server").use(monkeypatch)
        return EvidenceStore(redis_db, 30 * DAY)
    return request.getfixturevalue("store")


def collector_on(store, redis_db):
    return EvidenceCollector(store, Conversations(redis_db, 30 * DAY),
                             Transcript(redis_db, 30 * DAY), ("127.0.0.1",), timeout_s=2.0)


@pytest.fixture
def collector(redis_db, store, graph):
    made = collector_on(store, redis_db)
    yield made
    made.shutdown()


def upload(graph, data, content_type="image/jpeg"):
    answer = requests.post(f"{graph.url}/_standin/attachments", data=data,
                           headers={"Content-Type": content_type}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["url"]


def keep_one(collector, kind, url):
    event = {"psid": USER, "mid": "m-1", "attachment_urls": [[kind, url]]}
    return [future.result(timeout=20) for future in collector.collect(event)][0]


def test_sniffing_trusts_the_bytes_not_the_claim():
    assert sniff.sniff(photo_with_location(), "image") == "image/jpeg"
    assert sniff.sniff(voice_note(), "audio").startswith("audio/")
    assert sniff.sniff(pdf(), "file") == "application/pdf"
    with pytest.raises(sniff.NotWhatItClaims):
        sniff.sniff(b"<html><script>alert(1)</script></html>", "image")
    assert sniff.sniff(SVG, "file") == sniff.GENERIC
    assert not sniff.served_inline(sniff.sniff(SVG, "file"))
    assert not sniff.served_inline("application/pdf")


def test_thumbnail_has_no_exif_or_location():
    original = photo_with_location()
    assert Image.open(io.BytesIO(original)).getexif()  # the original has GPS and a model
    small = Image.open(io.BytesIO(thumbs.thumbnail(original)))
    assert small.format == "JPEG" and max(small.size) <= 320
    assert not small.getexif() and "exif" not in small.info
    with pytest.raises(ValueError):
        thumbs.thumbnail(b"\xff\xd8\xff\xe0 not really a jpeg")


def test_files_are_named_by_random_ids_and_listed_in_the_manifest(any_store, redis_db):
    store = any_store
    first = store.save(USER, "image", "image/jpeg", photo_with_location(), mid="m-1")
    second = store.save(USER, "audio", "audio/x-wav", voice_note(), mid="m-2")
    names = sorted(store.blobs.names())
    assert names == sorted([first["id"], first["id"] + ".thumb.jpg", second["id"]])
    assert not any(USER in name for name in names)
    assert [r["id"] for r in store.records(USER)] == [first["id"], second["id"]]
    assert 0 < redis_db.ttl(keys.evidence(USER)) <= 30 * DAY
    assert store.read(second["id"]) == voice_note()
    if hasattr(store.blobs, "path"):  # the folder: private files
        assert store.blobs.path(first["id"]).stat().st_mode & 0o077 == 0


def test_sweep_removes_expired_files_but_not_kept_ones(any_store):
    store = any_store
    kept = store.save(USER, "image", "image/jpeg", photo_with_location())
    gone = store.save(USER, "file", "application/pdf", pdf())
    assert store.set_kept(USER, kept["id"], True)
    assert store.sweep(now=10**12) == 1
    assert not store.blobs.exists(store.name(gone["id"]))
    assert store.blobs.exists(store.name(kept["id"]))
    assert store.blobs.exists(store.name(kept["id"], thumb=True))
    assert [r["id"] for r in store.records(USER)] == [kept["id"]]
    store.set_kept(USER, kept["id"], False)  # released: retention starts again
    assert store.sweep(now=10**12) == 1
    assert list(store.blobs.names()) == []


def test_a_photo_is_fetched_sniffed_and_kept(any_store, graph, redis_db):
    collector = collector_on(any_store, redis_db)
    try:
        record = keep_one(collector, "image", upload(graph, photo_with_location()))
    finally:
        collector.shutdown()
    assert record["mime"] == "image/jpeg" and record["thumb"] and record["mid"] == "m-1"
    assert any_store.read(record["id"]) == photo_with_location()


@pytest.mark.parametrize("kind, data, content_type, query, note", [
    ("video", b"\x00" * (25 * 1024 * 1024), "video/mp4", "", "too large"),
    ("image", b"<html>not a picture</html>", "image/jpeg", "", "not what it claims"),
    ("image", photo_with_location(), "image/jpeg", "?slow_s=5", "too slow"),
])
def test_bad_files_are_noted_for_the_moderator_and_nothing_breaks(
        collector, graph, store, redis_db, kind, data, content_type, query, note):
    assert keep_one(collector, kind, upload(graph, data, content_type) + query) is None
    assert store.records(USER) == []
    last = json.loads(redis_db.lrange(keys.transcript(USER), -1, -1)[0])
    assert last["role"] == "system" and note in last["text"]


def test_an_expired_link_or_a_foreign_host_is_refused(collector, graph, store):
    assert keep_one(collector, "image", f"{graph.url}/_standin/attachments/gone") is None
    assert keep_one(collector, "image", "https://evil.example/p.jpg") is None
    assert store.records(USER) == []


def test_erasing_the_user_leaves_no_file(any_store, redis_db):
    store = any_store
    for data, kind, mime in ((photo_with_location(), "image", "image/jpeg"),
                             (voice_note(), "audio", "audio/x-wav"), (pdf(), "file", "x")):
        store.save(USER, kind, mime, data)
    other = store.save("someone-else", "file", "application/pdf", pdf())
    erase_user(redis_db, USER, actor="user")
    assert list(store.blobs.names()) == [other["id"]]  # only the other user's file
    assert store.records(USER) == [] and not redis_db.exists(keys.evidence(USER))
