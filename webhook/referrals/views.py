"""Console page "Campaign links": each ref's starting point, its m.me link and QR codes, and
how many conversations it opened per day. Editors and admins; changes go to the audit log."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import audit
from webhook.console.auth import current_account, role_required
from webhook.insights.days import last_days
from webhook.referrals import qr
from webhook.referrals.store import KINDS, LANGUAGES, UNKNOWN, InvalidStart, Referrals, Start, check

bp = Blueprint("referrals", __name__, url_prefix="/console/referrals",
               template_folder="templates")
DAYS_SHOWN = 14


@bp.get("/")
@role_required("editor")
def index() -> ResponseReturnValue:
    """Every ref with its counts, and the form to add or change one."""
    refs = _referrals()
    days = last_days(DAYS_SHOWN, time.time())
    content = current_app.extensions["content_store"].current()
    return render_template(
        "referrals/index.html", starts=refs.all(), counts=refs.counts(days), days=days,
        unknown=UNKNOWN, kinds=KINDS, languages=LANGUAGES, answers=sorted(content.responses),
        guides=sorted(_guides(content)), page=page_name(), links={
            start.ref: qr.mme_link(page_name(), start.ref) for start in refs.all()})


@bp.post("/")
@role_required("editor")
def save() -> ResponseReturnValue:
    """Add or change a ref (checked: a known answer or guide, a language we answer in)."""
    form = request.form
    kind = form.get("kind", "")
    start = Start(form.get("ref", "").strip(), kind,
                  form.get("answer" if kind == "answer" else "guide", "") if kind in
                  ("answer", "guide") else "", form.get("language", ""),
                  form.get("note", "").strip())
    content = current_app.extensions["content_store"].current()
    try:
        check(start, set(content.responses), _guides(content))
    except InvalidStart as problem:
        flash(gettext("Not saved: %(problem)s", problem=problem), "error")
        return redirect(url_for("referrals.index")), 303
    _referrals().save(start)
    audit.record(_redis(), current_account().username, "referral_set", detail=start.ref)
    flash(gettext("Saved “%(name)s”.", name=start.ref), "success")
    return redirect(url_for("referrals.index")), 303


@bp.post("/<ref>/delete")
@role_required("editor")
def delete(ref: str) -> ResponseReturnValue:
    """Forget a ref: people who still use its link get the greeting."""
    if _referrals().delete(ref):
        audit.record(_redis(), current_account().username, "referral_deleted", detail=ref)
        flash(gettext("Deleted “%(name)s”: its link now opens the greeting.", name=ref), "success")
    return redirect(url_for("referrals.index")), 303


@bp.get("/<ref>/qr.<kind>")
@role_required("editor")
def qr_code(ref: str, kind: str) -> ResponseReturnValue:
    """The printable QR code of a ref, PNG or SVG, as a download."""
    if kind not in ("png", "svg") or _referrals().get(ref) is None:
        abort(404)
    link = qr.mme_link(page_name(), ref)
    caption = _caption()
    body = qr.png(link, caption) if kind == "png" else qr.svg(link, caption)
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="helpline-{ref}.{kind}"'})


def page_name() -> str:
    """What follows m.me/: the Page's username from its URL in settings, else its id."""
    settings = current_app.extensions["content_store"].current().settings
    url = settings.value("org_page_url", "en")
    path = urlparse(url).path.strip("/") if url else ""
    return path.split("/")[0] if path else (current_app.config.get("FB_PAGE_ID") or "page")


def _caption() -> str:
    settings = current_app.extensions["content_store"].current().settings
    names = [settings.value("org_name", language) for language in ("km", "en")]
    return " · ".join(dict.fromkeys(name for name in names if name))


def _guides(content) -> set[str]:  # noqa: ANN001 - a ContentSet
    return {name for name, response in content.responses.items()
            if response.topic.startswith("guide_") and name == response.topic}


def _referrals() -> Referrals:
    return Referrals(_redis())


def _redis() -> redis.Redis:
    client = current_app.extensions.get("redis")
    if client is None:
        abort(503, description="REDIS_URL is not set")
    return client
