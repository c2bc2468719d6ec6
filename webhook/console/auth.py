"""Console sign-in: the login page, sessions, access decorators, CSRF checks, security headers.

Console views use `login_required`, `role_required(*roles)` and `current_account()`. Register
`bp`, then call `init_app(app)` once: it sets the secret key and the cookie, and installs the
checks that run on every request under /console.

Sessions: Flask's signed cookie `hl_console` holds the username (the account's id), the
account's session version, the sign-in time, the time of the last page the person opened and
a CSRF token. Each /console request reloads the account; a disabled account, a replaced
session version (new password, disabled, or a logout anywhere: logout replaces it, so a copied
cookie stops working), a sign-in older than 8 hours or CONSOLE_IDLE_MINUTES (60) without
opening a page or sending a form (background refreshes do not count) ends the session.

Second factor: after the password, an account with a TOTP (webhook.console.totp) is asked
for a code, and an admin without one must enrol first (webhook.console.signin_steps); only
then does the session start. The cookie is HttpOnly; SameSite=Lax, because
Strict would drop it when a moderator follows a console link from chat or e-mail, and every
change already needs a POST with a CSRF token; limited to /console; and Secure, except in
development when PUBLIC_WEB_URL is plain http (tests set SESSION_COOKIE_SECURE as they need;
production always sets it).

Sign-in limits: webhook.console.signin_limits (a growing delay per client address, a
15-minute pause per account that a known device skips); refused attempts are counted, not
audited one by one. The client address is the direct peer unless it is one of
TRUSTED_PROXIES (webhook.proxies).

CSRF: every POST, PUT, PATCH and DELETE under /console must carry the session's token in a
`csrf_token` form field (templates call `csrf_token()`) or an `X-CSRF-Token` header, else 400.
Console responses carry a strict Content-Security-Policy (no inline script or style: static
files only), X-Frame-Options DENY, Referrer-Policy same-origin, nosniff and no-store.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook import config
from webhook.console import accounts, signin_limits, totp
from webhook.console.accounts import Account

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

DEFAULTS = {
    "CONSOLE_HOME_URL": "/console/",
    "CONSOLE_IDLE_MINUTES": 60,
    **signin_limits.DEFAULTS,
}
SESSION_LIFETIME = timedelta(hours=8)
SESSION_KEYS = ("account", "version", "since", "seen")
SEEN_EVERY_S = 60  # the last-activity time is rewritten at most once a minute
# fetches a page makes by itself: they neither keep a session alive nor write its cookie
BACKGROUND_ENDPOINTS = frozenset({"events.stream", "console.queue_json",
                                  "console.transcript_json"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


# --- views ------------------------------------------------------------------------------------

@bp.get("/login")
def login() -> ResponseReturnValue:
    """The sign-in form, or straight on when already signed in."""
    target = safe_next(request.args.get("next"))
    if current_account() is not None:
        return redirect(target or home_url())
    return render_template("console/login.html", next=target or "")


@bp.post("/login")
def login_submit() -> ResponseReturnValue:
    """Check the password within the sign-in limits; go on to the second factor, start a
    session, or say why not."""
    from webhook.console import audit, signin_steps  # both import this module

    client = _redis()
    username = request.form.get("username", "").strip().lower()[:64]
    target = safe_next(request.form.get("next"))
    address = request.remote_addr or "-"
    known = signin_limits.is_known_device(request, current_app.secret_key, username)
    wait = signin_limits.reserve(client, current_app.config, username, address, known)
    if wait:
        audit.count_refused(client, _known_actor(client, username))
        response = _page(429, gettext("Too many failed sign-ins"),
                         gettext("Sign-in is paused for this account or this network after too "
                                 "many wrong passwords. Try again in %(minutes)s minute(s).",
                                 minutes=-(-wait // 60)))
        response.headers["Retry-After"] = str(wait)
        return response
    account = accounts.verify_login(client, username, request.form.get("password", ""))
    if account is None:
        audit.record(client, _known_actor(client, username), "login_failed",
                     detail="bad_password")
        return render_template("console/login.html", next=target or "", username=username,
                               error=gettext("Wrong username or password, or the account "
                                             "is disabled.")), 401
    if totp.required(account.role) or totp.has_totp(client, account.username):
        return signin_steps.ask_second_factor(account, target, address)
    return complete_sign_in(account, target, address)


def complete_sign_in(account: Account, target: str | None, address: str) -> Response:
    """Every check passed: clear the counters, start the session, remember this browser."""
    from webhook.console import audit  # audit's page imports this module

    client = _redis()
    signin_limits.forget(client, account.username, address)
    start_session(account)
    audit.record(client, account.username, "login")
    response = redirect(target or home_url(account))
    signin_limits.remember_device(response, request, current_app.secret_key, account.username,
                                  current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (CSRF-checked like every console POST). The account's session version
    is replaced, so this cookie, and any copy of it, no longer signs anyone in."""
    from webhook.console import audit  # audit's page imports this module

    account = current_account()
    if account is not None:
        accounts.end_sessions(_redis(), account.username)
        audit.record(_redis(), account.username, "logout")
    session.clear()
    return redirect(url_for("auth.login"))


# --- sessions and access checks ---------------------------------------------------------------

def start_session(account: Account) -> None:
    """Sign `account` in on this browser: a fresh session and CSRF token, 8 hours at most.

    Also call it after the signed-in user changes their own password, to keep this session
    while the others end.
    """
    session.clear()
    session.permanent = True
    now = int(time.time())
    session.update({"account": account.username, "version": account.session_version,
                    "since": now, "seen": now, "csrf": secrets.token_urlsafe(32)})
    g.console_account = account


def session_still_valid() -> bool:
    """Check the session again now (a long-lived request: the live-update stream)."""
    g.pop("console_account", None)
    return current_account() is not None


def current_account() -> Account | None:
    """The signed-in account of this request, or None (checked once per request)."""
    if "console_account" not in g:
        g.console_account = _session_account()
    return g.console_account


def login_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Send visitors who are not signed in to the login page, with `next` to come back."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if current_account() is None:
            return _to_login()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable[..., ResponseReturnValue]],
                                           Callable[..., ResponseReturnValue]]:
    """Only accounts with one of `roles` (admins always) may open the view: 403 for others.

    Implies login_required.
    """
    unknown = set(roles) - set(accounts.ROLES)
    if unknown or not roles:
        raise ValueError(f"role_required needs roles among {accounts.ROLES}, got {roles}")

    def decorator(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            account = current_account()
            if account is None:
                return _to_login()
            if not account.has_role(*roles):
                return _page(403, gettext("Not allowed"),
                             gettext("This page is for: %(roles)s. You are signed in as "
                                     "%(user)s (%(role)s).", roles=", ".join(roles),
                                     user=account.username, role=account.role))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_url(account: Account | None = None) -> str:
    """Where an account starts: editors at the answers, everyone else at the queue."""
    account = account or current_account()
    if account is not None and account.role == "editor":
        return url_for("editor.index")
    return current_app.config["CONSOLE_HOME_URL"]


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def csrf_token() -> str:
    """This session's CSRF token, for a hidden `csrf_token` field or the X-CSRF-Token header."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


# --- wiring -----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Set the secret key and cookie and install the per-request console checks.

    Raises config.ConfigError in production without a SECRET_KEY. A second call does nothing.
    """
    if app.extensions.get("console_auth"):
        return
    app.extensions["console_auth"] = True
    if config.ensure_secret_key(app.config):
        log.warning("development mode: console sessions are signed with the local key in %s",
                    config.DEV_SECRETS)
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.config.update(
        SESSION_COOKIE_NAME="hl_console", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_SECURE=_secure_cookie(app.config),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # the cookie is written only when the session changes: a background fetch (live
        # updates) answered after a form POST would otherwise put back the cookie from
        # before it, losing what the POST stored (its flash message)
        SESSION_REFRESH_EACH_REQUEST=False)
    app.before_request(_check_console_request)
    app.after_request(_add_security_headers)
    app.add_template_global(csrf_token)
    app.add_template_global(current_account)
    app.add_template_global(home_url)


def _secure_cookie(settings: dict[str, Any]) -> bool:
    return (config.is_production(settings) or bool(settings.get("SESSION_COOKIE_SECURE"))
            or str(settings.get("PUBLIC_WEB_URL", "")).startswith("https://"))


def _is_console(path: str) -> bool:
    return path == "/console" or path.startswith("/console/")


def _check_console_request() -> ResponseReturnValue | None:
    if not _is_console(request.path) or request.endpoint == "auth.static":
        return None
    if current_account() is not None and request.endpoint not in BACKGROUND_ENDPOINTS:
        _note_activity()
    if request.method in UNSAFE_METHODS and not _csrf_ok():
        return _page(400, gettext("Form expired or not from this site"),
                     gettext("The security token of this form is missing or wrong. Go back, "
                             "reload the page and try again."))
    return None


def _note_activity() -> None:
    """A page opened or a form sent: the idle timeout starts again (rewritten once a minute
    at most, so the cookie is not rewritten on every request)."""
    now = int(time.time())
    if now - session.get("seen", 0) >= SEEN_EVERY_S:
        session["seen"] = now


def _add_security_headers(response: Response) -> Response:
    if _is_console(request.path):
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        origin = _events_origin()
        if origin:  # live updates come from the events server (webhook.console.events)
            response.headers["Content-Security-Policy"] += f"; connect-src 'self' {origin}"
    return response


def _events_origin() -> str:
    from webhook.console.events import events_origin  # events imports this module

    return events_origin()


def _csrf_ok() -> bool:
    expected = session.get("csrf", "")
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def _session_account() -> Account | None:
    username = session.get("account")
    if not username:
        return None
    client = current_app.extensions.get("redis")
    account = accounts.get_account(client, username) if client is not None else None
    now = time.time()
    age, idle = now - session.get("since", 0), now - session.get("seen", 0)
    if (account is None or account.disabled or account.session_version != session.get("version")
            or age > current_app.permanent_session_lifetime.total_seconds()
            or idle > current_app.config["CONSOLE_IDLE_MINUTES"] * 60):
        for key in SESSION_KEYS:
            session.pop(key, None)
        return None
    return account


def _to_login() -> ResponseReturnValue:
    if _wants_json():
        return jsonify({"error": "Unauthorized", "description": "sign in first"}), 401
    target = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("auth.login", next=target))


def _known_actor(client: redis.Redis, username: str) -> str:
    """The username if such an account exists, else `unknown`: people type passwords there."""
    if accounts.USERNAME_PATTERN.fullmatch(username) and accounts.get_account(client, username):
        return username
    return "unknown"


def _redis() -> redis.Redis:
    client = current_app.extensions.get("redis")
    if client is None:
        abort(503, gettext("The console needs Redis: set REDIS_URL."))
    return client


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _page(status: int, title: str, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": title, "description": message})
    else:
        response = current_app.make_response(
            render_template("console/error.html", title=title, message=message))
    response.status_code = status
    return response
