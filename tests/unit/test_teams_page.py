"""The console's Teams page: moderators see teams, waits and rules; only admins move people
between teams, and every move is audited."""

from tests.unit.test_console_moderation import app, graph, login, token_of  # noqa: F401
from webhook.console import accounts, audit
from webhook.routing import teams


def test_moderators_see_teams_rules_and_who_is_in_them(app, redis_db):  # noqa: F811
    teams.set_teams(redis_db, "sokha", ["gbv", "khmer"])
    service = app.extensions["handoffs"]
    service.conversations.update("psid-teams-1", language="km", last_user_at=1)
    service.escalate("psid-teams-1", "online_harassment", "km")
    client = app.test_client()
    login(client, "dara")
    page = client.get("/console/teams/").get_data(as_text=True)
    gbv = page[page.index('data-team="gbv"'):]
    gbv = gbv[:gbv.index("</tr>")]
    assert "Gender-based violence" in gbv and '"waiting">1<' in gbv and "Sokha" in gbv
    assert "the topic is online_harassment" in page and "otherwise <b>Khmer-speaking</b>" in page
    assert 'name="team"' not in page  # no forms for a moderator
    token = token_of(client, "/console/teams/")
    refused = client.post("/console/teams/dara", data={"team": ["gbv"], "csrf_token": token})
    assert refused.status_code == 403 and teams.teams_of(redis_db, "dara") == []


def test_an_admin_moves_a_moderator_and_it_is_audited(app, redis_db):  # noqa: F811
    client = app.test_client()
    login(client, "admin1")
    token = token_of(client, "/console/teams/")
    answer = client.post("/console/teams/dara", data={"team": ["english", "legal"],
                                                       "csrf_token": token})
    assert answer.status_code in (302, 303)
    assert teams.teams_of(redis_db, "dara") == ["english", "legal"]
    [entry] = [e for e in audit.recent(redis_db) if e.action == "set_teams"]
    assert entry.actor == "admin1" and entry.detail == "dara:english,legal"
    assert client.post("/console/teams/dara", data={"team": ["martians"], "csrf_token": token}
                       ).status_code == 400
    assert client.post("/console/teams/nobody", data={"team": ["gbv"], "csrf_token": token}
                       ).status_code == 404
    assert client.post("/console/teams/dara", data={"team": ["gbv"]}).status_code in (400, 403)
    assert teams.teams_of(redis_db, "dara") == ["english", "legal"]  # nothing changed


def test_team_names_follow_the_page_language(app, redis_db):  # noqa: F811
    assert teams.names("km")["gbv"] == "ក្រុមអំពើហិង្សាផ្អែកលើយេនឌ័រ"
    assert teams.names("fr")["gbv"] == teams.names()["gbv"] == "Gender-based violence"
    accounts.set_language(redis_db, "dara", "km")
    teams.set_teams(redis_db, "dara", ["legal"])
    client = app.test_client()
    login(client, "dara")
    assert "ក្រុមច្បាប់" in client.get("/console/").get_data(as_text=True)
    assert "ក្រុមច្បាប់" in client.get("/console/teams/").get_data(as_text=True)
