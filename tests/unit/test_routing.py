"""Routing: a Khmer harassment case and an English scam case go to the right teams; the queue
shows my teams first; a case handed to another team carries a note and is audited."""

import pytest

from tests.unit.test_console_moderation import app, graph, login, token_of  # noqa: F401
from webhook import keys
from webhook.console import audit
from webhook.routing import teams
from webhook.routing.__main__ import main as routing_cli

KHMER_HARASSMENT, ENGLISH_SCAM = "psid-route-km", "psid-route-en"


def test_rules_pick_the_team_from_reason_and_language():
    assert teams.team_for("online_harassment", "km") == "gbv"
    assert teams.team_for("guide_harassment", "en") == "gbv"
    assert teams.team_for("scam_victim", "en") == "english"
    assert teams.team_for("guide_gov_service", "km") == "legal"
    assert teams.team_for("user_request", "km-Latn") == "khmer"
    assert teams.team_for("user_request", "") == "khmer"  # the default


@pytest.fixture
def cases(app):  # noqa: F811 - the imported fixture
    service = app.extensions["handoffs"]
    for psid, reason, language in ((KHMER_HARASSMENT, "online_harassment", "km"),
                                   (ENGLISH_SCAM, "scam_victim", "en")):
        service.conversations.update(psid, last_user_at=int(service.clock.now() * 1000),
                                     language=language)
        service.transcript.add(psid, "user", "help", language)
        service.escalate(psid, reason, language)
    return service


def test_cases_go_to_their_teams_and_my_teams_come_first(app, cases, redis_db):  # noqa: F811
    assert cases.conversations.get(KHMER_HARASSMENT)["team"] == "gbv"
    assert cases.conversations.get(ENGLISH_SCAM)["team"] == "english"
    teams.set_teams(redis_db, "dara", ["english"])
    client = app.test_client()
    login(client, "dara")
    waiting = client.get("/console/queue.json").get_json()["waiting"]
    assert [w["team"] for w in waiting] == ["english", "gbv"]  # mine first, though newer
    assert waiting[0]["mine"] and waiting[0]["team_name"] == "English-speaking"
    assert "Your teams: English-speaking" in client.get("/console/").get_data(as_text=True)


def test_handing_a_case_to_another_team_is_noted_and_audited(app, cases, redis_db):  # noqa: F811
    ref = cases.conversations.ref(ENGLISH_SCAM)
    client = app.test_client()
    login(client, "dara")
    token = token_of(client, f"/console/c/{ref}")
    assert client.post(f"/console/c/{ref}/team", data={"team": "nowhere", "note": "x",
                                                       "csrf_token": token}).status_code == 400
    client.post(f"/console/c/{ref}/team", data={"team": "legal", "csrf_token": token,
                                                "note": "a contract question"})
    assert cases.conversations.get(ENGLISH_SCAM)["team"] == "legal"
    assert "Handed to Legal: a contract question" in client.get(
        f"/console/c/{ref}").get_data(as_text=True)
    [entry] = [e for e in audit.recent(redis_db) if e.action == "hand_to_team"]
    assert entry.actor == "dara" and entry.detail == "legal"


def test_the_expected_wait_is_the_teams_own(cases, redis_db):
    assert cases.claim(cases.conversations.ref(KHMER_HARASSMENT), "dara")
    assert cases.expected_wait("gbv") == cases.expected_wait()  # only one wait so far
    redis_db.lpush(keys.team_waits("english"), 5 * 60)
    assert cases.expected_wait("english") == 5


def test_the_command_line_puts_a_moderator_in_teams(redis_server, monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", redis_server)
    assert routing_cli(["sokha", "khmer", "gbv"]) == 0
    assert "sokha: gbv, khmer" in capsys.readouterr().out
    assert routing_cli(["sokha", "martians"]) == 1
