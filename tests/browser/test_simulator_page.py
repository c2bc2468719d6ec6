"""The Messenger simulator in a real browser: what a developer sees at /simulator/.

Each message goes from the page through the signed webhook, Redis, a worker, Rasa and /nlg
to the Graph API stand-in, and back to the page by polling. Expected answers come from
responses/, the same source the bot uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import redis
from playwright.sync_api import CDPSession, Locator, Page, expect

from bot.project import RESPONSES
from webhook.content.loader import load_responses, load_settings
from webhook.content.render import BUBBLE_SEPARATOR, to_nlg_reply

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".build" / "browser-screenshots"
KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
SIMULATED_USERS = ("sim-user-1", "sim-user-2", "sim-user-3")


def answer(name: str, language: str) -> tuple[list[str], list[str]]:
    """The bubbles and quick-reply titles of an answer, as responses/ has them."""
    reply = to_nlg_reply(load_responses(RESPONSES)[name], language, load_settings(RESPONSES))
    titles = [b["title"] for b in reply.get("buttons", []) if b["type"] == "quick_reply"]
    return reply["text"].split(BUBBLE_SEPARATOR), titles


class Simulator:
    """The simulator page, found by roles and labels where the page gives them."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.user = page.get_by_label("Simulated user")
        self.message = page.get_by_role("textbox", name="Message")
        self.send_button = page.get_by_role("button", name="Send", exact=True)
        self.thread = page.get_by_role("region", name="Conversation")
        # The chip box has an aria-label but no role, so get_by_label is the nearest thing.
        self.chips = page.get_by_label("Quick replies")
        # Bubbles have no role or label telling the user's from the bot's: CSS classes only.
        self.bot = self.thread.locator(".bubble.bot")
        self.mine = self.thread.locator(".bubble.user")

    def say(self, text: str, press_enter: bool = False) -> None:
        self.message.fill(text)
        if press_enter:
            self.message.press("Enter")
        else:
            self.send_button.click()
        expect(self.message).to_have_value("")

    def chip(self, title: str) -> Locator:
        return self.chips.get_by_role("button", name=title, exact=True)

    def switch_to(self, user: str) -> None:
        self.user.select_option(user)
        expect(self.user).to_have_value(user)

    def expect_answer(self, bubbles: list[str], titles: list[str], before: int = 0) -> None:
        """Wait until the whole answer is drawn: its bubbles after `before` others, then chips.

        Chips are drawn only for the last bubble, so seeing them means the answer is complete.
        """
        expect(self.bot).to_have_count(before + len(bubbles))
        for index, bubble in enumerate(bubbles):
            expect(self.bot.nth(before + index)).to_contain_text(bubble)
        expect(self.chips.get_by_role("button")).to_have_text(titles)
        # Not checked: that the typing indicator is gone. The worker sends typing_on from a
        # thread, so for a quick answer (a voice note) it can reach the Graph API after the
        # answer, and the page then shows "typing" for 20 s after it (as Messenger would).


@pytest.fixture(autouse=True)
def fresh_simulated_users(browser, stack):  # browser first: no Chromium fails at once
    """The simulator has three fixed users: forget what earlier tests told the bot about them
    (conversation state, language, transcript, Rasa tracker), so each test starts anew."""
    client = redis.Redis.from_url(stack.redis_url)
    for key in list(client.scan_iter(match="*sim-user-*")):
        client.delete(key)
    yield
    client.close()


@pytest.fixture
def sim(page: Page, stack) -> Simulator:
    page.goto(f"{stack.web_url}/simulator/")
    simulator = Simulator(page)
    expect(simulator.user).to_have_value(SIMULATED_USERS[0])
    expect(simulator.bot).to_have_count(0)
    return simulator


def test_hello_gets_the_greeting_bubbles_and_quick_replies(sim):
    sim.say("hello")
    expect(sim.mine).to_have_text(["hello"])
    bubbles, titles = answer("utter_greet", "en")
    sim.expect_answer(bubbles, titles)
    expect(sim.chip("Passwords")).to_be_visible()


def test_tapping_the_passwords_quick_reply_shows_the_password_answer(sim):
    sim.say("hello")
    greeting, greeting_titles = answer("utter_greet", "en")
    sim.expect_answer(greeting, greeting_titles)
    sim.chip("Passwords").click()
    expect(sim.mine).to_have_text(["hello", "Passwords"])
    bubbles, titles = answer("utter_password_strong", "en")
    sim.expect_answer(bubbles, titles, before=len(greeting))


def test_khmer_is_answered_in_khmer_and_rendered_with_a_khmer_font(sim, page):
    sim.say("សួស្តី", press_enter=True)
    expect(sim.mine).to_have_text(["សួស្តី"])
    bubbles, titles = answer("utter_greet", "km")
    sim.expect_answer(bubbles, titles)
    expect(sim.bot.first).to_have_text(KHMER)
    expect(sim.bot.first).to_have_attribute("lang", "km")
    expect(sim.chips.get_by_role("button").first).to_have_text(KHMER)
    # What Chromium really drew the Khmer with: a Khmer font, not boxes ("tofu")
    fonts = rendered_fonts(page.context.new_cdp_session(page), ".bubble.bot")
    assert any("khmer" in family.lower() for family in fonts), fonts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "simulator-khmer.png"))


def test_markup_from_the_user_is_shown_as_text_and_never_run(sim, page):
    dialogs: list[str] = []

    def record(dialog) -> None:  # noqa: ANN001
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    markup = "<script>alert(1)</script><b>bold</b>"
    sim.say(markup)
    expect(sim.mine).to_have_text([markup])
    expect(sim.bot.first).to_be_visible()  # the bot answered: the round trip is complete
    expect(sim.chips.get_by_role("button").first).to_be_visible()
    expect(sim.thread.locator("b")).to_have_count(0)
    expect(sim.thread.locator("script")).to_have_count(0)
    assert page.evaluate("() => document.querySelectorAll('b').length") == 0
    assert dialogs == []


def test_each_simulated_user_keeps_a_separate_history(sim):
    english, english_titles = answer("utter_greet", "en")
    khmer, khmer_titles = answer("utter_greet", "km")
    sim.say("hello")
    sim.expect_answer(english, english_titles)

    sim.switch_to(SIMULATED_USERS[1])
    expect(sim.mine).to_have_count(0)
    expect(sim.bot).to_have_count(0)
    sim.say("សួស្តី")
    expect(sim.mine).to_have_text(["សួស្តី"])
    sim.expect_answer(khmer, khmer_titles)

    sim.switch_to(SIMULATED_USERS[0])
    expect(sim.mine).to_have_text(["hello"])
    sim.expect_answer(english, english_titles)

    sim.switch_to(SIMULATED_USERS[1])
    expect(sim.mine).to_have_text(["សួស្តី"])
    sim.expect_answer(khmer, khmer_titles)

    sim.switch_to(SIMULATED_USERS[2])
    expect(sim.mine).to_have_count(0)
    expect(sim.bot).to_have_count(0)


def test_a_voice_note_gets_the_cannot_listen_answer(sim, page):
    greeting, greeting_titles = answer("utter_greet", "en")
    sim.say("hello")  # so the bot knows the user writes English
    sim.expect_answer(greeting, greeting_titles)
    page.get_by_role("button", name="Voice").click()
    expect(sim.mine).to_have_text(["hello", "🎤 Voice message"])
    bubbles, titles = answer("utter_voice_note", "en")
    assert "can't listen to voice messages" in bubbles[0]
    sim.expect_answer(bubbles, titles, before=len(greeting))


def rendered_fonts(cdp: CDPSession, selector: str) -> list[str]:
    """The font families Chromium used to draw the text of the first `selector` element."""
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [font["familyName"] for font in fonts]
