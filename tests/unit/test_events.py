"""Messenger payloads (tests/fixtures/messenger/, one per event kind) become flat events."""

import json
from pathlib import Path

import pytest

from webhook.messenger.events import PayloadError, dedup_key, parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "messenger"
USER = "7000000000000001"


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text", {"kind": "text", "text": "is this link a scam?", "mid": "m_text_1"}),
        ("khmer_text", {"kind": "text", "text": "ខ្ញុំត្រូវគេបោកលុយ តាម facebook"}),
        ("quick_reply", {"kind": "quick_reply", "payload": "/scam_victim", "text": "Lost money"}),
        ("postback", {"kind": "postback", "payload": "/help", "mid": "m_pb_1"}),
        ("get_started", {"kind": "postback", "payload": "GET_STARTED", "mid": ""}),
        ("image", {"kind": "attachment", "attachments": ["image"]}),
        ("sticker", {"kind": "attachment", "attachments": ["sticker"],
                     "sticker_id": "369239263222822"}),
        ("audio", {"kind": "attachment", "attachments": ["audio"]}),
        ("location", {"kind": "attachment", "attachments": ["location"]}),
        ("file", {"kind": "attachment", "attachments": ["file"]}),
        ("echo_own", {"kind": "echo", "app_id": "1517776481860111", "psid": USER}),
        ("echo_page_inbox", {"kind": "echo", "app_id": "263902037430900", "psid": USER}),
        ("read", {"kind": "read", "watermark": 1764399999000}),
        ("delivery", {"kind": "delivery"}),
        ("standby", {"kind": "text", "standby": True}),
        ("unknown", {"kind": "unknown", "fields": ["optin"]}),
        ("referral_link", {"kind": "referral", "referral": {
            "ref": "scam-check", "source": "SHORTLINK", "ad_id": ""}}),
        ("referral_ad", {"kind": "referral", "referral": {
            "ref": "harassment-ad", "source": "ADS", "ad_id": "120210000000000001"}}),
        ("get_started_referral", {"kind": "postback", "payload": "GET_STARTED", "referral": {
            "ref": "scam-check", "source": "SHORTLINK", "ad_id": ""}}),
        ("reaction", {"kind": "reaction", "target_mid": "m_out_1", "reaction": "love",
                      "action": "react"}),
        ("unreaction", {"kind": "reaction", "target_mid": "m_out_1", "action": "unreact"}),
        ("message_edit", {"kind": "edit", "target_mid": "m_text_1", "num_edit": 1,
                          "text": "is this link a scam? bit.ly/abc"}),
        ("shared_link", {"kind": "attachment", "attachments": ["fallback"], "shared": [
            {"url": "https://acleda-verify.example/login",
             "title": "ACLEDA Bank - verify your account"}]}),
        ("shared_post", {"kind": "attachment", "attachments": ["template"], "shared": [
            {"url": "https://www.facebook.com/permalink.php?story_fbid=1",
             "title": "Win an iPhone 17! Claim now"},
            {"url": "https://prize-claim.example/kh", "title": "Win an iPhone 17! Claim now"}]}),
        ("sticker_type", {"kind": "attachment", "attachments": ["sticker"],
                          "sticker_id": "369239263222822"}),
    ],
)
def test_each_event_kind(name, expected):
    [event] = parse(fixture(name))
    assert event["psid"] == USER
    assert {key: event[key] for key in expected} == expected


def test_a_batch_yields_every_event_of_every_entry_in_time_order():
    events = parse(fixture("batch"))
    assert [e.get("mid") for e in events] == ["m_b_1", "m_b_2", "m_b_3", "m_b_4"]
    assert events[3]["standby"] is True


def test_only_attachment_addresses_are_kept_for_the_scam_check_and_evidence():
    [event] = parse(fixture("image"))
    url = event.pop("image_url")
    assert event.pop("attachment_urls") == [["image", url]]
    assert url.startswith("https://") and "url" not in json.dumps(event)


@pytest.mark.parametrize(
    "body",
    [None, [], "x", {}, {"object": "user", "entry": []}, {"object": "page", "entry": "x"},
     {"object": "page", "entry": [{"messaging": "x"}]},
     {"object": "page", "entry": [{"messaging": ["x"]}]},
     {"object": "page", "entry": [{"messaging": [{"sender": {}, "recipient": {"id": "1"}}]}]}],
)
def test_non_messenger_bodies_are_refused(body):
    with pytest.raises(PayloadError):
        parse(body)


def test_dedup_keys():
    [text] = parse(fixture("text"))
    [get_started] = parse(fixture("get_started"))
    [read] = parse(fixture("read"))
    assert dedup_key(text) == "m_text_1"
    assert dedup_key(get_started).startswith(f"pb:{USER}:")
    assert dedup_key(read) == ""
