"""Evidence in the console: who sees it, how it is served, keep, bundle, erase (Flask client)."""

import hashlib
import io
import json
import zipfile

import pytest

from tests.evidence_files import SVG, pdf, photo_with_location, voice_note
from tests.s3_server import closed_port, s3_server  # noqa: F401 - a fixture used by name
from tests.unit.test_console_moderation import app, graph, login, token_of  # noqa: F401
from webhook.console import audit
from webhook.evidence.store import EvidenceStore

USER = "psid-console-evidence"


@pytest.fixture(params=["folder", "s3"])
def case(request, app, tmp_path, monkeypatch):  # noqa: F811 - the imported fixture
    """A claimed-to-be case with four files, in the folder store and then in a bucket."""
    monkeypatch.delenv("EVIDENCE_URL", raising=False)
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    if request.param == "s3":
        request.getfixturevalue("s3_server").use(monkeypatch)
    service = app.extensions["handoffs"]
    service.conversations.update(USER, last_user_at=int(service.clock.now() * 1000),
                                 language="km")
    service.transcript.add(USER, "user", "[image]", "km", mid="m-photo")
    service.escalate(USER, "harassment", "km")
    store = EvidenceStore(service.client, service.conversations.retention)
    files = {"photo": store.save(USER, "image", "image/jpeg", photo_with_location(), "m-photo"),
             "voice": store.save(USER, "audio", "audio/x-wav", voice_note(), "m-voice"),
             "pdf": store.save(USER, "file", "application/pdf", pdf()),
             "svg": store.save(USER, "file", "application/octet-stream", SVG)}
    return service.conversations.ref(USER), files, store


def claimed_by_dara(app, ref):  # noqa: F811
    client = app.test_client()
    login(client, "dara")
    client.post(f"/console/c/{ref}/claim", data={"csrf_token": token_of(client)})
    return client


def test_only_the_moderator_holding_the_case_or_an_admin_sees_files(app, case):  # noqa: F811
    ref, files, _ = case
    url = f"/console/c/{ref}/evidence/{files['photo']['id']}/thumb"
    assert app.test_client().get(url).status_code in (302, 303)  # not signed in
    other = app.test_client()
    login(other, "sokha")
    assert other.get(url).status_code == 403  # the case is not sokha's
    claimed_by_dara(app, ref)
    assert other.get(url).status_code == 403
    admin = app.test_client()
    login(admin, "admin1")
    assert admin.get(url).status_code == 200


def test_pictures_and_sound_inline_everything_else_a_download(app, case):  # noqa: F811
    ref, files, _ = case
    client = claimed_by_dara(app, ref)
    base = f"/console/c/{ref}/evidence/"
    thumb = client.get(base + files["photo"]["id"] + "/thumb")
    assert thumb.mimetype == "image/jpeg" and thumb.headers["Content-Disposition"].startswith(
        "inline") and b"Test Phone" not in thumb.data
    voice = client.get(base + files["voice"]["id"])
    assert voice.mimetype.startswith("audio/") and voice.data == voice_note()
    for name in ("pdf", "svg"):
        answer = client.get(base + files[name]["id"])
        assert answer.headers["Content-Disposition"].startswith("attachment")
        assert answer.mimetype == "application/octet-stream"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(base + "..%2Fsecret").status_code == 404
    page = client.get(f"/console/c/{ref}").get_data(as_text=True)
    assert 'class="evidence-thumb"' in page and 'class="evidence-audio"' in page
    listed = client.get(f"/console/c/{ref}/transcript.json").get_json()["evidence"]
    assert {item["id"] for item in listed} == {f["id"] for f in files.values()}


def test_keep_is_audited_and_the_bundle_has_checked_hashes(app, case, redis_db):  # noqa: F811
    ref, files, store = case
    client = claimed_by_dara(app, ref)
    photo = files["photo"]["id"]
    client.post(f"/console/c/{ref}/evidence/{photo}/keep",
                data={"keep": "1", "csrf_token": token_of(client, f"/console/c/{ref}")})
    assert store.record(USER, photo)["kept"]
    actions = [e.action for e in audit.recent(redis_db)]
    assert "keep_evidence" in actions
    answer = client.get(f"/console/c/{ref}/bundle.zip")
    assert answer.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["files"]) == 4 and USER not in json.dumps(manifest)
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["file"])).hexdigest() == item["sha256"]
        assert item["intact"]
    assert json.loads(archive.read("transcript.json"))[0]["text"] == "[image]"
    assert "download_bundle" in [e.action for e in audit.recent(redis_db)]


def test_the_admin_erase_removes_every_file(app, case):  # noqa: F811
    ref, _, store = case
    admin = app.test_client()
    login(admin, "admin1")
    admin.post(f"/console/c/{ref}/erase",
               data={"csrf_token": token_of(admin, f"/console/c/{ref}")})
    assert list(store.blobs.names()) == []


@pytest.mark.parametrize("case", ["s3"], indirect=True)
def test_a_store_that_does_not_answer_is_a_503_not_a_crash(app, case, monkeypatch):  # noqa: F811
    ref, files, _ = case
    monkeypatch.setenv("EVIDENCE_URL", "s3://helpline-evidence-test/any")
    monkeypatch.setenv("EVIDENCE_S3_ENDPOINT", closed_port())
    client = claimed_by_dara(app, ref)
    answer = client.get(f"/console/c/{ref}/evidence/{files['photo']['id']}/thumb")
    assert answer.status_code == 503 and b"does not answer" in answer.data
    assert client.get(f"/console/c/{ref}/bundle.zip").status_code == 503  # not a partial zip
    assert client.get(f"/console/c/{ref}").status_code == 200  # the conversation still opens
