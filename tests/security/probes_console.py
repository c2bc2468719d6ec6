"""Probes of the console's findings of issue 10 (2, 3, 9, 10, 11) against a running stack.

They sign in as short-lived moderator accounts created through `Target.redis_url` (a test
stack's Redis), or with `Target.extra["moderator"]` and `["moderator2"]` given as
"username:password" (moderators: no second factor). Probes that cause failed sign-ins clear
the probing address's counters afterwards when they can reach Redis, so they do not slow the
tests that follow. Every request is bounded by a timeout.
"""

from __future__ import annotations

import http.client
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import redis
import requests

from tests.security.probe import Probe, Result, Target
from webhook import keys
from webhook.console import accounts
from webhook.conversations.state import Conversations

TIMEOUT = 10
PASSWORD = "probe passwords are long enough"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def _moderators(target: Target, count: int) -> Iterator[list[tuple[str, str]]]:
    """(username, password) pairs: from extra, else temporary accounts made through Redis."""
    given = [target.extra[k] for k in ("moderator", "moderator2")[:count] if k in target.extra]
    if len(given) == count:
        yield [tuple(item.split(":", 1)) for item in given]
        return
    if not target.redis_url:
        raise LookupError("needs --redis or moderator credentials")
    client = redis.Redis.from_url(target.redis_url)
    names = [f"probe-{uuid.uuid4().hex[:8]}" for _ in range(count)]
    for name in names:
        accounts.create_account(client, name, "Probe", "moderator", PASSWORD)
    try:
        yield [(name, PASSWORD) for name in names]
    finally:
        for name in names:
            client.delete(accounts.account_key(name))
            client.srem(accounts.accounts_index(), name)


def _sign_in(target: Target, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{target.web_url}/console/login", timeout=TIMEOUT).text
    answer = browser.post(f"{target.web_url}/console/login", timeout=TIMEOUT, data={
        "username": username, "password": password, "next": "",
        "csrf_token": _CSRF.search(page).group(1)})
    if answer.status_code != 200 or "/console/login" in answer.url:
        raise RuntimeError(f"sign-in failed ({answer.status_code})")
    return browser


def _token(target: Target, browser: requests.Session) -> str:
    return _CSRF.search(browser.get(f"{target.web_url}/console/", timeout=TIMEOUT).text).group(1)


def _forget_address(target: Target) -> None:
    if target.redis_url:
        client = redis.Redis.from_url(target.redis_url)
        for key in client.scan_iter(match=keys.login_failures_ip("*")):
            client.delete(key)


def _failed_sign_in(target: Target, username: str, forwarded: str = "") -> int:
    browser = requests.Session()
    page = browser.get(f"{target.web_url}/console/login", timeout=TIMEOUT).text
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return browser.post(f"{target.web_url}/console/login", timeout=TIMEOUT, headers=headers,
                        data={"username": username, "password": "wrong probe guess",
                              "csrf_token": _CSRF.search(page).group(1)}).status_code


# --- finding 2 --------------------------------------------------------------------------------

def assign_onto_a_colleagues_case(target: Target) -> Result:
    """Moderator B tries to take, label, resolve and release a case moderator A claimed."""
    if not target.redis_url:
        return Result("skipped", "needs --redis to queue a test case")
    client = redis.Redis.from_url(target.redis_url)
    conversations, psid = Conversations(client, 600), f"probe-{uuid.uuid4().hex[:10]}"
    conversations.update(psid, owner="queued", handoff_reason="probe", language="en")
    client.zadd(keys.handoff_queue(), {psid: 1})
    ref = conversations.ref(psid)
    try:
        with _moderators(target, 2) as ((a, a_pw), (b, b_pw)):
            first, second = _sign_in(target, a, a_pw), _sign_in(target, b, b_pw)
            first.post(f"{target.web_url}/console/c/{ref}/claim", timeout=TIMEOUT,
                       data={"csrf_token": _token(target, first)})
            token = _token(target, second)
            codes = [second.post(f"{target.web_url}/console/c/{ref}/{action}", data={
                "csrf_token": token, **form}, timeout=TIMEOUT, allow_redirects=False).status_code
                for action, form in (("assign", {"to": b}), ("labels", {"labels": "x"}),
                                     ("resolve", {}), ("release", {}))]
            state = conversations.get(psid)
    finally:
        client.delete(keys.conversation(psid), keys.conversation_ref(ref), keys.labels(psid))
        client.zrem(keys.handoff_queue(), psid)
        client.srem(keys.owned_by_person(), psid)
    if state.get("claimed_by") == a and state.get("owner") == "person" and all(
            code in (403, 409) for code in codes):
        return Result("closed", f"refused with {codes}; the case stayed with its owner")
    return Result("open", f"answers {codes}, claimed_by now {state.get('claimed_by')!r}")


# --- finding 3 --------------------------------------------------------------------------------

def audit_flood_by_failed_sign_ins(target: Target) -> Result:
    """40 failed sign-ins must not add to the actions' audit stream or one entry each."""
    if not target.redis_url:
        return Result("skipped", "needs --redis to read the audit streams")
    client = redis.Redis.from_url(target.redis_url)
    actions, signins = client.xlen(keys.audit_actions()), client.xlen(keys.audit_signin())
    name = f"flood-{uuid.uuid4().hex[:8]}"
    try:
        codes = [_failed_sign_in(target, name) for _ in range(40)]
    finally:
        _forget_address(target)
    added = client.xlen(keys.audit_signin()) - signins
    if client.xlen(keys.audit_actions()) == actions and added <= 10 and 429 in codes:
        return Result("closed", f"actions untouched; {added} sign-in entries for 40 attempts")
    return Result("open", f"{added} sign-in entries; actions grew by "
                          f"{client.xlen(keys.audit_actions()) - actions}")


# --- finding 9 --------------------------------------------------------------------------------

def forged_forwarded_for(target: Target) -> Result:
    """A direct caller sends a new X-Forwarded-For with each guess: still slowed down."""
    try:
        codes = [_failed_sign_in(target, f"xff-{index // 4}-{uuid.uuid4().hex[:6]}",
                                 forwarded=f"198.51.100.{index}") for index in range(14)]
    finally:
        _forget_address(target)
    if 429 in codes:
        return Result("closed", f"paused after {codes.index(429)} guesses despite the header")
    return Result("open", "every forged address got fresh attempts")


# --- finding 10 -------------------------------------------------------------------------------

def copied_cookie_after_logout(target: Target) -> Result:
    """A session cookie copied before logout must not work after it."""
    with _moderators(target, 1) as ((name, password),):
        browser = _sign_in(target, name, password)
        thief = requests.Session()
        for cookie in browser.cookies:
            thief.cookies.set(cookie.name, cookie.value, path=cookie.path)
        before = thief.get(f"{target.web_url}/console/queue.json", timeout=TIMEOUT).status_code
        browser.post(f"{target.web_url}/console/logout", timeout=TIMEOUT,
                     data={"csrf_token": _token(target, browser)})
        after = thief.get(f"{target.web_url}/console/queue.json", timeout=TIMEOUT,
                          headers={"Accept": "application/json"}, allow_redirects=False)
    if before == 200 and after.status_code in (302, 401):
        return Result("closed", f"the copy worked before logout, {after.status_code} after")
    return Result("open", f"copied cookie answered {after.status_code} after logout")


# --- finding 11 -------------------------------------------------------------------------------

def stream_outlives_logout(target: Target) -> Result:
    """An open event stream must end soon after its session is logged out."""
    with _moderators(target, 1) as ((name, password),):
        browser = _sign_in(target, name, password)
        page = browser.get(f"{target.web_url}/console/", timeout=TIMEOUT).text
        url = re.search(r'data-events-url="([^"]+)"', page).group(1)
        url = url if url.startswith("http") else f"{target.web_url}{url}"
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        connection.request("GET", parts.path, headers={"Cookie": cookie})
        stream = connection.getresponse()
        browser.post(f"{target.web_url}/console/logout", timeout=TIMEOUT,
                     data={"csrf_token": _token(target, browser)})
        try:
            while stream.readline():
                pass
            ended = True
        except TimeoutError:
            ended = False
        finally:
            connection.close()
    if stream.status == 200 and ended:
        return Result("closed", "the stream ended after logout")
    return Result("open", f"status {stream.status}; still open 30 s after logout")


def streams_starve_the_web_app(target: Target) -> Result:
    """40 streams opened on the web app itself must leave it answering."""
    with _moderators(target, 1) as ((name, password),):
        browser = _sign_in(target, name, password)
        opened = []
        try:
            for _ in range(40):
                opened.append(browser.get(f"{target.web_url}/console/events", stream=True,
                                          timeout=TIMEOUT))
            health = requests.get(f"{target.web_url}/healthz", timeout=TIMEOUT).status_code
        except requests.RequestException as error:
            return Result("open", f"the web app stopped answering ({type(error).__name__})")
        finally:
            for answer in opened:
                with suppress(Exception):
                    answer.close()
    refused = sum(answer.status_code == 503 for answer in opened)
    if refused:  # and /healthz answered (with whatever it found), within the timeout
        return Result("closed", f"{refused} of 40 streams refused; /healthz answered {health}")
    return Result("open", f"/healthz {health}; {refused} streams refused")


PROBES = [
    Probe(2, "assign onto a colleague's case", assign_onto_a_colleagues_case),
    Probe(3, "audit flood by failed sign-ins", audit_flood_by_failed_sign_ins),
    Probe(9, "forged X-Forwarded-For", forged_forwarded_for),
    Probe(10, "copied cookie after logout", copied_cookie_after_logout),
    Probe(11, "event stream outlives logout", stream_outlives_logout),
    Probe(11, "event streams starve the web app", streams_starve_the_web_app),
]
