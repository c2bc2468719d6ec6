"""Daily aggregates, recorded as things happen and read back per day. No user ids.

Per Phnom Penh day (`webhook.insights.days`), kept KEEP_SECONDS (about 400 days) after the day:

- a hash of counters: `messages` (user messages received), `turns` (user messages Rasa
  answered), `intent:<name>` (the top intent of each turn), `answers:<language>` (the
  language of each turn's answer), `fallbacks` (turns that ended in a fallback), `handoffs`
  and `handoff:<reason>` (conversations queued for a person, by reason);
- a HyperLogLog of the users who wrote that day, for `conversations`: one conversation is one
  user writing on one day. Each user is added as an HMAC under a random salt of that day,
  which expires two days later: the HyperLogLog holds no ids, and once the salt is gone nobody
  can test whether a given user is counted in it;
- a list of waits for a person (seconds from queued to claimed), of claims made that day,
  capped at MAX_WAITS_PER_DAY, for a median.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

import redis

from webhook import keys
from webhook.insights.days import day_of, end_of_day
from webhook.redis_text import as_text

KEEP_SECONDS = 400 * 86400
SALT_SECONDS = 2 * 86400
MAX_WAITS_PER_DAY = 1000
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class DayStats:
    """What one day's aggregates hold."""

    day: str
    conversations: int = 0
    messages: int = 0
    turns: int = 0
    fallbacks: int = 0
    handoffs: int = 0
    intents: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    handoff_reasons: dict[str, int] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)


def record_message(client: redis.Redis, psid: str, now: float) -> None:
    """A user message arrived: count it, and its user among the day's conversations."""
    day = day_of(now)
    salt = _salt(client, day)
    member = hmac.new(salt.encode(), psid.encode(), hashlib.sha256).hexdigest()[:16]
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(keys.insights_day(day), "messages", 1)
    pipe.pfadd(keys.insights_users(day), member)
    _expire(pipe, day, keys.insights_day(day), keys.insights_users(day))
    pipe.execute()


def record_turn(client: redis.Redis, intent: str, language: str, now: float) -> None:
    """Rasa answered a user message: its top intent and the answer's language."""
    _count(client, now, "turns", f"intent:{_name(intent)}", f"answers:{_name(language)}")


def record_fallback(client: redis.Redis, now: float) -> None:
    """A turn ended in a fallback (the assistant did not understand)."""
    _count(client, now, "fallbacks")


def record_handoff(client: redis.Redis, reason: str, now: float) -> None:
    """A conversation was queued for a person."""
    _count(client, now, "handoffs", f"handoff:{_name(reason)}")


def record_wait(client: redis.Redis, seconds: float, now: float) -> None:
    """A person claimed a waiting conversation after `seconds`."""
    day = day_of(now)
    key = keys.insights_waits(day)
    pipe = client.pipeline(transaction=False)
    pipe.lpush(key, round(max(seconds, 0.0), 1))
    pipe.ltrim(key, 0, MAX_WAITS_PER_DAY - 1)
    _expire(pipe, day, key)
    pipe.execute()


def read_days(client: redis.Redis, days: list[str]) -> list[DayStats]:
    """The aggregates of each of `days`, in the same order (zeros for a day with none)."""
    pipe = client.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(keys.insights_day(day))
        pipe.pfcount(keys.insights_users(day))
        pipe.lrange(keys.insights_waits(day), 0, -1)
    answers = pipe.execute()
    return [_day_stats(day, *answers[index * 3:index * 3 + 3])
            for index, day in enumerate(days)]


def _day_stats(day: str, counters: dict, users: int, waits: list) -> DayStats:
    stats = DayStats(day, conversations=int(users or 0), waits=[float(w) for w in waits])
    for raw_name, raw_value in counters.items():
        name, value = as_text(raw_name), int(raw_value)
        prefix, _, rest = name.partition(":")
        if rest:
            {"intent": stats.intents, "answers": stats.answers,
             "handoff": stats.handoff_reasons}.get(prefix, {})[rest] = value
        elif name in ("messages", "turns", "fallbacks", "handoffs"):
            setattr(stats, name, value)
    return stats


def _count(client: redis.Redis, now: float, *fields: str) -> None:
    day = day_of(now)
    pipe = client.pipeline(transaction=False)
    for name in fields:
        pipe.hincrby(keys.insights_day(day), name, 1)
    _expire(pipe, day, keys.insights_day(day))
    pipe.execute()


def _expire(pipe: redis.client.Pipeline, day: str, *names: str) -> None:
    for name in names:
        pipe.expireat(name, end_of_day(day) + KEEP_SECONDS)


def _salt(client: redis.Redis, day: str) -> str:
    """The day's salt: the first process to need it creates it, every other one reads it."""
    pipe = client.pipeline(transaction=False)
    pipe.set(keys.insights_salt(day), secrets.token_hex(16), nx=True,
             exat=end_of_day(day) + SALT_SECONDS)
    pipe.get(keys.insights_salt(day))
    return as_text(pipe.execute()[1])


def _name(value: str) -> str:
    """Intent, reason and language names as counter fields; anything odd counts as `other`."""
    return value if value and _NAME.fullmatch(value) else "other"
