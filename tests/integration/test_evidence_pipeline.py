"""Evidence through the running stack: what a queued user sends is fetched by a worker into
the evidence store; bad files are noted for the moderator; deletion leaves no file on disk."""

import json
import time

import requests

from tests.evidence_files import photo_with_location, voice_note
from tests.integration.test_messenger_pipeline import bubbles, wait_until
from tests.screenshots import KHMER_SCAM, chat_screenshot
from webhook import keys
from webhook.scamcheck.conversation import CHECK_PICTURE
from webhook.simulator import payloads


def served(stack, data, content_type):
    """The Graph stand-in keeps the file and serves it as Facebook's CDN would."""
    answer = requests.post(f"{stack.graph_url}/_standin/attachments", data=data,
                           headers={"Content-Type": content_type}, timeout=30)
    return answer.json()["url"]


def records(db, user):
    return [json.loads(v) for v in db.hvals(keys.evidence(user))]


def notes(db, user):
    entries = [json.loads(e) for e in db.lrange(keys.transcript(user), 0, -1)]
    return [e["text"] for e in entries if e["role"] == "system"]


def test_queued_users_files_are_kept_bad_ones_noted_and_deletion_leaves_nothing(fb, db, stack):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "I want to talk to a real person"))
    wait_until(lambda: db.hget(keys.conversation(user), "owner") == "queued")
    photo = payloads.attachment(user, "image", url=served(stack, photo_with_location(),
                                                          "image/jpeg"))
    voice = payloads.attachment(user, "audio", url=served(stack, voice_note(), "audio/mp4"))
    video = payloads.attachment(user, "video", url=served(stack, b"\0" * 25 * 2**20,
                                                          "video/mp4"))
    fake = payloads.attachment(user, "image", url=served(stack, b"<html>x</html>", "image/png"))
    fb.deliver(photo, voice, video, fake)
    wait_until(lambda: len(records(db, user)) == 2 and len(notes(db, user)) == 2, timeout=40)
    kept = {r["kind"]: r for r in records(db, user)}
    assert kept["image"]["mime"] == "image/jpeg" and kept["image"]["thumb"]
    assert kept["audio"]["mime"].startswith("audio/")
    assert kept["image"]["mid"] == photo["message"]["mid"]
    files = {p.name for p in stack.evidence_dir.iterdir()}
    assert {kept["image"]["id"], kept["audio"]["id"]} <= files
    assert not any(user in name for name in files)
    assert any("too large" in n for n in notes(db, user))
    kind_words = bubbles("utter_evidence_too_large") + bubbles("utter_evidence_not_received")
    wait_until(lambda: [t for t in fb.texts(user) if t in kind_words])
    time.sleep(1)
    assert len([t for t in fb.texts(user) if t in kind_words]) == 1  # two refused: told once
    fb.deliver(payloads.text(user, "did you get my photo?"))  # the conversation goes on
    wait_until(lambda: "did you get my photo?" in db.lrange(keys.transcript(user), -1, -1)[0])

    db.hset(keys.conversation(user), "owner", "bot")  # the case was resolved
    before = len(fb.sent_messages(user))
    fb.deliver(payloads.text(user, "please delete all my data"))
    confirm = before + len(bubbles("utter_delete_my_data_confirm"))
    fb.wait_for(user, confirm)
    fb.deliver(payloads.quick_reply(user, "Yes, delete", "/affirm"))
    fb.wait_for(user, confirm + len(bubbles("utter_data_deleted")))
    wait_until(lambda: not [k for k in db.scan_iter(f"*{user}*")])
    left = {p.name for p in stack.evidence_dir.iterdir()}
    assert not {kept["image"]["id"], kept["image"]["id"] + ".thumb.jpg",
                kept["audio"]["id"]} & left


def test_a_scam_checks_picture_that_leads_to_a_person_is_kept(fb, db, stack):
    user = fb.new_user()
    shot = chat_screenshot(KHMER_SCAM)
    fb.deliver(payloads.attachment(user, "image", url=served(stack, shot, "image/png")))
    fb.wait_for(user, 1)  # "Do you want me to check this picture?"
    fb.deliver(payloads.quick_reply(user, "Yes, check it", CHECK_PICTURE))
    fb.wait_for(user, 2)  # "Reading your picture…"
    fb.deliver(payloads.quick_reply(user, "Talk to a person", "/request_human"))
    wait_until(lambda: db.hget(keys.conversation(user), "owner") == "queued")
    wait_until(lambda: len(records(db, user)) == 1, timeout=30)
    [picture] = records(db, user)
    assert picture["mime"] == "image/png" and picture["size"] == len(shot)
    assert not db.exists(keys.scamcheck_checked_image(user))  # taken once, not kept around
