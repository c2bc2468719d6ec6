"""The per-user rate limit against real Redis: counts, the one notice, windows, users apart."""

from concurrent.futures import ThreadPoolExecutor

from webhook import keys
from webhook.pipeline.rate_limit import RateLimit, Verdict


def test_the_limit_then_one_notice_then_silence(redis_db):
    limit = RateLimit(redis_db, messages=3, window_seconds=60)
    verdicts = [limit.take("a") for _ in range(6)]
    assert verdicts == [Verdict.ANSWER] * 3 + [Verdict.NOTICE] + [Verdict.SILENT] * 2


def test_users_are_counted_apart(redis_db):
    limit = RateLimit(redis_db, messages=1, window_seconds=60)
    assert [limit.take("a"), limit.take("b"), limit.take("a")] == \
        [Verdict.ANSWER, Verdict.ANSWER, Verdict.NOTICE]


def test_the_window_expires_and_the_count_starts_again(redis_db):
    limit = RateLimit(redis_db, messages=1, window_seconds=60)
    limit.take("a")
    assert 0 < redis_db.ttl(keys.rate_limit("a")) <= 60
    redis_db.delete(keys.rate_limit("a"))  # what expiry does at the end of the window
    assert limit.take("a") is Verdict.ANSWER


def test_a_counter_left_without_expiry_gets_one(redis_db):
    redis_db.set(keys.rate_limit("a"), 5)
    RateLimit(redis_db, messages=8, window_seconds=60).take("a")
    assert redis_db.ttl(keys.rate_limit("a")) > 0


def test_concurrent_workers_never_give_more_than_the_limit(redis_db):
    limit = RateLimit(redis_db, messages=8, window_seconds=60)
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda _: limit.take("a"), range(50)))
    assert verdicts.count(Verdict.ANSWER) == 8
    assert verdicts.count(Verdict.NOTICE) == 1
    assert verdicts.count(Verdict.SILENT) == 41


def test_from_environment_reads_the_settings_and_zero_turns_it_off(redis_db, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "3")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "10")
    limit = RateLimit.from_environment(redis_db)
    assert (limit.messages, limit.window_seconds) == (3, 10)
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "0")
    assert RateLimit.from_environment(redis_db) is None
