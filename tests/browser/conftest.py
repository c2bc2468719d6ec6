"""Real-browser tests: Debian's Chromium driven by Playwright, against the running stack.

Playwright's own browser download cannot work here, so the tests launch the Chromium that
`make browser-deps` (run by `make test`) installs with apt-get, at /usr/bin/chromium. A missing
browser fails the tests: they are never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import redis
from playwright.sync_api import Browser, Page, expect, sync_playwright

from webhook.console.accounts import create_account

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's services,
# which this closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".build" / "browser-screenshots"
# Rasa answers in well under a second once warm; the first message of a session is slower.
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` (or `make browser-deps`) installs "
                    "it with apt-get (Debian's chromium and fonts-khmeros packages)",
                    pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new page in a fresh context (no cookies, no sessionStorage) the size of a phone."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ARG001
    """Keep each phase's report on the test, for screenshot_on_failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """On failure, save what the page showed to .build/browser-screenshots/<test name>.png."""
    if "page" not in request.fixturenames:
        yield
        return
    shown = request.getfixturevalue("page")  # torn down after this fixture
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        path = SCREENSHOTS / f"{name}.png"
        try:
            shown.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failed test: {path}")
        except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
            print(f"no screenshot for {request.node.name}: {exc}")


DESKTOP = {"width": 1280, "height": 900}


def desktop_page(browser: Browser) -> Page:
    """A new page in a fresh context the size of a staff member's screen."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page: Page, web_url: str, username: str, password: str,
            path: str = "/console/login", totp_secret: str | None = None) -> None:
    """Open `path` (it shows the login form to a visitor) and sign in through the form; with
    `totp_secret`, type the authenticator code when the second step asks for one (an admin
    enrolling reads the key from the page)."""
    page.goto(f"{web_url}{path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()
    if "/console/login/enrol" in page.url:
        totp_secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("Code").fill(pyotp.TOTP(totp_secret).now())
        page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    elif "/console/login/code" in page.url and totp_secret:
        page.get_by_label("Code").fill(pyotp.TOTP(totp_secret).now())
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()


def ensure_accounts(stack, password: str, accounts: list[tuple[str, str]]) -> None:  # noqa: ANN001
    """Console accounts (name, role) with `password`, made once per stack."""
    client = redis.Redis.from_url(stack.redis_url)
    for name, role in accounts:
        if not client.exists(f"hl:account:{name}"):
            create_account(client, name, name.title(), role, password)


def forget_simulated_users(client: redis.Redis) -> None:
    """The simulator's fixed users start anew: no state, transcript or tracker of theirs."""
    for key in list(client.scan_iter(match="*sim-user-*")):
        client.delete(key)
