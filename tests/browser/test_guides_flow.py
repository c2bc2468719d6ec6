"""Guided steps in real Chromium: a user walks the hacked-account tree in the simulator to
"talk to a person" and the moderator sees the case summary at the top of the conversation;
an editor changes a question in the console and the next walk shows it."""

import re

import pytest
import redis
from playwright.sync_api import expect

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

PASSWORD = "guided steps need long passwords"
HACKED = "someone hacked my facebook and changed my password"
CHANGED = "Are you still able to open the account on any phone?"


@pytest.fixture(scope="module")
def staff(stack):
    ensure_accounts(stack, PASSWORD, [("guide-moderator", "moderator"),
                                      ("guide-editor", "editor")])


@pytest.fixture(autouse=True)
def fresh(stack):
    """Fresh simulated users and queue before; the answers of responses/ again after."""
    client = redis.Redis.from_url(stack.redis_url)
    forget_simulated_users(client)
    client.delete("hl:handoff-queue")
    yield
    ContentVersions(client).import_content(load_folder(RESPONSES), "tests", "back to responses/")


def start_hacked_account(page, stack) -> Simulator:
    page.goto(f"{stack.web_url}/simulator/")
    sim = Simulator(page)
    sim.say(HACKED)
    opener, _ = answer("utter_account_hacked", "en")
    first, titles = answer("guide_hacked_account", "en")
    sim.expect_answer(opener + first, [*titles, "Main menu"])
    return sim


def tap_and_expect(sim: Simulator, title: str, step: str, shown: int) -> int:
    bubbles, titles = answer(step, "en")
    sim.chip(title).click()
    sim.expect_answer(bubbles, [*titles, "Back", "Main menu"], before=shown)
    return shown + len(bubbles)


def test_a_walk_ends_with_a_person_who_sees_the_case_summary(browser, page, stack, staff):
    moderator = desktop_page(browser)
    sign_in(moderator, stack.web_url, "guide-moderator", PASSWORD, "/console/")
    sim = start_hacked_account(page, stack)
    shown = sim.bot.count()
    shown = tap_and_expect(sim, "No, I can't", "guide_hacked_account_locked_out", shown)
    shown = tap_and_expect(sim, "Yes, both", "guide_hacked_account_contacts_changed", shown)
    expect(sim.bot.nth(shown - 1)).to_contain_text("video selfie")
    sim.chip("Talk to a person").click()
    handoff, _ = answer("utter_handoff", "en")
    expect(sim.chips.get_by_role("button", name="Back to the bot")).to_be_visible()
    expect(sim.bot.nth(shown)).to_contain_text(handoff[0])

    row = moderator.locator("#waiting-rows tr[data-ref]")
    expect(row).to_contain_text("guide_hacked_account")  # live, without reloading
    row.get_by_role("button", name="Claim").click()
    moderator.wait_for_url(re.compile(r"/console/c/"))
    summary = moderator.get_by_role("region", name=re.compile("Case summary"))
    expect(summary).to_contain_text("Hacked account")
    rows = summary.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Can you still log in to the account?")
    expect(rows.nth(0)).to_contain_text("No, I can't")
    expect(rows.nth(1)).to_contain_text("change the email and the phone number")
    expect(rows.nth(1)).to_contain_text("Yes, both")
    expect(rows.nth(2)).to_contain_text("Talk to a person")
    # the summary comes before the transcript on the page
    assert summary.bounding_box()["y"] < moderator.locator("#transcript").bounding_box()["y"]


def test_an_edited_question_is_shown_on_the_next_walk(browser, page, stack, staff):
    editor = desktop_page(browser)
    sign_in(editor, stack.web_url, "guide-editor", PASSWORD)
    editor.get_by_role("link", name="guide_hacked_account", exact=True).click()
    expect(editor.get_by_role("heading", name=re.compile("guide_hacked_account"))).to_be_visible()
    question = editor.get_by_label("Bubble 2").nth(0)  # English first, Khmer beside it
    question.fill(CHANGED)
    preview = editor.locator('figure.phone[data-language="en"] .bubble')
    expect(preview.nth(1)).to_contain_text(CHANGED)
    editor.get_by_label("What changed and why").fill("plainer question")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_role("status").filter(has_text="Published as version")).to_be_visible()

    page.goto(f"{stack.web_url}/simulator/")
    sim = Simulator(page)
    sim.say(HACKED)
    expect(sim.bot.last).to_contain_text(CHANGED)
    expect(sim.chip("No, I can't")).to_be_visible()


def test_publishing_a_step_that_strands_people_is_refused(browser, stack, staff):
    editor = desktop_page(browser)
    sign_in(editor, stack.web_url, "guide-editor", PASSWORD,
            "/console/content/a/guide_hacked_account_recover")
    for field in [*editor.get_by_label("Goes to").all(),
                  *editor.get_by_label(re.compile(r"^Title \d+$")).all()]:
        field.fill("")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_text(re.compile("dead end")).first).to_be_visible()
    published, _ = ContentVersions(redis.Redis.from_url(stack.redis_url)).item(
        "guide_hacked_account_recover")
    assert published["en"]["quick_replies"][0]["payload"] == '/guide{"to":"person"}'

