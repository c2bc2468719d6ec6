"""Evidence in real Chromium: after asking for a person the user sends a photo and a voice note
from disk in the simulator; the moderator sees the thumbnail (live) and the audio player, keeps
the photo, downloads the case bundle (hashes checked) and resolves; the user's deletion then
leaves no file on disk."""

import hashlib
import io
import json
import re
import zipfile

import redis
from playwright.sync_api import expect

from tests.browser.test_console_flow import (  # noqa: F401 - fixtures used by name
    ask_for_a_person,
    claim_first,
    clean,
    console,
    moderators,
    simulator,
)
from tests.browser.test_simulator_page import answer
from tests.evidence_files import photo_with_location, voice_note
from webhook import keys


def test_photo_and_voice_note_reach_the_moderator_then_deletion_leaves_no_file(
        browser, page, stack, moderators, tmp_path):  # noqa: F811
    moderator = console(browser, stack, "dara")
    sim = simulator(page, stack)
    ask_for_a_person(sim)
    claim_first(moderator)
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
    photo_row.get_by_role("button", name="Keep as evidence").click()
    expect(moderator.locator("#evidence-list li").filter(
        has=moderator.locator("img.evidence-thumb"))).to_contain_text("Release (kept as evidence)")
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

    moderator.get_by_role("button", name=re.compile("Resolve")).click()
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
