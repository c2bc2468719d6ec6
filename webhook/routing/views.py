"""Console page "Teams": who is in which team, how many cases each has waiting and its expected
wait, and the routing rules in plain words. Moderators see it; admins put people in teams
(audited). The rules themselves are a reviewed file (teams.yml), not edited here."""

from __future__ import annotations

from collections import Counter
from typing import Any

import redis
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import audit
from webhook.console.accounts import list_accounts
from webhook.console.auth import current_account, role_required
from webhook.console.i18n import page_language
from webhook.routing import teams

bp = Blueprint("teams", __name__, url_prefix="/console/teams", template_folder="templates")


@bp.get("/")
@role_required("moderator")
def index() -> ResponseReturnValue:
    """Teams with their members, waiting cases and expected wait; the rules; the people."""
    client = _redis()
    service = current_app.extensions["handoffs"]
    waiting = Counter(item["team"] for item in service.queue())
    people = [(account, teams.teams_of(client, account.username))
              for account in list_accounts(client) if account.role in ("moderator", "admin")]
    names = teams.names(page_language())
    rows = [{"id": team, "name": name, "waiting": waiting.get(team, 0),
             "wait_minutes": service.expected_wait(team),
             "members": [a.display_name or a.username for a, mine in people if team in mine]}
            for team, name in names.items()]
    return render_template("routing/teams.html", rows=rows, people=people,
                           rules=rule_lines(names), names=names,
                           default=names.get(teams.config()["default"], ""),
                           is_admin=current_account().role == "admin")


@bp.post("/<username>")
@role_required("admin")
def set_member(username: str) -> ResponseReturnValue:
    """Put one moderator in the teams ticked (and no others)."""
    client = _redis()
    if username not in {a.username for a in list_accounts(client)}:
        abort(404, description=gettext("No such account."))
    chosen = request.form.getlist("team")
    try:
        teams.set_teams(client, username, chosen)
    except ValueError as error:
        abort(400, description=str(error))
    detail = f"{username}:{','.join(sorted(chosen)) or 'none'}"
    audit.record(client, current_account().username, "set_teams",
                 detail=detail[:audit.MAX_DETAIL_LENGTH])
    flash(gettext("Teams of %(user)s saved.", user=username), "success")
    return redirect(url_for("teams.index"))


def rule_lines(names: dict[str, str]) -> list[dict[str, Any]]:
    """Each rule as the team (by `names`) and the conditions that send a case there, in order."""
    lines = []
    for rule in teams.config()["rules"]:
        conditions = {field: rule[field] for field in ("reasons", "topics", "languages")
                      if field in rule}
        lines.append({"team": names.get(rule["team"], rule["team"]),
                      "conditions": conditions})
    return lines


def _redis() -> redis.Redis:
    return current_app.extensions["redis"]
