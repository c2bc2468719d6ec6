"""The insights pages in real Chromium: an editor reads the analytics (SVG charts drawn under
the console's Content-Security-Policy) and assigns a group of unanswered questions to an
intent, which then waits for retraining. Nothing is exported: nlu_data/ stays untouched."""

import secrets
import time

import pytest
import redis
from playwright.sync_api import Browser, expect

from tests.browser.conftest import desktop_page, sign_in
from webhook.console.accounts import create_account
from webhook.insights import examples, stats, unanswered

PASSWORD = "editors need long passwords too"


@pytest.fixture(scope="module")
def client(stack):
    return redis.Redis.from_url(stack.redis_url)


@pytest.fixture(scope="module")
def editor(client):
    if not client.exists("hl:account:insights-editor"):
        create_account(client, "insights-editor", "Sophea", "editor", PASSWORD)
    return "insights-editor"


@pytest.fixture
def seeded(client):
    """Today's counters and two near-identical unanswered questions with a unique word."""
    now, word = time.time(), f"lottery{secrets.token_hex(3)}"
    stats.record_message(client, "psid-insights-browser", now)
    stats.record_turn(client, "scam_check", "en", now)
    texts = [f"is the ABA {word} prize message real", f"Is the ABA {word} prize message real??"]
    for text in texts:
        unanswered.record(client, text, "fallback", now, 86400)
    yield word
    ours = [e for e in examples.all_examples(client, time.time(), 86400) if word in e.text]
    examples.forget(client, ours)
    unanswered.remove(client, [q for q in unanswered.recent(client, 2, time.time(), 5000)
                               if word in q.text])


def signed_in(browser: Browser, stack, username: str, path: str):
    page = desktop_page(browser)
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, stack.web_url, username, PASSWORD, f"/console/login?next={path}")
    return page, refused


def test_an_editor_reads_the_charts_and_assigns_a_group(browser, stack, editor, seeded):
    page, refused = signed_in(browser, stack, editor, "/console/insights/?days=7")
    expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    conversations = page.locator("#chart-conversations svg")
    expect(conversations).to_be_visible()
    assert conversations.bounding_box()["height"] > 50, "the chart is drawn at its size"
    expect(page.locator("#chart-intents svg rect.bar").first).to_be_visible()
    expect(page.locator("#chart-intents")).to_contain_text("scam_check")
    fill = page.locator("#chart-messages rect.bar").last.evaluate(
        "bar => getComputedStyle(bar).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)"), "the stylesheet colours the bars"

    page.get_by_role("link", name="Unanswered").first.click()
    expect(page.get_by_role("heading", name="Unanswered questions")).to_be_visible()
    group = page.locator("form.group", has_text=seeded)
    expect(group).to_have_count(1)
    expect(group.get_by_role("heading")).to_contain_text("2 messages")
    group.get_by_label("Should have been understood as").select_option("scam_check")
    group.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("status")).to_contain_text("assigned to scam_check")
    expect(page.locator("form.group", has_text=seeded)).to_have_count(0)
    waiting = page.locator("#waiting tr.pending", has_text=seeded)
    expect(waiting.first).to_contain_text("not exported yet")
    assert refused == [], refused
