"""The audit log against a real Redis: what is stored, what is refused, and the admin page."""

import time

import pytest
from argon2 import PasswordHasher

from tests.unit.test_console_auth import PASSWORD, console_app, login
from webhook import keys
from webhook.console import accounts, audit

PSID = "2718281828459045"
REF = "kX2_refAbc9"  # a console reference (random), as moderation.py passes


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))


@pytest.fixture
def app(redis_server, redis_db):
    for name, role in (("admin1", "admin"), ("mod1", "moderator")):
        accounts.create_account(redis_db, name, name.title(), role, PASSWORD)
    return console_app(redis_server)


def test_a_conversation_is_stored_by_its_console_reference_never_the_user_id(redis_db):
    audit.record(redis_db, "mod1", "claim", conversation=REF)
    [(_, fields)] = redis_db.xrange(audit.audit_stream())
    assert fields[b"conv"].decode() == REF
    assert PSID.encode() not in b"".join(list(fields) + list(fields.values()))
    entry = audit.recent(redis_db)[0]
    assert (entry.actor, entry.action, entry.conversation_ref) == ("mod1", "claim",
                                                                   REF)


@pytest.mark.parametrize(("action", "detail"), [
    ("shout", ""), ("", ""), ("note", "x" * 65), ("reply", "two\nlines"), ("note", "tab\there")])
def test_unknown_actions_and_anything_like_message_text_are_refused(redis_db, action, detail):
    with pytest.raises(ValueError):
        audit.record(redis_db, "mod1", action, conversation=REF, detail=detail)
    assert redis_db.xlen(audit.audit_stream()) == 0


def test_recent_is_newest_first_limited_and_filtered(redis_db, monkeypatch):
    monkeypatch.setattr(audit, "SCAN_PAGE", 3)  # make the filtered scan turn pages
    for index in range(10):
        audit.record(redis_db, "mod1", "note" if index % 3 == 0 else "reply",
                     conversation=REF, detail=f"n{index}")
    assert [e.detail for e in audit.recent(redis_db, limit=4)] == ["n9", "n8", "n7", "n6"]
    notes = audit.recent(redis_db, action="note")
    assert [e.detail for e in notes] == ["n9", "n6", "n3", "n0"]
    assert [e.detail for e in audit.recent(redis_db, limit=2, action="note")] == ["n9", "n6"]
    assert audit.recent(redis_db, action="resolve") == []
    assert notes[0].time.tzinfo is not None


def test_actions_are_trimmed_by_age_never_by_count(redis_db, monkeypatch):
    """Finding 3: an old entry goes after the retention period; no number of new ones pushes
    a recent action out."""
    old_ms = int((time.time() - 100 * 86400) * 1000)
    for index in range(300):
        redis_db.xadd(audit.audit_stream(), {"actor": "mod1", "action": "claim", "conv": REF,
                                             "detail": ""}, id=f"{old_ms + index}-0")
    audit.record(redis_db, "mod1", "claim", conversation=REF, detail="recent")
    for _ in range(5000):
        audit.record(redis_db, "mod1", "view_transcript", conversation=REF)
    actions = redis_db.xrange(audit.audit_stream(), count=10)
    assert all(int(entry_id.split(b"-")[0]) > old_ms + 1000 for entry_id, _ in actions)
    assert audit.recent(redis_db, limit=10_000, action="claim")[0].detail == "recent"


def test_failed_sign_ins_cannot_push_actions_out(redis_db, monkeypatch):
    """Finding 3: the flood of the review (failed sign-ins) fills its own capped stream."""
    monkeypatch.setattr(audit, "SIGNIN_MAX_ENTRIES", 100)
    audit.record(redis_db, "mod1", "claim", conversation=REF, detail="kept")
    for _ in range(2000):
        audit.record(redis_db, "unknown", "login_failed", detail="bad_password")
    assert [e.detail for e in audit.recent(redis_db)] == ["kept"]
    assert 100 <= redis_db.xlen(keys.audit_signin()) < 2000


def test_the_page_lists_entries_escaped_and_without_user_ids(app, redis_db):
    audit.record(redis_db, "mod1", "note", conversation=REF,
                 detail="<script>alert(1)</script>")
    audit.record(redis_db, "<b>x</b>", "assign", conversation=REF, detail="mod1")
    client = app.test_client()
    login(client, "admin1")
    page = client.get("/console/audit")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>x</b>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert PSID not in page.text and REF in page.text
    for heading in ("Time (Phnom Penh)", "Who", "Action", "Conversation", "Detail"):
        assert heading in page.text


def test_the_page_filters_by_action_and_ignores_unknown_ones(app, redis_db):
    audit.record(redis_db, "mod1", "resolve", conversation=REF, detail="label-scam")
    audit.record(redis_db, "mod1", "claim", conversation=REF, detail="label-other")
    client = app.test_client()
    login(client, "admin1")
    only = client.get("/console/audit?action=resolve").text
    assert "label-scam" in only and "label-other" not in only
    every = client.get("/console/audit?action=%3Cscript%3E").text
    assert "label-scam" in every and "label-other" in every and "<script>" not in every


def test_the_page_is_for_admins_only(app):
    anonymous = app.test_client().get("/console/audit")
    assert anonymous.status_code == 302 and "/console/login" in anonymous.headers["Location"]
    client = app.test_client()
    login(client, "mod1")
    assert client.get("/console/audit").status_code == 403
