"""Issue 10, finding 2: a moderator acts only on their own cases; reads and changes audited;
closed cases readable by admins and the last owner only. Real Redis, Flask's test client."""

import pytest

from tests.unit.test_console_moderation import USER, app, graph, login, token_of, waiting
from webhook.console import audit

__all__ = ["app", "graph", "waiting"]  # fixtures reused from the moderation tests


def claimed_by_dara(app, waiting):
    dara = app.test_client()
    login(dara, "dara")
    dara.post(f"/console/c/{waiting}/claim", data={"csrf_token": token_of(dara)})
    assert app.extensions["handoffs"].conversations.get(USER)["claimed_by"] == "dara"
    return dara


@pytest.mark.parametrize(("action", "form"), [
    ("release", {}), ("resolve", {}), ("note", {"text": "mine now"}),
    ("labels", {"labels": "spam"}), ("reply", {"text": "hello"}), ("assign", {"to": "sokha"}),
])
def test_a_moderator_cannot_act_on_a_colleagues_case(app, waiting, redis_db, action, form):
    claimed_by_dara(app, waiting)
    sokha = app.test_client()
    login(sokha, "sokha")
    before = app.extensions["handoffs"].details(waiting)
    answer = sokha.post(f"/console/c/{waiting}/{action}",
                        data={"csrf_token": token_of(sokha), **form})
    assert answer.status_code in (403, 409), answer.status_code
    after = app.extensions["handoffs"].details(waiting)
    assert after["state"]["owner"] == "person" and after["state"]["claimed_by"] == "dara"
    assert (after["notes"], after["labels"]) == (before["notes"], before["labels"])


def test_assign_only_from_queued_or_owned_cases_never_to_oneself_or_a_bot_case(app, waiting):
    service = app.extensions["handoffs"]
    sokha = app.test_client()
    login(sokha, "sokha")
    token = token_of(sokha)
    assert sokha.post(f"/console/c/{waiting}/assign", data={"csrf_token": token, "to": "sokha"}
                      ).status_code == 403, "taking a case is a claim, not an assign"
    assert sokha.post(f"/console/c/{waiting}/assign", data={"csrf_token": token, "to": "dara"}
                      ).status_code == 302, "a waiting case may be handed to a colleague"
    assert service.conversations.get(USER)["claimed_by"] == "dara"
    service.resolve(waiting, by="dara")  # the bot owns it again
    admin = app.test_client()
    login(admin, "admin1")
    assert admin.post(f"/console/c/{waiting}/assign",
                      data={"csrf_token": token_of(admin, "/console/"), "to": "sokha"}
                      ).status_code == 403, "never onto a conversation the bot owns"
    assert service.conversations.get(USER)["owner"] == "bot"


def test_an_admin_may_act_on_a_claimed_case(app, waiting):
    claimed_by_dara(app, waiting)
    admin = app.test_client()
    login(admin, "admin1")
    token = token_of(admin)
    assert admin.post(f"/console/c/{waiting}/assign", data={"csrf_token": token, "to": "sokha"}
                      ).status_code == 302
    assert app.extensions["handoffs"].conversations.get(USER)["claimed_by"] == "sokha"
    admin.post(f"/console/c/{waiting}/release", data={"csrf_token": token})
    assert app.extensions["handoffs"].conversations.get(USER)["owner"] == "queued"


def test_label_changes_and_transcript_json_reads_are_audited(app, waiting, redis_db):
    dara = claimed_by_dara(app, waiting)
    dara.post(f"/console/c/{waiting}/labels",
              data={"csrf_token": token_of(dara), "labels": "scam, bank"})
    for _ in range(3):  # the page fetches it on every live update: one entry per 5 minutes
        assert dara.get(f"/console/c/{waiting}/transcript.json").status_code == 200
    entries = [(e.action, e.conversation_ref, e.detail) for e in audit.recent(redis_db)
               if e.actor == "dara"]
    assert ("labels", waiting, "bank,scam") in entries
    assert entries.count(("view_transcript", waiting, "json")) == 1


def test_closed_cases_are_readable_by_admins_and_the_last_owner_only(app, waiting):
    dara = claimed_by_dara(app, waiting)
    dara.post(f"/console/c/{waiting}/resolve", data={"csrf_token": token_of(dara)})
    sokha = app.test_client()
    login(sokha, "sokha")
    assert sokha.get(f"/console/c/{waiting}").status_code == 403
    assert sokha.get(f"/console/c/{waiting}/transcript.json").status_code == 403
    assert dara.get(f"/console/c/{waiting}").status_code == 200
    admin = app.test_client()
    login(admin, "admin1")
    assert admin.get(f"/console/c/{waiting}/transcript.json").status_code == 200
