"""Campaign links in real Chromium: an editor creates a ref in the console, its QR code
downloads, the simulator opened with ?ref= lands on the chosen answer, the user rates it, and
the rating appears on the analytics page."""

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import desktop_page, sign_in
from tests.browser.test_simulator_page import Simulator, answer
from webhook import keys
from webhook.console.accounts import create_account
from webhook.feedback.store import FeedbackStore
from webhook.insights.days import day_of

PASSWORD = "campaign editors use long passwords"
REF = "poster-passwords"


@pytest.fixture(scope="module")
def editor_account(stack):
    client = redis.Redis.from_url(stack.redis_url)
    if not client.exists("hl:account:campaign-editor"):
        create_account(client, "campaign-editor", "Campaign Editor", "editor", PASSWORD)


@pytest.fixture(autouse=True)
def fresh(stack):
    client = redis.Redis.from_url(stack.redis_url)
    for key in list(client.scan_iter(match="*sim-user-*")):
        client.delete(key)
    client.hdel(keys.referral_starts(), REF)
    yield
    client.hdel(keys.referral_starts(), REF)


def editor(browser: Browser, stack) -> Page:
    page = desktop_page(browser)
    sign_in(page, stack.web_url, "campaign-editor", PASSWORD)
    page.get_by_role("link", name="Campaign links").click()
    expect(page.get_by_role("heading", name="Campaign links and QR codes")).to_be_visible()
    return page


def test_a_ref_made_in_the_console_opens_its_answer_and_its_rating_is_counted(
        browser, page, stack, editor_account, feedback_on):
    staff = editor(browser, stack)
    form = staff.locator("#ref-form")
    form.get_by_label(re.compile("^Name")).fill(REF)
    form.get_by_label("Starts with", exact=True).select_option("answer")
    form.get_by_label("Answer (when it starts with an answer)").select_option(
        "utter_password_strong")
    form.get_by_label("Language", exact=True).select_option("en")
    form.get_by_label("Note for staff").fill("poster at the commune office")
    form.get_by_role("button", name="Save").click()
    row = staff.locator(f'tr[data-ref="{REF}"]')
    expect(row).to_contain_text("utter_password_strong")
    link = row.locator('a[href^="https://m.me/"]').inner_text()
    assert parse_qs(urlparse(link).query) == {"ref": [REF]}
    href = row.get_by_role("link", name="QR code (PNG)").get_attribute("href")
    png = staff.request.get(f"{stack.web_url}{href}")
    assert png.ok and png.headers["content-type"] == "image/png" and png.body()[:4] == b"\x89PNG"

    before = {"up": sum(s.up for s in rated_stats(stack))}
    page.goto(f"{stack.web_url}/simulator/?ref={REF}")
    sim = Simulator(page)
    page.get_by_role("button", name="Get Started").click()
    bubbles, titles = answer("utter_password_strong", "en")
    expect(sim.bot.first).to_contain_text(bubbles[0])
    expect(sim.bot.last).to_contain_text("Did this help?")
    expect(sim.chips.get_by_role("button")).to_have_text(["👍 Yes", "👎 No", *titles])
    sim.chip("👍 Yes").click()
    expect(sim.bot.last).to_contain_text("glad it helped")

    staff.get_by_role("link", name="Campaign links").click()
    expect(staff.locator(f'tr[data-ref="{REF}"] .count')).to_have_text("1")
    [stats] = rated_stats(stack, before["up"] + 1)
    staff.get_by_role("link", name="Analytics").click()
    row = staff.locator("#feedback tr", has_text="utter_password_strong").filter(
        has=staff.locator("td", has_text=re.compile("^en$")))
    cells = row.locator("td")
    expect(cells.nth(2)).to_have_text(str(stats.rated))  # other tests may have rated it too
    expect(cells.nth(3)).to_have_text(f"{stats.helpful_share * 100:.1f} %")


def rated_stats(stack, wait_for_up=None):
    """The English figures of utter_password_strong today (waiting for `wait_for_up` 👍)."""
    store = FeedbackStore(redis.Redis.from_url(stack.redis_url))
    deadline = time.monotonic() + 20
    while True:
        found = [s for s in store.stats([day_of(time.time())])
                 if s.answer == "utter_password_strong" and s.language == "en"]
        if wait_for_up is None or sum(s.up for s in found) >= wait_for_up or \
                time.monotonic() > deadline:
            return found
        time.sleep(0.2)
