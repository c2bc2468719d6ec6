"""Signing in to the console with Flask's test client, as a browser would."""

from __future__ import annotations

import re

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(page: str) -> str:
    """The CSRF token a console page's forms carry."""
    return _CSRF.search(page).group(1)


def page_token(client, path: str = "/console/login") -> str:  # noqa: ANN001 - a test client
    """The CSRF token of the page at `path` (the login page's by default)."""
    return csrf_in(client.get(path).get_data(as_text=True))


def sign_in(client, username: str, password: str, token: str | None = None):  # noqa: ANN001, ANN201
    """Post the login form with the login page's token (or `token`); the answer."""
    return client.post("/console/login", data={
        "username": username, "password": password,
        "csrf_token": token or page_token(client), "next": ""})
