"""The console in Khmer in real Chromium (decision 74), at desktop size and on a 360-pixel phone:
a moderator switches to Khmer on the page, then the queue, a conversation (with the reply box)
and the answer editor are in Khmer, in the Khmer font, with no sideways scrolling on a phone."""

import re

import pytest
import redis
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, ensure_accounts, sign_in
from tests.browser.test_console_flow import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    ask_for_a_person,
    clean,
    simulator,
)
from webhook.console import accounts

PHONE_360 = {"width": 360, "height": 740}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
SIZES = pytest.mark.parametrize("viewport", [DESKTOP, PHONE_360], ids=["desktop", "phone-360"])


@pytest.fixture
def khmer_staff(stack):
    """A moderator and an editor of their own (other tests sign in as dara in English), both
    starting in English."""
    ensure_accounts(stack, PASSWORD, [("vanna", "moderator"), ("chenda", "editor")])
    client = redis.Redis.from_url(stack.redis_url)
    for name in ("vanna", "chenda"):
        accounts.set_language(client, name, "en")
    return client


def new_page(browser, viewport):
    phone = viewport["width"] < 400
    context = browser.new_context(viewport=viewport, locale="en-US", has_touch=phone,
                                  is_mobile=phone)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def switch_to_khmer(page):
    page.locator("#language-switch").get_by_role("button", name="ភាសាខ្មែរ").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Khmer OS"'), font


@SIZES
def test_a_moderator_works_in_khmer(browser, page, stack, khmer_staff, viewport):
    console = new_page(browser, viewport)
    sign_in(console, stack.web_url, "vanna", PASSWORD, "/console/")
    expect(console.get_by_role("heading", name=re.compile("Waiting for a person"))).to_be_visible()
    switch_to_khmer(console)
    expect(console.get_by_role("heading", name=re.compile("កំពុងរង់ចាំមនុស្ស"))).to_be_visible()
    expect(console.get_by_text("ការធ្វើបច្ចុប្បន្នភាពផ្ទាល់៖ បើក")).to_be_visible()
    assert accounts.get_account(khmer_staff, "vanna").language == "km"

    sim = simulator(page, stack)
    ask_for_a_person(sim)
    claim = console.locator("#waiting-rows tr[data-ref]").get_by_role("button", name="ទទួលយក")
    expect(claim).to_be_visible()  # drawn live by moderation.js, in Khmer too
    assert console.evaluate(FITS)
    claim.click()
    console.wait_for_url(re.compile(r"/console/c/"))
    box = console.get_by_label("ឆ្លើយទៅអ្នកប្រើ")
    expect(box).to_be_visible()
    expect(console.locator("#owner")).to_contain_text("ជាមួយមនុស្ស")
    expect(console.get_by_role("heading", name="ប្រតិចារិក")).to_be_visible()
    assert console.evaluate(FITS)
    box.fill("សួស្ដី ខ្ញុំអាចជួយអ្នកបាន")
    console.get_by_role("button", name="ផ្ញើ", exact=True).click()
    expect(sim.bot.last).to_contain_text("សួស្ដី ខ្ញុំអាចជួយអ្នកបាន")
    console.get_by_role("button", name=re.compile("ដោះស្រាយរួច")).click()
    console.wait_for_load_state()
    expect(console.locator("html")).to_have_attribute("lang", "km")
    console.context.close()


@SIZES
def test_an_editor_works_in_khmer(browser, stack, khmer_staff, viewport):
    editor = new_page(browser, viewport)
    sign_in(editor, stack.web_url, "chenda", PASSWORD, "/console/content/")
    switch_to_khmer(editor)
    expect(editor.get_by_role("heading", name="ចម្លើយ", exact=True)).to_be_visible()
    editor.locator("tr[data-answer] a").first.click()
    editor.wait_for_url(re.compile(r"/console/content/a/"))
    expect(editor.get_by_role("heading", name="មើលជាមុនលើទូរសព្ទ")).to_be_visible()
    expect(editor.get_by_role("button", name="រក្សាទុកសេចក្ដីព្រាង")).to_be_visible()
    if viewport["width"] < 400:
        assert editor.evaluate(FITS)
    # back to English on the page, and it stays so
    editor.locator("#language-switch").get_by_role("button", name="English").click()
    expect(editor.get_by_role("heading", name="Preview on a phone")).to_be_visible()
    assert accounts.get_account(khmer_staff, "chenda").language == "en"
    editor.context.close()
