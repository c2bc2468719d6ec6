"""The content editor in real Chromium, against the running stack: an editor changes a Khmer
answer, sees it on the phone preview, publishes, and the simulator's next answer uses it;
invalid edits are refused next to the field; a restore brings the old text back; moderators
cannot reach the editor."""

import re

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from bot.project import RESPONSES
from tests.browser.conftest import (
    desktop_page,
    ensure_accounts,
    forget_simulated_users,
    sign_in,
)
from tests.browser.test_simulator_page import Simulator, answer
from webhook.content.loader import load_folder
from webhook.content.versions import ContentVersions

PASSWORD = "editors need long passwords too"
MARKER = "សាកល្បងថ្មី ១២៣"  # "new test 123"


@pytest.fixture(scope="module")
def accounts(stack):
    ensure_accounts(stack, PASSWORD, [("studio-editor", "editor"),
                                      ("studio-moderator", "moderator")])


@pytest.fixture(autouse=True)
def original_content(stack):
    """Other tests expect the answers of responses/: put them back after each test."""
    client = redis.Redis.from_url(stack.redis_url)
    forget_simulated_users(client)
    yield
    versions = ContentVersions(client)
    for item in ("utter_greet",):
        versions.discard_draft(item)
    versions.import_content(load_folder(RESPONSES), "tests", "back to responses/")


def signed_in(browser: Browser, stack, username: str) -> Page:
    page = desktop_page(browser)
    sign_in(page, stack.web_url, username, PASSWORD)
    return page


def open_answer(editor: Page, name: str) -> None:
    expect(editor.get_by_role("heading", name="Answers", exact=True)).to_be_visible()
    editor.get_by_role("link", name=name, exact=True).click()
    expect(editor.get_by_role("heading", name=re.compile(name))).to_be_visible()


def greeting_in_simulator(page: Page, stack) -> Simulator:
    page.goto(f"{stack.web_url}/simulator/")
    sim = Simulator(page)
    sim.say("សួស្តី")
    return sim


def test_an_editor_publishes_a_khmer_answer_and_the_next_message_uses_it(
        browser, page, stack, accounts):
    editor = signed_in(browser, stack, "studio-editor")
    open_answer(editor, "utter_greet")
    first_km = editor.get_by_label("Bubble 1").nth(1)
    original = first_km.input_value()
    first_km.fill(f"{MARKER} {original}")
    km_preview = editor.locator('figure.phone[data-language="km"] .bubble').first
    expect(km_preview).to_contain_text(MARKER)  # the live preview, before publishing
    editor.get_by_label("What changed and why").fill("test marker")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_role("status").filter(has_text="Published as version")).to_be_visible()

    sim = greeting_in_simulator(page, stack)
    expect(sim.bot.first).to_contain_text(MARKER)

    editor.get_by_role("link", name="History and restore").click()
    before = editor.locator("tr[data-revision]").nth(1)
    restored = before.get_attribute("data-revision")
    before.get_by_role("button", name=f"Restore version {restored}").click()
    expect(editor.get_by_role("status").filter(has_text=f"Version {restored} restored")
           ).to_be_visible()
    expect(editor.get_by_label("Bubble 1").nth(1)).to_have_value(original)

    sim.say("សួស្តី")
    bubbles, _ = answer("utter_greet", "km")
    expect(sim.bot).to_have_count(2 * len(bubbles))
    expect(sim.bot.nth(len(bubbles))).not_to_contain_text(MARKER)
    expect(sim.bot.nth(len(bubbles))).to_contain_text(bubbles[0][:30])


def test_invalid_edits_are_refused_with_a_clear_message(browser, stack, accounts):
    editor = signed_in(browser, stack, "studio-editor")
    open_answer(editor, "utter_greet")
    english = editor.locator("#lang-en")
    english.get_by_label("Title 1").first.fill("Passwords and accounts!!")  # 24 characters
    english.get_by_label("Title 2").first.fill("A title of twenty-five ch")  # 25
    editor.get_by_role("button", name="Publish").click()
    alert = editor.get_by_role("alert")
    expect(alert).to_contain_text("Not published: fix these first")
    expect(alert).to_contain_text("English · quick reply 2 · title: 25 characters; at most 20")
    field_error = english.locator('.field-error[data-field="en.quick_replies[1].title"]')
    expect(field_error).to_have_text("25 characters; at most 20")
    expect(english.get_by_label("Title 2").first).to_have_attribute("aria-invalid", "true")

    editor.reload()
    for field in editor.locator("#lang-en textarea, #lang-en input").all():
        field.fill("")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_role("alert")).to_contain_text(
        "English: missing: every answer needs English and Khmer")
    client = redis.Redis.from_url(stack.redis_url)
    published, _ = ContentVersions(client).item("utter_greet")
    assert published["en"]["bubbles"], "nothing invalid was published"


def test_a_moderator_cannot_reach_the_editor(browser, stack, accounts):
    moderator = signed_in(browser, stack, "studio-moderator")
    expect(moderator.get_by_role("heading", name=re.compile("Waiting for a person"))
           ).to_be_visible()
    expect(moderator.get_by_role("link", name="Answers")).to_have_count(0)
    moderator.goto(f"{stack.web_url}/console/content/a/utter_greet")
    expect(moderator.get_by_role("heading", name="Not allowed")).to_be_visible()
