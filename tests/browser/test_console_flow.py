"""The whole moderator flow in real Chromium: a user asks for a person in the simulator, the
case appears live in the console, a moderator claims it and replies, the bot stays silent,
the moderator resolves, the bot answers again. Plus Messenger's windows and a claim race."""

import re

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    desktop_page,
    ensure_accounts,
    forget_simulated_users,
    sign_in,
)
from tests.browser.test_simulator_page import Simulator, answer
from webhook.clock import Clock

PASSWORD = "moderators need long passwords"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def moderators(stack):
    ensure_accounts(stack, PASSWORD, [("dara", "moderator"), ("sokha", "moderator")])
    return ("dara", "sokha")


@pytest.fixture(autouse=True)
def clean(stack):
    client = redis.Redis.from_url(stack.redis_url)
    forget_simulated_users(client)
    client.delete("hl:handoff-queue")
    clock = Clock(client, adjustable=True)
    clock.reset()
    yield
    clock.reset()


def console(browser: Browser, stack, username: str) -> Page:
    """A signed-in console page on a desktop-sized window."""
    page = desktop_page(browser)
    sign_in(page, stack.web_url, username, PASSWORD, "/console/")
    expect(page.get_by_role("heading", name=re.compile("Waiting for a person"))).to_be_visible()
    return page


def claim_first(moderator: Page) -> None:
    """Claim the first waiting case and wait until its conversation page is open."""
    moderator.locator("#waiting-rows tr[data-ref]").get_by_role("button", name="Claim").click()
    moderator.wait_for_url(re.compile(r"/console/c/"))
    expect(moderator.get_by_label("Reply to the user")).to_be_visible()


def simulator(page: Page, stack) -> Simulator:
    page.goto(f"{stack.web_url}/simulator/")
    return Simulator(page)


def ask_for_a_person(sim: Simulator) -> int:
    """Ask for a person; how many bot bubbles the answer drew. After the handoff answer comes
    the place in the queue, or outside office hours when the team is back (and the police)."""
    sim.say("I want to talk to a real person")
    handoff, _ = answer("utter_handoff", "en")
    wait, _ = answer("utter_handoff_wait", "en")
    closed, _ = answer("utter_handoff_closed", "en")
    expect(sim.chips.get_by_role("button", name="Back to the bot")).to_be_visible()
    after = sim.bot.nth(len(handoff)).inner_text()
    extra = wait if after.startswith("You are number") else closed
    expect(sim.bot).to_have_count(len(handoff) + len(extra))
    return len(handoff) + len(extra)


def test_the_whole_moderator_flow(browser, page, stack, moderators):
    moderator = console(browser, stack, "dara")
    expect(moderator.get_by_text("Live updates: on")).to_be_visible()
    sim = simulator(page, stack)
    shown = ask_for_a_person(sim)

    row = moderator.locator("#waiting-rows tr[data-ref]")
    expect(row).to_have_count(1)  # appeared live, without reloading
    expect(row).to_contain_text("user_request")
    claim_first(moderator)

    expect(moderator.locator("#transcript")).to_contain_text("I want to talk to a real person")
    moderator.get_by_label("Reply to the user").fill("Hello, this is Dara from the team.")
    moderator.get_by_role("button", name="Send", exact=True).click()
    expect(sim.bot).to_have_count(shown + 1)
    expect(sim.bot.last).to_contain_text("Hello, this is Dara from the team.")

    sim.say("thank you, my account was hacked")
    expect(moderator.locator("#transcript")).to_contain_text("my account was hacked")
    page.wait_for_timeout(1500)
    expect(sim.bot).to_have_count(shown + 1)  # the bot stayed silent

    moderator.get_by_role("button", name=re.compile("Resolve")).click()
    back, _ = answer("utter_handback", "en")
    expect(sim.bot).to_have_count(shown + 1 + len(back))
    sim.say("how do i make a strong password")
    password, _ = answer("utter_password_strong", "en")
    expect(sim.bot).to_have_count(shown + 1 + len(back) + len(password))
    expect(sim.bot.last).to_contain_text(password[-1])


def test_user_text_is_escaped_in_the_console(browser, page, stack, moderators):
    moderator = console(browser, stack, "dara")
    dialogs = []
    moderator.on("dialog", lambda dialog: (dialogs.append(dialog), dialog.dismiss()))
    sim = simulator(page, stack)
    ask_for_a_person(sim)
    sim.say('<script>alert("x")</script><img src=x onerror=alert(1)><b>bold</b>')
    row = moderator.locator("#waiting-rows tr[data-ref]")
    expect(row).to_contain_text('<script>alert("x")</script>')
    claim_first(moderator)
    expect(moderator.locator("#transcript")).to_contain_text("<b>bold</b>")
    assert moderator.locator("#transcript b, #transcript img, #transcript script").count() == 0
    assert dialogs == []


def test_human_agent_tag_after_24_hours_and_refusal_after_7_days(browser, page, stack,
                                                                 moderators):
    moderator = console(browser, stack, "dara")
    sim = simulator(page, stack)
    shown = ask_for_a_person(sim)
    claim_first(moderator)
    clock = Clock(redis.Redis.from_url(stack.redis_url), adjustable=True)
    clock.advance(25 * 3600)
    moderator.reload()
    expect(moderator.locator("#window")).to_contain_text("HUMAN_AGENT")
    moderator.get_by_label("Reply to the user").fill("Still there? Dara here.")
    moderator.get_by_role("button", name="Send", exact=True).click()
    moderator.wait_for_url(re.compile(r"/console/c/"))
    expect(sim.bot).to_have_count(shown + 1)
    sent = [r for r in requests_for(stack, "sim-user-1") if "Still there" in str(r.get("json"))]
    assert sent[-1]["json"]["tag"] == "HUMAN_AGENT"
    assert sent[-1]["json"]["messaging_type"] == "MESSAGE_TAG"
    clock.advance(7 * 86400)
    moderator.reload()
    expect(moderator.locator("#window")).to_contain_text("7 days")
    expect(moderator.get_by_role("button", name="Send", exact=True)).to_be_disabled()


def test_two_moderators_claim_at_once_and_one_wins(browser, page, stack, moderators):
    first, second = console(browser, stack, "dara"), console(browser, stack, "sokha")
    ask_for_a_person(simulator(page, stack))
    for moderator in (first, second):
        expect(moderator.locator("#waiting-rows tr[data-ref]")).to_have_count(1)
    # both forms are submitted by the pages' own timers at the same millisecond
    target = first.evaluate("Date.now() + 400")
    for moderator in (first, second):
        moderator.evaluate(SUBMIT_AT, target)
    for moderator in (first, second):
        moderator.wait_for_url(re.compile(r"/console/c/"))
        expect(moderator.locator("#transcript")).to_be_visible()
    told = [m.get_by_text("Someone else already took this conversation.").count()
            for m in (first, second)]
    owners = [m.locator("#owner").inner_text() for m in (first, second)]
    assert sorted(told) == [0, 1], (owners, [m.url for m in (first, second)])


SUBMIT_AT = """(target) => {
  const form = document.querySelector('#waiting-rows tr[data-ref] form');
  setTimeout(() => form.submit(), Math.max(0, target - Date.now()));
}"""


def requests_for(stack, user):
    import requests

    return requests.get(f"{stack.graph_url}/_standin/requests",
                        params={"recipient": user, "since": 0}, timeout=10).json()["requests"]
