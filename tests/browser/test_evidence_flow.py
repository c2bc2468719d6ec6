"""Evidence in real Chromium: after asking for a person the user sends a photo and a voice note
from disk in the simulator; the moderator sees the thumbnail (live) and the audio player, keeps
the photo, downloads the case bundle (hashes checked) and resolves; the user's deletion then
leaves no file on disk. Twice: an English moderator at a desk, and a moderator working in Khmer
on a 360-pixel phone (their account's language)."""

import hashlib
import io
import json
import re
import zipfile

import pytest
import redis
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, ensure_accounts, sign_in
from tests.browser.test_console_flow import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    ask_for_a_person,
    clean,
    simulator,
)
from tests.browser.test_console_phone import FITS, PHONE_360
from tests.browser.test_simulator_page import answer
from tests.evidence_files import photo_with_location, voice_note
from webhook import keys
from webhook.console import accounts
from webhook.console.i18n import TRANSLATIONS

with (TRANSLATIONS / "km" / "LC_MESSAGES" / "messages.po").open("rb") as po:
    KHMER = read_po(po)


def words(language):
    """The console's words in `language`: its catalogue's Khmer, or the English msgid."""
    if language == "en":
        return lambda msgid: msgid
    return lambda msgid: KHMER[msgid].string


def moderator_page(browser, stack, language, viewport):
    """A moderator of their own whose account is set to `language`, signed in."""
    name = f"evidence-{language}"
    ensure_accounts(stack, PASSWORD, [(name, "moderator")])
    accounts.set_language(redis.Redis.from_url(stack.redis_url), name, language)
    phone = viewport["width"] < 400
    context = browser.new_context(viewport=viewport, locale="en-US", has_touch=phone,
                                  is_mobile=phone)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, stack.web_url, name, PASSWORD, "/console/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


@pytest.mark.parametrize("language, viewport", [("en", DESKTOP), ("km", PHONE_360)],
                         ids=["english-desktop", "khmer-phone-360"])
def test_photo_and_voice_note_reach_the_moderator_then_deletion_leaves_no_file(
        browser, page, stack, tmp_path, language, viewport):
    _ = words(language)
    moderator = moderator_page(browser, stack, language, viewport)
    sim = simulator(page, stack)
    ask_for_a_person(sim)
    moderator.locator("#waiting-rows tr[data-ref]").get_by_role("button", name=_("Claim")).click()
    moderator.wait_for_url(re.compile(r"/console/c/"))
    expect(moderator.get_by_label(_("Reply to the user"))).to_be_visible()
    (tmp_path / "photo.jpg").write_bytes(photo_with_location())
    (tmp_path / "voice.wav").write_bytes(voice_note())
    page.locator("#photo-file").set_input_files(str(tmp_path / "photo.jpg"))
    page.locator("#voice-file").set_input_files(str(tmp_path / "voice.wav"))

    thumb = moderator.locator("#transcript img.evidence-thumb")
    expect(thumb).to_have_count(1)  # drawn live, without reloading
    expect(moderator.locator("#transcript audio.evidence-audio")).to_have_count(1)
    moderator.wait_for_function(
        "() => document.querySelector('#transcript img.evidence-thumb').naturalWidth > 0")

    moderator.reload()
    photo_row = moderator.locator("#evidence-list li").filter(
        has=moderator.locator("img.evidence-thumb"))
    photo_row.get_by_role("button", name=_("Keep as evidence")).click()
    expect(moderator.locator("#evidence-list li").filter(has=moderator.locator(
        "img.evidence-thumb"))).to_contain_text(_("Release (kept as evidence)"))
    if viewport["width"] < 400:
        assert moderator.evaluate(FITS)
    with moderator.expect_download() as download:
        moderator.locator("#download-bundle").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(f["kind"] for f in manifest["files"]) == ["audio", "image"]
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["file"])).hexdigest() == item["sha256"]
    photo = next(f for f in manifest["files"] if f["kind"] == "image")
    assert photo["kept"] and archive.read(photo["file"]) == photo_with_location()
    ids = [f["id"] for f in manifest["files"]]
    assert set(ids) <= {p.name for p in stack.evidence_dir.iterdir()}

    moderator.get_by_role("button", name=_("Resolve: back to the bot")).click()
    moderator.wait_for_url(re.compile(r"/console/$"))
    sim.say("please delete all my data")
    _, titles = answer("utter_delete_my_data_confirm", "en")
    sim.chip(titles[0]).click()
    done, _ = answer("utter_data_deleted", "en")
    expect(sim.bot.filter(has_text=done[-1])).to_have_count(1)
    left = {p.name for p in stack.evidence_dir.iterdir()}
    assert not any(name.split(".")[0] in ids for name in left)
    client = redis.Redis.from_url(stack.redis_url)
    assert not list(client.scan_iter(keys.evidence("sim-user-*")))
