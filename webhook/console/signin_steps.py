"""The second sign-in step: a one-time code, or (admins without one) enrolling a TOTP app.

After the right password, `auth.login_submit` calls `ask_second_factor`: the session then
holds only a pending sign-in (username, when, where to go) for 5 minutes, and no console page
opens until the code is right. Five wrong codes end the pending sign-in. A signed-in account
of any role can add a second factor at /console/account/second-factor.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import accounts, audit, auth, totp
from webhook.console.accounts import Account

bp = Blueprint("signin_steps", __name__, url_prefix="/console", template_folder="templates")
PENDING_SECONDS = 300
MAX_CODE_TRIES = 5


def ask_second_factor(account: Account, target: str | None, address: str) -> Response:
    """Remember the pending sign-in and send the browser to the code (or enrolment) page."""
    session.clear()
    session["pending"] = {"user": account.username, "at": int(time.time()),
                          "next": target or "", "address": address, "tries": 0}
    client = current_app.extensions["redis"]
    if totp.has_totp(client, account.username):
        return redirect(url_for("signin_steps.code"))
    return redirect(url_for("signin_steps.enrol"))


@bp.get("/login/code")
def code() -> ResponseReturnValue:
    """The form for the code of the authenticator app."""
    _pending()
    return render_template("console/second_factor.html", enrol=False)


@bp.post("/login/code")
def code_submit() -> ResponseReturnValue:
    """Check the code; sign in when it is right."""
    pending, client = _pending(), current_app.extensions["redis"]
    if totp.verify(client, pending["user"], request.form.get("code", "")):
        return _finish(pending)
    return _wrong_code(pending, enrol=False)


@bp.get("/login/enrol")
def enrol() -> ResponseReturnValue:
    """An admin without a second factor: the secret to scan, and a field for the first code."""
    return _enrol_page(_pending()["user"], qr_url=url_for("signin_steps.enrol_qr"))


@bp.post("/login/enrol")
def enrol_submit() -> ResponseReturnValue:
    """Keep the new secret when the first code matches; sign in."""
    pending, client = _pending(), current_app.extensions["redis"]
    if totp.confirm_enrolment(client, pending["user"], request.form.get("code", "")):
        audit.record(client, pending["user"], "totp_enrolled")
        return _finish(pending)
    return _wrong_code(pending, enrol=True)


@bp.get("/login/enrol.svg")
def enrol_qr() -> ResponseReturnValue:
    """The pending secret's QR code (an image file: the CSP allows no inline data)."""
    pending = _pending()
    secret = totp.pending_secret(current_app.extensions["redis"], pending["user"])
    if secret is None:
        abort(404)
    return Response(totp.qr_svg(totp.provisioning_uri(pending["user"], secret)),
                    mimetype="image/svg+xml")


@bp.route("/account/second-factor", methods=["GET", "POST"])
@auth.role_required("moderator", "editor")  # every role: admins pass every check
def own_second_factor() -> ResponseReturnValue:
    """Any signed-in account adds a second factor (optional for moderators and editors)."""
    client, me = current_app.extensions["redis"], auth.current_account().username
    if totp.has_totp(client, me):
        return render_template("console/second_factor.html", enrol=False, done=True)
    if request.method == "POST" and totp.confirm_enrolment(client, me,
                                                           request.form.get("code", "")):
        audit.record(client, me, "totp_enrolled")
        return render_template("console/second_factor.html", enrol=False, done=True)
    wrong = gettext("That code is not right.") if request.method == "POST" else ""
    return _enrol_page(me, error=wrong)


def _enrol_page(username: str, qr_url: str = "", error: str = "") -> str:
    """The key to add to an authenticator app (and its QR code), and the field for a code."""
    secret = totp.start_enrolment(current_app.extensions["redis"], username)
    return render_template("console/second_factor.html", enrol=True, secret=secret,
                           uri=totp.provisioning_uri(username, secret), qr_url=qr_url,
                           error=error)


def _pending() -> dict:
    """The pending sign-in of this browser, or back to the login page (404 for scripts)."""
    pending = session.get("pending")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("pending", None)
        abort(redirect(url_for("auth.login")))
    return pending


def _finish(pending: dict) -> Response:
    account = accounts.get_account(current_app.extensions["redis"], pending["user"])
    session.pop("pending", None)
    if account is None or account.disabled:
        return redirect(url_for("auth.login"))
    return auth.complete_sign_in(account, pending["next"] or None, pending["address"])


def _wrong_code(pending: dict, enrol: bool) -> ResponseReturnValue:
    client = current_app.extensions["redis"]
    audit.record(client, pending["user"], "login_failed", detail="bad_code")
    pending["tries"] = pending.get("tries", 0) + 1
    session["pending"] = pending
    if pending["tries"] >= MAX_CODE_TRIES:
        session.pop("pending", None)
        return redirect(url_for("auth.login"))
    if enrol:
        return _enrol_page(pending["user"], qr_url=url_for("signin_steps.enrol_qr"),
                           error=gettext("That code is not right.")), 401
    return render_template("console/second_factor.html", enrol=False,
                           error=gettext("That code is not right.")), 401
