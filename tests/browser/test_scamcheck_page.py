"""The scam check in a real browser: a Khmer scam screenshot sent from disk in the simulator
is read (Tesseract), checked, and answered with the verdict and the signs it found."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_simulator_page import (  # noqa: F401 - fixtures used by name
    Simulator,
    answer,
    fresh_simulated_users,
    sim,
)
from tests.screenshots import KHMER_SCAM, chat_screenshot

OCR_TIMEOUT_MS = 60_000


def test_a_khmer_scam_screenshot_gets_the_verdict_and_its_signs(
        sim: Simulator, page: Page, tmp_path):  # noqa: F811 - `sim` is the imported fixture
    shot = tmp_path / "scam.png"
    shot.write_bytes(chat_screenshot(KHMER_SCAM))
    page.locator("#photo-file").set_input_files(str(shot))
    expect(sim.mine).to_have_text(["📷 Photo"])
    offer, titles = answer("utter_scamcheck_picture_offer", "km")
    sim.expect_answer(offer, titles)
    sim.chip(titles[0]).click()
    verdict, _ = answer("utter_scamcheck_verdict_strong", "km")
    expect(sim.bot.filter(has_text=verdict[0])).to_have_count(1, timeout=OCR_TIMEOUT_MS)
    expect(sim.bot.filter(has_text="ababank-verify.top")).to_have_count(1)
    heading, _ = answer("utter_scamcheck_signs_heading", "km")
    expect(sim.bot.filter(has_text=heading[0])).to_have_count(1)
