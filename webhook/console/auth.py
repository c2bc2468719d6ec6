"""Console sign-in: the login page, sessions, access decorators, CSRF checks, security headers.

Console views use `login_required`, `role_required(*roles)` and `current_account()`. Register
`bp`, then call `init_app(app)` once: it sets the secret key and the cookie, and installs the
checks that run on every request under /console.

Sessions: Flask's signed cookie `hl_console` holds the username (the account's id), the
account's session version, the sign-in time and a CSRF token. Each /console request reloads
the account; a disabled account, a replaced session version (new password, disabled) or a
sign-in older than 8 hours ends the session. The cookie is HttpOnly; SameSite=Lax, because
Strict would drop it when a moderator follows a console link from chat or e-mail, and every
change already needs a POST with a CSRF token; limited to /console; and Secure, except in
development when PUBLIC_WEB_URL is plain http (tests set SESSION_COOKIE_SECURE as they need;
production always sets it).

Sign-in limits: a username with 5 failed sign-ins, or a client address with 20, within 15
minutes of its first failure, gets 429 for every attempt (the right password too) until the
window ends; success clears the username's count. Behind a reverse proxy wrap the app in
werkzeug's ProxyFix, or every client shares the proxy's address.

CSRF: every POST, PUT, PATCH and DELETE under /console must carry the session's token in a
`csrf_token` form field (templates call `csrf_token()`) or an `X-CSRF-Token` header, else 400.
Console responses carry a strict Content-Security-Policy (no inline script or style: static
files only), X-Frame-Options DENY, Referrer-Policy same-origin, nosniff and no-store.
"""

from __future__ import annotations

import functools
import hashlib
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

from webhook import config
from webhook.console import accounts
from webhook.console.accounts import Account


def failures_by_user_key(username: str) -> str:
    """Failed sign-ins for one typed username (hashed: the text is anyone's to choose)."""
    return f"hl:login-failures:user:{hashlib.sha256(username.encode()).hexdigest()[:32]}"


def failures_by_ip_key(address: str) -> str:
    """Failed sign-ins from one client address."""
    return f"hl:login-failures:ip:{address}"


log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

DEFAULTS = {
    "CONSOLE_HOME_URL": "/console/",
    "CONSOLE_LOGIN_WINDOW_SECONDS": 15 * 60,
    "CONSOLE_MAX_FAILURES_PER_USER": 5,
    "CONSOLE_MAX_FAILURES_PER_IP": 20,
}
SESSION_LIFETIME = timedelta(hours=8)
SESSION_KEYS = ("account", "version", "since")
# Attempts are counted before the password is checked, so parallel guesses cannot slip past
# the limit; a success takes its attempt back. KEYS: user, address counters.
# ARGV: window seconds, user limit, address limit. Returns 0, or seconds until the window ends.
_RESERVE_ATTEMPT = """
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('get', key) or '0') >= tonumber(ARGV[i + 1]) then
    wait = math.max(wait, redis.call('ttl', key), 1)
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('set', key, 0, 'EX', ARGV[1], 'NX')
  redis.call('incr', key)
end
return 0
"""
_FORGET_ATTEMPT = """
redis.call('del', KEYS[1])
if redis.call('exists', KEYS[2]) == 1 then redis.call('decr', KEYS[2]) end
"""
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
    """Check the password within the sign-in limits; start a session or say why not."""
    client = _redis()
    username = request.form.get("username", "").strip().lower()[:64]
    target = safe_next(request.form.get("next"))
    counters = (failures_by_user_key(username), failures_by_ip_key(request.remote_addr or "-"))
    wait = _reserve_attempt(client, counters)
    if wait:
        _audit(client, _known_actor(client, username), "login_failed", detail="locked")
        response = _page(429, "Too many failed sign-ins",
                         "Sign-in is paused for this account or this network after too many "
                         f"wrong passwords. Try again in {-(-wait // 60)} minute(s).")
        response.headers["Retry-After"] = str(wait)
        return response
    account = accounts.verify_login(client, username, request.form.get("password", ""))
    if account is None:
        _audit(client, _known_actor(client, username), "login_failed", detail="bad_password")
        return render_template("console/login.html", next=target or "", username=username,
                               error="Wrong username or password, or the account is "
                                     "disabled."), 401
    client.eval(_FORGET_ATTEMPT, 2, *counters)
    start_session(account)
    _audit(client, account.username, "login")
    return redirect(target or home_url(account))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End this browser's session (CSRF-checked like every console POST)."""
    account = current_account()
    if account is not None:
        _audit(_redis(), account.username, "logout")
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
    session.update({"account": account.username, "version": account.session_version,
                    "since": int(time.time()), "csrf": secrets.token_urlsafe(32)})
    g.console_account = account


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
                return _page(403, "Not allowed",
                             f"This page is for: {', '.join(roles)}. You are signed in as "
                             f"{account.username} ({account.role}).")
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
    current_account()  # ends a session that is no longer valid, on every request
    if request.method in UNSAFE_METHODS and not _csrf_ok():
        return _page(400, "Form expired or not from this site",
                     "The security token of this form is missing or wrong. Go back, reload "
                     "the page and try again.")
    return None


def _add_security_headers(response: Response) -> Response:
    if _is_console(request.path):
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
    return response


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
    age = time.time() - session.get("since", 0)
    if (account is None or account.disabled or account.session_version != session.get("version")
            or age > current_app.permanent_session_lifetime.total_seconds()):
        for key in SESSION_KEYS:
            session.pop(key, None)
        return None
    return account


def _to_login() -> ResponseReturnValue:
    if _wants_json():
        return jsonify({"error": "Unauthorized", "description": "sign in first"}), 401
    target = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("auth.login", next=target))


def _reserve_attempt(client: redis.Redis, counters: tuple[str, str]) -> int:
    """Count a sign-in attempt before checking it; how long to wait when a limit is reached."""
    settings = current_app.config
    return int(client.eval(_RESERVE_ATTEMPT, 2, *counters,
                           settings["CONSOLE_LOGIN_WINDOW_SECONDS"],
                           settings["CONSOLE_MAX_FAILURES_PER_USER"],
                           settings["CONSOLE_MAX_FAILURES_PER_IP"]))


def _known_actor(client: redis.Redis, username: str) -> str:
    """The username if such an account exists, else `unknown`: people type passwords there."""
    if accounts.USERNAME_PATTERN.fullmatch(username) and accounts.get_account(client, username):
        return username
    return "unknown"


def _audit(client: redis.Redis, actor: str, action: str, detail: str = "") -> None:
    from webhook.console import audit  # audit's page imports this module

    audit.record(client, actor, action, detail=detail)


def _redis() -> redis.Redis:
    client = current_app.extensions.get("redis")
    if client is None:
        abort(503, "the console needs Redis: set REDIS_URL")
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
