"""Daily aggregates with real Redis: what the hooks record, once per turn, per Phnom Penh day,
kept about 400 days, with no user id anywhere."""

import time
from datetime import datetime, timezone

import redis

from webhook.insights import hooks, stats
from webhook.insights.days import day_of, last_days
from webhook.insights.report import Report, daily_csv, intents_csv
from webhook.insights.stats import DayStats

# 2026-03-01 17:30 UTC is 2026-03-02 00:30 in Phnom Penh
LATE_UTC = datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc).timestamp()


def _turn(message_id, intent="scam_check", text="is this a scam", events=()):
    return {"latest_message": {"message_id": message_id, "text": text,
                               "intent": {"name": intent, "confidence": 0.9}},
            "events": list(events)}


def _everything(client):
    """Every key and value of the database, as text."""
    dump = []
    for key in client.scan_iter():
        kind = client.type(key)
        value = {b"hash": client.hgetall, b"list": lambda k: client.lrange(k, 0, -1),
                 b"string": client.get}.get(kind, lambda k: b"")(key)
        dump.append(f"{key!r} {value!r}")
    return "\n".join(dump)


def test_days_are_phnom_penh_dates():
    assert day_of(LATE_UTC) == "2026-03-02"
    assert last_days(3, LATE_UTC) == ["2026-02-28", "2026-03-01", "2026-03-02"]


def test_messages_and_distinct_users_per_day(redis_db):
    for psid in ("psid-a", "psid-b", "psid-a", "psid-a"):
        stats.record_message(redis_db, psid, LATE_UTC)
    stats.record_message(redis_db, "psid-a", LATE_UTC - 86400)
    before, day = stats.read_days(redis_db, ["2026-03-01", "2026-03-02"])
    assert (day.messages, day.conversations) == (4, 2)
    assert (before.messages, before.conversations) == (1, 1)
    assert "psid-a" not in _everything(redis_db) and "psid-b" not in _everything(redis_db)


def test_a_turn_is_counted_once_however_many_responses_it_gets(redis_db):
    for response in ("utter_scam_check", "utter_anything_else"):
        hooks.nlg_reply(redis_db, response, _turn("m-1"), "en", {"text": "x"})
    hooks.nlg_reply(redis_db, "utter_greet", _turn("m-2", "greet", "hello"), "km", {})
    [day] = stats.read_days(redis_db, last_days(1, time.time()))
    assert day.turns == 2
    assert day.intents == {"scam_check": 1, "greet": 1}
    assert day.answers == {"en": 1, "km": 1}
    assert day.fallbacks == 0


def test_fallbacks_count_nlu_fallback_and_the_core_fallback(redis_db):
    hooks.nlg_reply(redis_db, "utter_fallback", _turn("m-1", "nlu_fallback", "zzkx"), "en", {})
    hooks.nlg_reply(redis_db, "utter_fallback", _turn("m-2", "greet", "hi hi"), "en", {})
    hooks.nlg_reply(redis_db, "utter_offer_human", _turn("m-3", "nlu_fallback", "qqq"), "en", {})
    hooks.nlg_reply(redis_db, "utter_scam_check", _turn("m-4"), "en", {})
    [day] = stats.read_days(redis_db, last_days(1, time.time()))
    assert (day.turns, day.fallbacks) == (4, 3)


def test_a_tracker_without_message_id_is_not_counted(redis_db):
    hooks.nlg_reply(redis_db, "utter_greet", {"latest_message": {"text": "hi"}}, "en", {})
    assert not list(redis_db.scan_iter("hl:insights:day:*"))


def test_handoffs_by_reason_and_waits_for_a_median(redis_db):
    for reason in ("scam_victim", "fallback", "scam_victim"):
        hooks.handoff_queued(redis_db, reason, LATE_UTC)
    for waited in (60, 600, 120):
        hooks.handoff_claimed(redis_db, waited, LATE_UTC)
    [day] = stats.read_days(redis_db, ["2026-03-02"])
    assert day.handoffs == 3 and day.handoff_reasons == {"scam_victim": 2, "fallback": 1}
    assert Report([day]).median_wait == 120


def test_aggregates_are_kept_about_400_days(redis_db):
    stats.record_message(redis_db, "psid-a", LATE_UTC)
    hooks.handoff_claimed(redis_db, 60, LATE_UTC)
    end_of_day = datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc).timestamp()
    for key in ("day", "users", "waits"):
        expires = time.time() + redis_db.ttl(f"hl:insights:{key}:2026-03-02")
        assert abs(expires - (end_of_day + 400 * 86400)) < 60, key


def test_odd_names_do_not_become_counter_fields(redis_db):
    hooks.handoff_queued(redis_db, "reason with spaces\nand more", LATE_UTC)
    [day] = stats.read_days(redis_db, ["2026-03-02"])
    assert day.handoff_reasons == {"other": 1}


def test_a_broken_redis_never_breaks_the_caller():
    dead = redis.Redis(port=1, socket_connect_timeout=0.2)
    hooks.message_received(dead, "psid-a")
    hooks.nlg_reply(dead, "utter_greet", _turn("m-1"), "en", {})
    hooks.handoff_queued(dead, "fallback", LATE_UTC)
    hooks.handoff_claimed(dead, 10, LATE_UTC)
    hooks.message_received(None, "psid-a")  # no Redis configured


def test_csv_has_one_row_per_day_and_intents_apart(redis_db):
    stats.record_message(redis_db, "psid-a", LATE_UTC)
    stats.record_turn(redis_db, "scam_check", "km", LATE_UTC)
    stats.record_turn(redis_db, "nlu_fallback", "en", LATE_UTC)
    stats.record_fallback(redis_db, LATE_UTC)
    hooks.handoff_queued(redis_db, "fallback", LATE_UTC)
    report = Report(stats.read_days(redis_db, ["2026-03-01", "2026-03-02"]))
    lines = daily_csv(report).splitlines()
    assert lines[0].split(",")[:5] == ["date", "conversations", "messages", "turns", "fallbacks"]
    assert lines[1].startswith("2026-03-01,0,0,0,0,,0,,")
    row = dict(zip(lines[0].split(","), lines[2].split(","), strict=True))
    assert row["fallback_rate"] == "0.5" and row["handoff_rate"] == "1"
    assert row["answers_en"] == "1" and row["answers_km"] == "1"
    assert row["handoffs_fallback"] == "1"
    assert intents_csv(report).splitlines() == [
        "date,topic,intent,count", "2026-03-02,nlu_fallback,nlu_fallback,1",
        "2026-03-02,scam_check,scam_check,1"]


def test_sub_topics_count_for_their_topic():
    report = Report(days=[DayStats(day="2026-03-02", intents={"scam_loan_app": 2, "scam_victim": 1,
                                                               "greet": 1})])
    assert report.topics()[0] == ("scam_victim", 3)
    assert "2026-03-02,scam_victim,scam_loan_app,2" in intents_csv(report).splitlines()
