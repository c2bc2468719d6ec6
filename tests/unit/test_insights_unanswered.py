"""Unanswered questions: what is recorded (masked, no user id, the user's own words), how long
it is kept, masking again on display, and grouping of similar messages."""

import json
import time

from webhook.insights import hooks, unanswered
from webhook.insights.grouping import group_texts, normalise

RETENTION = 30 * 86400


def _user(message_id, text, intent):
    return {"event": "user", "text": text, "message_id": message_id,
            "parse_data": {"intent": {"name": intent}}}


def _tracker(*users):
    latest = users[-1]
    return {"latest_message": {"message_id": latest["message_id"], "text": latest["text"],
                               **latest["parse_data"]},
            "events": [{"event": "action", "name": "action_listen"}, *users]}


def _texts(client):
    return sorted((q.kind, q.text) for q in unanswered.recent(client, 2, time.time(), 100))


def test_a_fallback_message_is_kept_masked_with_its_language(redis_db):
    tracker = _tracker(_user("m-1", "my otp is 123456 where is the tax office", "nlu_fallback"))
    hooks.nlg_reply(redis_db, "utter_fallback", tracker, "en", {})
    hooks.nlg_reply(redis_db, "utter_fallback", tracker, "en", {})  # same turn again
    [question] = unanswered.recent(redis_db, 1, time.time(), 10)
    assert question.text == "my otp is [code hidden] where is the tax office"
    assert (question.kind, question.language) == ("fallback", "en")
    assert "123456" not in str(redis_db.hgetall(f"hl:insights:unanswered:{question.day}"))


def test_a_handoff_keeps_the_question_before_the_yes(redis_db):
    tracker = _tracker(_user("m-1", "i sent 500 dollars to a seller who blocked me", "scam_victim"),
                       _user("m-2", "yes", "affirm"))
    hooks.nlg_reply(redis_db, "utter_handoff", tracker, "en",
                    {"custom": {"command": "handoff", "reason": "scam_victim"}})
    assert _texts(redis_db) == [("handoff", "i sent 500 dollars to a seller who blocked me")]


def test_a_tapped_button_is_not_the_users_words(redis_db):
    tracker = _tracker(_user("m-1", "ខ្ញុំមានបញ្ហាជាមួយធនាគារ", "nlu_fallback"),
                       _user("m-2", "/request_human", "request_human"))
    hooks.nlg_reply(redis_db, "utter_handoff", tracker, "km", {"custom": {"command": "handoff"}})
    assert _texts(redis_db) == [("handoff", "ខ្ញុំមានបញ្ហាជាមួយធនាគារ")]
    [question] = unanswered.recent(redis_db, 1, time.time(), 10)
    assert question.language == "km"


def test_asking_for_a_person_keeps_what_was_asked_before_in_this_session(redis_db):
    handoff = {"custom": {"command": "handoff", "reason": "user_request"}}
    asked = _user("m-1", "how do i make my page public again", "privacy_settings")
    tracker = _tracker(asked, _user("m-2", "I want to talk to a real person", "request_human"))
    hooks.nlg_reply(redis_db, "utter_handoff", tracker, "en", handoff)
    assert _texts(redis_db) == [("handoff", "how do i make my page public again")]
    yesterday = _user("m-3", "why was my page removed", "privacy_settings")
    today = _tracker(yesterday, _user("m-4", "talk to a person please", "request_human"))
    today["events"].insert(2, {"event": "session_started"})
    hooks.nlg_reply(redis_db, "utter_handoff", today, "en", handoff)
    assert len(_texts(redis_db)) == 1, "a bare request for a person is not a question"


def test_a_fallback_that_leads_to_a_handoff_is_kept_once(redis_db):
    first = _user("m-1", "where do i pay the electricity bill", "nlu_fallback")
    hooks.nlg_reply(redis_db, "utter_offer_human", _tracker(first), "en", {})
    hooks.nlg_reply(redis_db, "utter_handoff", _tracker(first, _user("m-2", "yes", "affirm")),
                    "en", {"custom": {"command": "handoff"}})
    assert _texts(redis_db) == [("fallback", "where do i pay the electricity bill")]


def test_nothing_links_a_question_to_a_user(redis_db):
    unanswered.record(redis_db, "help me please", "fallback", time.time(), RETENTION)
    [raw] = redis_db.hvals(next(redis_db.scan_iter("hl:insights:unanswered:*")))
    assert set(json.loads(raw)) == {"id", "text", "language", "kind", "day", "t"}


def test_questions_expire_after_the_retention_period(redis_db):
    unanswered.record(redis_db, "help me please", "fallback", time.time(), RETENTION)
    key = next(redis_db.scan_iter("hl:insights:unanswered:*"))
    assert RETENTION - 86400 < redis_db.ttl(key) <= RETENTION + 86400


def test_text_is_masked_again_when_shown(redis_db):
    now = time.time()
    unanswered.record(redis_db, "placeholder", "fallback", now, RETENTION)
    key = next(redis_db.scan_iter("hl:insights:unanswered:*"))
    [(qid, raw)] = redis_db.hgetall(key).items()
    stored = {**json.loads(raw), "text": "my card 4111 1111 1111 1111 and password hunter22"}
    redis_db.hset(key, qid, json.dumps(stored))  # as if recorded before a masking rule existed
    [question] = unanswered.recent(redis_db, 1, now, 10)
    assert "4111" not in question.text and "hunter22" not in question.text
    assert "[card number hidden]" in question.text and "[password hidden]" in question.text


def test_find_ignores_unknown_and_malformed_ids(redis_db):
    unanswered.record(redis_db, "help me please", "fallback", time.time(), RETENTION)
    [question] = unanswered.recent(redis_db, 1, time.time(), 10)
    found = unanswered.find(redis_db, [question.id, "2026-01-01.abc", "../../x", "hl:*"])
    assert found == [question]


# --- grouping ----------------------------------------------------------------------------------

ENGLISH_NEAR = ["how do I report a fake page pretending to be the ministry",
                "How can I report a fake ministry page?",
                "how to report fake page of ministry"]
KHMER_NEAR = ["ខ្ញុំចង់ដឹងពីរបៀបរាយការណ៍ page ក្លែងក្លាយ",
              "ខ្ញុំចង់ដឹងរបៀបរាយការណ៍ page ក្លែងក្លាយរបស់ក្រសួង"]
LATIN_KHMER_NEAR = ["knhom chong dak pak ban te", "knhom chong dak pak ban ot"]
UNRELATED = ["where can i buy a cheap motorbike", "តើឆ្មាខ្ញុំឈឺ ត្រូវឲ្យវាញ៉ាំអ្វី",
             "what is the weather tomorrow in phnom penh", "ទិញម៉ូតូថោកនៅឯណា"]


def _grouped(texts):
    return sorted(sorted(texts[i] for i in group.members) for group in group_texts(texts))


def test_near_duplicates_share_a_group_and_unrelated_messages_stay_apart():
    texts = [*ENGLISH_NEAR, *UNRELATED[:2], *KHMER_NEAR, *LATIN_KHMER_NEAR, *UNRELATED[2:]]
    groups = _grouped(texts)
    assert sorted(ENGLISH_NEAR) in groups
    assert sorted(KHMER_NEAR) in groups
    assert sorted(LATIN_KHMER_NEAR) in groups
    for text in UNRELATED:
        assert [text] in groups
    assert len(groups) == 3 + len(UNRELATED)


def test_khmer_spelling_variants_and_invisible_characters_normalise_alike():
    assert normalise("ខ្ញុំ\u200bចង់ ដឹង!!") == normalise("ខ្ញុំចង់ ដឹង")
    assert normalise("Hello,   WORLD 😀") == "hello world"


def test_groups_come_largest_first_with_variants_counted(redis_db):
    now = time.time()
    for text in ["hi where is the tax office", "Hi, where is the tax office?",
                 "where is the tax office", "my cat is sick"]:
        unanswered.record(redis_db, text, "fallback", now, RETENTION)
    groups = unanswered.group(unanswered.recent(redis_db, 1, now, 100))
    assert [len(group.questions) for group in groups] == [3, 1]
    assert [variant.count for variant in groups[0].variants] == [2, 1]
    assert groups[0].languages == ["en"] and groups[0].kinds == ["fallback"]


def test_grouping_handles_nothing_and_messages_with_no_letters():
    assert group_texts([]) == []
    assert len(group_texts(["👍", "!!!", "ok"])) == 3
