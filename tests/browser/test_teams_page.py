"""The Teams page in Chromium: an admin on a 360-pixel phone puts a moderator in a team; the
moderator's queue then names that team, and the page shows who is in it."""

import re

import redis
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, ensure_accounts, sign_in
from tests.browser.test_console_flow import PASSWORD, console, moderators  # noqa: F401
from tests.browser.test_console_phone import FITS, PHONE_360, tall_enough
from webhook.routing import teams

ADMIN = "teams-admin"


def test_an_admin_on_a_phone_puts_a_moderator_in_a_team(browser, stack, moderators):  # noqa: F811
    ensure_accounts(stack, PASSWORD, [(ADMIN, "admin")])
    client = redis.Redis.from_url(stack.redis_url)
    teams.set_teams(client, "sokha", [])
    context = browser.new_context(viewport=PHONE_360, locale="en-US", has_touch=True,
                                  is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    sign_in(phone, stack.web_url, ADMIN, PASSWORD, "/console/teams/")
    expect(phone.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    assert phone.evaluate(FITS)
    person = phone.locator('#people li[data-user="sokha"]')
    person.get_by_label("Gender-based violence").check()
    save = person.get_by_role("button", name="Save")
    tall_enough(save)
    save.tap()
    expect(phone.get_by_text("Teams of sokha saved.")).to_be_visible()
    expect(phone.locator('#teams tr[data-team="gbv"] .members')).to_contain_text("Sokha")
    expect(phone.locator('#people li[data-user="sokha"]').get_by_label(
        "Gender-based violence")).to_be_checked()
    assert teams.teams_of(client, "sokha") == ["gbv"]
    context.close()

    moderator = console(browser, stack, "sokha")
    expect(moderator.get_by_text(re.compile("Your teams: Gender-based violence"))).to_be_visible()
    moderator.get_by_role("link", name="Teams", exact=True).click()
    expect(moderator.locator("#rules")).to_contain_text("the topic is online_harassment")
    expect(moderator.locator("#people input[type=checkbox]")).to_have_count(0)
    teams.set_teams(client, "sokha", [])
