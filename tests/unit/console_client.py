"""Signing in to the console with Flask's test client, as a browser would (second factor
included: an admin enrols a TOTP app at the first sign-in, then types a code each time)."""

from __future__ import annotations

import re
import time

import pyotp

from webhook.console.accounts import account_key

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def csrf_in(page: str) -> str:
    """The CSRF token a console page's forms carry."""
    return _CSRF.search(page).group(1)


def page_token(client, path: str = "/console/login") -> str:  # noqa: ANN001 - a test client
    """The CSRF token of the page at `path` (the login page's by default)."""
    return csrf_in(client.get(path).get_data(as_text=True))


def fresh_code(redis_client, username: str, secret: str) -> str:  # noqa: ANN001
    """A code of a time step the account has not used yet (codes work once), waiting for the
    next step when the current ones are used up."""
    totp = pyotp.TOTP(secret)
    last = int(redis_client.hget(account_key(username), "totp_step") or -1)
    step = max(int(time.time()) // totp.interval - 1, last + 1)
    while step > int(time.time()) // totp.interval + 1:
        time.sleep(1)
    return totp.at(step * totp.interval)


def second_step(client, answer, username: str):  # noqa: ANN001, ANN201
    """Complete the second factor when the answer asks for it; the final answer."""
    location = answer.headers.get("Location", "") if answer.status_code in (302, 303) else ""
    redis_client = client.application.extensions["redis"]
    if location.endswith("/console/login/enrol"):
        page = client.get(location).get_data(as_text=True)
        secret = _SECRET.search(page).group(1)
        code = pyotp.TOTP(secret).now()
        return client.post(location, data={"code": code, "csrf_token": csrf_in(page)})
    if location.endswith("/console/login/code"):
        page = client.get(location).get_data(as_text=True)
        secret = redis_client.hget(account_key(username.strip().lower()), "totp_secret").decode()
        code = fresh_code(redis_client, username.strip().lower(), secret)
        return client.post(location, data={"code": code, "csrf_token": csrf_in(page)})
    return answer


def sign_in(client, username: str, password: str, token: str | None = None,  # noqa: ANN001
            **extra):  # noqa: ANN003, ANN201
    """Post the login form with the login page's token (or `token`), then the second factor
    when asked; the last answer."""
    answer = client.post("/console/login", data={
        "username": username, "password": password,
        "csrf_token": token or page_token(client), "next": extra.pop("next", "")}, **extra)
    return second_step(client, answer, username)
