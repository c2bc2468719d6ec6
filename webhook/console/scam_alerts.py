"""Console pages: the scam check's library of known scam alerts (editors and admins).

Each alert has a title, example texts, links, phone numbers, signs and the answer to give, in
English and Khmer; every save is a version (webhook.content.versions, store "scamalerts") with
its author and comment, and an older version can be restored. The list shows how many checked
messages matched each alert in the last 30 days, and "trending": groups of similar checked
messages with signs that matched no alert, so staff see a new scam coming (no user ids).
"""

from __future__ import annotations

import re

import redis
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import audit
from webhook.console.auth import current_account, role_required
from webhook.scamcheck.alerts import Alert
from webhook.scamcheck.library import AlertLibrary, match_counts, trending
from webhook.scamcheck.verdict import WEIGHTS

bp = Blueprint("scam_alerts", __name__, url_prefix="/console/scam-alerts")
EDITORS = ("editor",)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


@bp.get("/")
@role_required(*EDITORS)
def index() -> ResponseReturnValue:
    """The alerts with their 30-day counts, and the trending unmatched groups."""
    client = _redis()
    return render_template("console/scam_alerts.html", alerts=AlertLibrary(client).alerts(),
                           counts=match_counts(client), trends=trending(client)[:20])


@bp.get("/edit/<alert_id>")
@bp.get("/new", defaults={"alert_id": ""})
@role_required(*EDITORS)
def edit(alert_id: str) -> ResponseReturnValue:
    """The form for one alert (empty for a new one), with its history."""
    library = AlertLibrary(_redis())
    alert = library.get(alert_id) if alert_id else None
    if alert_id and alert is None:
        abort(404, description=gettext("There is no such alert."))
    history = library.versions.history(alert_id) if alert_id else []
    return render_template("console/scam_alert_form.html", alert=alert, history=history,
                           sign_codes=sorted(WEIGHTS))


@bp.post("/save")
@role_required(*EDITORS)
def save() -> ResponseReturnValue:
    """Publish the form as a new version of the alert."""
    form = request.form
    alert_id = form.get("id", "").strip().lower()
    if not _ID.match(alert_id):
        flash(gettext("The id is 2 to 61 lower-case letters, digits or hyphens."), "error")
        return redirect(url_for("scam_alerts.edit", alert_id=""))
    alert = Alert(id=alert_id, title=_pair("title"), examples=_lines("examples"),
                  links=_lines("links"), numbers=_lines("numbers"),
                  signs=tuple(code for code in form.getlist("signs") if code in WEIGHTS),
                  answer=_pair("answer"))
    if not (alert.title["en"] and alert.title["km"]):
        flash(gettext("Give the title in both languages."), "error")
        return redirect(url_for("scam_alerts.edit", alert_id=alert_id))
    revision = AlertLibrary(_redis()).save(alert, current_account().username,
                                           form.get("comment", "").strip())
    audit.record(_redis(), current_account().username, "scam_alert_saved", detail=alert_id)
    flash(gettext("Alert %(alert)s saved (version %(revision)s). The next check uses it.",
                  alert=alert_id, revision=revision), "ok")
    return redirect(url_for("scam_alerts.index"))


@bp.post("/restore/<alert_id>/<int:revision>")
@role_required(*EDITORS)
def restore(alert_id: str, revision: int) -> ResponseReturnValue:
    """Publish an older version of the alert again."""
    library = AlertLibrary(_redis())
    try:
        library.versions.restore(alert_id, revision, library.versions.opened(alert_id),
                                 current_account().username)
    except KeyError:
        abort(404, description=gettext("There is no such version."))
    audit.record(_redis(), current_account().username, "scam_alert_restored", detail=alert_id)
    flash(gettext("Version %(revision)s of %(alert)s restored.", revision=revision,
                  alert=alert_id), "ok")
    return redirect(url_for("scam_alerts.edit", alert_id=alert_id))


def _pair(field: str) -> dict[str, str]:
    return {language: request.form.get(f"{field}_{language}", "").strip()
            for language in ("en", "km")}


def _lines(field: str) -> tuple[str, ...]:
    lines = (line.strip() for line in request.form.get(field, "").splitlines())
    return tuple(line for line in lines if line)[:50]


def _redis() -> redis.Redis:
    client = current_app.extensions.get("redis")
    if client is None:
        abort(503, description="REDIS_URL is not set")
    return client
