"""The console on a 360-pixel-wide phone: the queue, a conversation and the reply box fit the
screen with no sideways scrolling, and their buttons are large enough to tap."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, sign_in
from tests.browser.test_console_flow import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    ask_for_a_person,
    clean,
    moderators,
    simulator,
)

PHONE_360 = {"width": 360, "height": 740}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def tall_enough(locator, pixels=44):
    box = locator.bounding_box()
    assert box is not None and box["height"] >= pixels and box["x"] + box["width"] <= 360, box


def test_queue_conversation_and_reply_box_on_a_360_pixel_phone(browser, page, stack,
                                                               moderators):  # noqa: F811
    context = browser.new_context(viewport=PHONE_360, locale="en-US", has_touch=True,
                                  is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    sign_in(phone, stack.web_url, "dara", PASSWORD, "/console/")
    sim = simulator(page, stack)
    ask_for_a_person(sim)
    claim = phone.locator("#waiting-rows tr[data-ref]").get_by_role("button", name="Claim")
    expect(claim).to_be_visible()
    assert phone.evaluate(FITS)
    tall_enough(claim)
    claim.tap()
    phone.wait_for_url(re.compile(r"/console/c/"))
    box = phone.get_by_label("Reply to the user")
    expect(box).to_be_visible()
    assert phone.evaluate(FITS)
    send = phone.get_by_role("button", name="Send", exact=True)
    tall_enough(send)
    tall_enough(phone.get_by_role("button", name=re.compile("Resolve")))
    box.fill("Hello from a phone")
    send.tap()
    expect(sim.bot.last).to_contain_text("Hello from a phone")
    context.close()
