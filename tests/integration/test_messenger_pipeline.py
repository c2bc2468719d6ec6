"""From a signed webhook POST to the Send API call, through Redis, the workers and Rasa."""

import json
import time

import pytest
import requests

from tests.integration.test_conversations import expected_text
from webhook import keys
from webhook.simulator import payloads


def bubbles(name: str, language: str = "en") -> list[str]:
    return expected_text(name, language).split("\n\n")


def transcript(db, psid):
    return [json.loads(item) for item in db.lrange(keys.transcript(psid), 0, -1)]


def wait_until(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_text_is_answered_with_typing_first_and_appsecret_proof(fb):
    user = fb.new_user()
    assert fb.deliver(payloads.text(user, "is this message a scam")).status_code == 200
    expected = bubbles("utter_scam_check")
    sent = fb.wait_for(user, len(expected))
    assert [m["message"].get("text") for m in sent] == expected
    assert all(m["messaging_type"] == "RESPONSE" and "tag" not in m for m in sent)
    calls = fb.graph_requests(user)
    assert calls[0]["json"] == {"recipient": {"id": user}, "sender_action": "typing_on"}
    assert all(call["proof_valid"] and call["has_token"] for call in calls)
    assert [q["payload"] for q in sent[-1]["message"]["quick_replies"]][-1] == "/help"


def test_khmer_is_answered_in_khmer_and_recorded_in_the_transcript(fb, db):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "ខ្ញុំត្រូវគេបោកលុយហើយ"))
    expected = bubbles("utter_scam_victim", "km") + bubbles("guide_scam_money", "km")
    fb.wait_for(user, len(expected))
    assert fb.texts(user) == expected
    entries = transcript(db, user)
    assert entries[0]["role"] == "user" and entries[0]["text"] == "ខ្ញុំត្រូវគេបោកលុយហើយ"
    assert entries[0]["lang"] == "km"
    assert [e["role"] for e in entries[1:]] == ["bot"] * len(expected)


@pytest.mark.parametrize(
    ("event", "answer"),
    [
        (lambda u: payloads.quick_reply(u, "Passwords", "/password_strong"),
         "utter_password_strong"),
        (lambda u: payloads.postback(u, "Main menu", "/help"), "utter_menu"),
        (lambda u: payloads.postback(u, "Get Started", "GET_STARTED"), "utter_greet"),
        (lambda u: payloads.postback(u, "Old button", "SOMETHING_OLD"), "utter_menu"),
        (lambda u: payloads.attachment(u, "image"), "utter_scamcheck_picture_offer"),
        # the thumbs-up sticker means "ok / thanks" (issue 15)
        (lambda u: payloads.attachment(u, "image", sticker_id=369239263222822), "utter_thank"),
        (lambda u: payloads.attachment(u, "location"), "utter_attachment"),
        (lambda u: payloads.attachment(u, "file"), "utter_attachment"),
        (lambda u: payloads.attachment(u, "audio"), "utter_voice_note"),
    ],
)
def test_each_kind_of_message_gets_its_answer(fb, event, answer):
    user = fb.new_user()
    fb.deliver(event(user))
    expected = bubbles(answer, "km")  # no words to tell the language: the default, Khmer
    fb.wait_for(user, len(expected))
    assert fb.texts(user) == expected


def test_a_voice_note_offers_a_person(fb):
    user = fb.new_user()
    fb.deliver(payloads.attachment(user, "audio"))
    [message] = fb.wait_for(user, 1)
    assert "/request_human" in [q["payload"] for q in message["message"]["quick_replies"]]


def test_the_language_the_user_wrote_in_is_kept_for_attachments(fb):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "hello"))
    fb.wait_for(user, len(bubbles("utter_greet")))
    fb.deliver(payloads.attachment(user, "audio"))
    fb.wait_for(user, len(bubbles("utter_greet")) + 1)
    assert fb.texts(user)[-1] == bubbles("utter_voice_note", "en")[0]


def test_a_redelivered_message_is_answered_once(fb):
    user = fb.new_user()
    event = payloads.text(user, "how do i make a strong password", mid="m-dup-1")
    fb.deliver(event)
    fb.deliver(event)
    fb.deliver(event, payloads.read(user))
    expected = bubbles("utter_password_strong")
    fb.wait_for(user, len(expected))
    time.sleep(1.5)
    assert fb.texts(user) == expected


def test_a_batch_of_several_entries_and_users_is_answered_in_full(fb):
    a, b = fb.new_user(), fb.new_user()
    written = payloads.now_ms() - 60_000  # a minute apart, delivered together: not one burst
    fb.deliver(payloads.text(a, "hello", timestamp=written), payloads.text(b, "thank you"),
               payloads.text(a, "what are digital rights", timestamp=written + 60_000),
               entries=2)
    fb.wait_for(a, len(bubbles("utter_greet")) + len(bubbles("utter_digital_rights")))
    fb.wait_for(b, len(bubbles("utter_thank")))
    assert fb.texts(a) == bubbles("utter_greet") + bubbles("utter_digital_rights")


def test_own_echoes_reads_deliveries_and_unknown_events_get_no_answer(fb, db):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "hello"))
    sent = fb.wait_for(user, len(bubbles("utter_greet")))
    own_mid = transcript(db, user)[-1]["mid"]
    unknown = payloads.read(user)
    unknown.pop("read")
    unknown["reaction"] = {"reaction": "love", "mid": own_mid}
    fb.deliver(payloads.echo(user, "Hello", mid=own_mid), payloads.read(user, 123),
               payloads.delivery(user, [own_mid]), unknown)
    wait_until(lambda: db.hget(keys.conversation(user), "read_watermark") == "123")
    time.sleep(1)
    assert len(fb.sent_messages(user)) == len(sent)
    assert db.hget(keys.conversation(user), "owner") in (None, "bot")


def test_a_person_answering_from_the_page_inbox_silences_the_bot(fb, db):
    user = fb.new_user()
    fb.deliver(payloads.echo(user, "Hi, Sokha from the team here", app_id=263902037430900))
    wait_until(lambda: db.hget(keys.conversation(user), "owner") == "person")
    fb.deliver(payloads.text(user, "thank you sokha"))
    wait_until(lambda: len(transcript(db, user)) == 2)
    time.sleep(1)
    assert fb.sent_messages(user) == []
    assert [e["role"] for e in transcript(db, user)] == ["person", "user"]


def test_standby_events_are_recorded_never_answered(fb, db):
    user = fb.new_user()
    fb.deliver(standby=[payloads.text(user, "anyone there?")])
    wait_until(lambda: len(transcript(db, user)) == 1)
    time.sleep(1)
    assert fb.sent_messages(user) == []


def test_messages_of_one_user_are_answered_in_order(fb):
    user = fb.new_user()
    sequence = [("hello", "utter_greet"), ("how do i make a strong password",
                                           "utter_password_strong"),
                ("thank you", "utter_thank"), ("what are digital rights", "utter_digital_rights"),
                ("is this message a scam", "utter_scam_check"), ("bye", "utter_goodbye")]
    written = payloads.now_ms() - 60_000
    for index, (text, _) in enumerate(sequence):  # written 10 s apart: separate messages
        fb.deliver(payloads.text(user, text, timestamp=written + 10_000 * index))
    expected = [bubble for _, name in sequence for bubble in bubbles(name)]
    fb.wait_for(user, len(expected))
    assert fb.texts(user) == expected


def test_transient_send_errors_are_retried_and_answered_once(fb):
    user = fb.new_user()
    fb.fault(613, times=2, recipient=user)
    fb.fault(2, http_status=500, times=1, recipient=user)
    fb.deliver(payloads.text(user, "thank you"))
    fb.wait_for(user, len(bubbles("utter_thank")))
    time.sleep(1)
    assert fb.texts(user) == bubbles("utter_thank")


def test_a_permanent_error_is_not_retried_and_is_recorded(fb, db):
    user, other = fb.new_user(), fb.new_user()
    fb.fault(551, times=5, recipient=user)
    fb.deliver(payloads.text(user, "thank you"), payloads.text(other, "thank you"))
    fb.wait_for(other, len(bubbles("utter_thank")))
    wait_until(lambda: db.hget(keys.conversation(user), "last_send_error") == "551")
    time.sleep(1)
    calls = fb.graph_requests(user)  # the typing indicator and the first message, no retries
    assert sorted("message" in (c["json"] or {}) for c in calls) == [False, True]
    assert all(call["error_code"] == 551 for call in calls)


def test_health_reports_workers(stack):
    response = requests.get(f"{stack.web_url}/healthz", timeout=5)
    assert response.status_code == 200, response.text


def test_secrets_are_masked_everywhere_and_the_user_is_warned(fb, db, stack):
    user = fb.new_user()
    fb.deliver(payloads.text(user, "they asked for my OTP 482913 and my card 4111 1111 1111 1111"))
    warning = bubbles("utter_secret_warning")
    fb.wait_for(user, len(warning) + 1)
    assert fb.texts(user)[0] == warning[0]
    stored = transcript(db, user)[0]["text"]
    assert "482913" not in stored and "4111" not in stored and "[code hidden]" in stored
    events = requests.get(f"{stack.rasa_url}/conversations/{user}/tracker",
                          params=stack.rasa_auth, timeout=10).json()
    assert "482913" not in json.dumps(events) and "4111 1111" not in json.dumps(events)


def ask_to_delete(fb) -> tuple[str, int]:
    """A new user greets, asks to delete their data and is asked to confirm; the user and how
    many messages they got."""
    user = fb.new_user()
    fb.deliver(payloads.text(user, "hello"))
    fb.wait_for(user, len(bubbles("utter_greet")))
    fb.deliver(payloads.text(user, "please delete all my data", timestamp=payloads.now_ms() + 1))
    confirm = len(bubbles("utter_greet")) + len(bubbles("utter_delete_my_data_confirm"))
    fb.wait_for(user, confirm)
    return user, confirm


def test_a_user_deletes_their_data_and_nothing_about_them_remains(fb, db, stack):
    user, confirm = ask_to_delete(fb)
    fb.deliver(payloads.quick_reply(user, "Yes, delete", "/affirm"))
    fb.wait_for(user, confirm + len(bubbles("utter_data_deleted")))
    assert fb.texts(user)[-1] == bubbles("utter_data_deleted")[-1]
    wait_until(lambda: not [k for k in db.scan_iter(f"*{user}*")])
    entries = db.xrange("hl:audit")
    assert any(fields.get("action") == "delete_data" for _, fields in entries)
    assert user not in json.dumps(entries)
