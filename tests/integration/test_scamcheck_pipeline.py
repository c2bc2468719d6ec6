"""The scam check through the whole stack: webhook, workers, Rasa, /nlg, the Graph stand-in."""

import time
import uuid

import pytest
import redis
import requests

from tests.integration.test_conversations import expected_text
from tests.screenshots import KHMER_SCAM, chat_screenshot
from webhook import keys
from webhook.scamcheck.conversation import CHECK_MESSAGE, CHECK_PICTURE
from webhook.simulator import payloads


def upload(stack, data: bytes, content_type: str = "image/png") -> str:
    answer = requests.post(f"{stack.graph_url}/_standin/attachments", data=data,
                           headers={"Content-Type": content_type}, timeout=10)
    answer.raise_for_status()
    return answer.json()["url"]


def ask_to_check(fb, user):
    fb.deliver(payloads.postback(user, "Check a message", CHECK_MESSAGE))
    [ask] = fb.wait_for(user, 1)
    assert ask["message"]["text"].startswith(("Send me the message", "សូមផ្ញើសារ"))


def test_the_next_message_after_check_a_message_is_checked(fb, db):
    user = fb.new_user()
    ask_to_check(fb, user)
    fb.deliver(payloads.text(user, "Hello from ABA Bank, please send me the OTP code 482913 "
                                   "you just received"))
    sent = fb.wait_for(user, 5)
    texts = fb.texts(user)[1:]
    assert texts[0].startswith("⚠️ Please never send codes")  # the code was masked: it says so
    assert texts[1] == "⚠️ This has clear signs of a scam."
    assert any("«send me the OTP" in text for text in texts)
    payloads_ = [q["payload"] for q in sent[-1]["message"]["quick_replies"]]
    assert payloads_[:3] == ["/scam_victim", "/scam_report", "/request_human"]
    stored = [item for item in db.lrange(keys.transcript(user), 0, -1) if "482913" in item]
    assert stored == []  # the code was masked before anything was stored


def test_a_quoted_message_understood_as_scam_check_is_checked_at_once(fb):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "Is this a scam? I got this: ACLEDA: your account is "
                                   "suspended, verify now at acleda-bank-kh.com"))
    fb.wait_for(user, 3)
    texts = fb.texts(user)
    assert texts[0] == "⚠️ This has clear signs of a scam.", texts
    assert any("acleda-bank-kh.com" in text for text in texts)


def test_a_picture_with_no_context_is_offered_then_read(fb, stack):
    user = fb.new_user()
    url = upload(stack, chat_screenshot(KHMER_SCAM))
    fb.deliver(payloads.attachment(user, "image", url=url))
    [offer] = fb.wait_for(user, 1)
    assert offer["message"]["text"].startswith("តើអ្នកចង់ឱ្យខ្ញុំពិនិត្យរូបភាព") or \
        offer["message"]["text"].startswith("Do you want me to check")
    fb.deliver(payloads.quick_reply(user, "Yes, check it", CHECK_PICTURE))
    fb.wait_for(user, 5, timeout=60)
    texts = fb.texts(user)
    assert any("សញ្ញាច្បាស់" in text or "clear signs" in text for text in texts), texts
    assert any("ababank-verify.top" in text for text in texts)


def same_shard_user(first: str) -> str:
    while True:
        other = f"psid-{uuid.uuid4().hex[:12]}"
        if keys.shard_of(other, 8) == keys.shard_of(first, 8):
            return other


def test_reading_a_picture_does_not_hold_up_other_users(fb, stack):
    reader = fb.new_user()
    other = same_shard_user(reader)  # same shard: the same worker handles both in order
    ask_to_check(fb, reader)
    url = upload(stack, chat_screenshot(KHMER_SCAM * 3))
    fb.deliver(payloads.attachment(reader, "image", url=url))
    fb.wait_for(reader, 2)  # "Reading your picture…"
    fb.deliver(payloads.text(other, "hello"))
    fb.wait_for(other, 1)
    answered_other = time.monotonic()
    fb.wait_for(reader, 4, timeout=60)
    answered_reader = time.monotonic()
    assert answered_other < answered_reader


@pytest.mark.parametrize(("data", "content_type"), [
    (b"%PDF-1.4 not a picture", "image/png"),
    (b"\x89PNG\r\n\x1a\n broken", "image/png"),
])
def test_an_unreadable_picture_gets_a_clear_answer(fb, stack, data, content_type):
    user = fb.new_user()
    ask_to_check(fb, user)
    fb.deliver(payloads.attachment(user, "image", url=upload(stack, data, content_type)))
    fb.wait_for(user, 3, timeout=30)
    assert fb.texts(user)[-1] == expected_text("utter_scamcheck_unreadable", "km")


def test_a_file_that_is_not_a_picture_gets_a_clear_answer(fb):
    user = fb.new_user()
    ask_to_check(fb, user)
    fb.deliver(payloads.attachment(user, "file"))
    fb.wait_for(user, 2)
    assert fb.texts(user)[-1] == expected_text("utter_scamcheck_not_image", "km")


def test_a_long_message_with_fifty_links_is_answered(fb):
    user = fb.new_user()
    ask_to_check(fb, user)
    links = " ".join(f"http://site{i}.top/login" for i in range(50))
    fb.deliver(payloads.text(user, (links + " " + "x" * 2000)[:2000]))
    fb.wait_for(user, 3)
    texts = fb.texts(user)
    assert texts[1] == expected_text("utter_scamcheck_too_long", "km")
    assert texts[2] in (expected_text("utter_scamcheck_verdict_some", "km"),
                        expected_text("utter_scamcheck_verdict_strong", "km"))


def test_an_alert_staff_add_is_named_in_the_next_check(fb, stack):
    from webhook.scamcheck.alerts import Alert
    from webhook.scamcheck.library import AlertLibrary

    client = redis.Redis.from_url(stack.redis_url)
    AlertLibrary(client).alerts()  # seeded first, as the console does on first use
    AlertLibrary(client).save(Alert(
        id="fake-smart-topup",
        title={"en": "the fake Smart top-up gift", "km": "កាដូ Smart ក្លែងក្លាយ"},
        links=("smart-topup-gift.top",), signs=("prize",),
        answer={"en": "Smart sends no such gift.", "km": "Smart មិនផ្ញើកាដូបែបនេះទេ។"}), "test")
    user = fb.new_user()
    ask_to_check(fb, user)
    fb.deliver(payloads.text(user, "Hello, get your free gift at smart-topup-gift.top now"))
    fb.wait_for(user, 4)
    assert any("This looks like the fake Smart top-up gift: Smart sends no such gift." in text
               for text in fb.texts(user)), fb.texts(user)
