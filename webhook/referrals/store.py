"""Staff's map from a campaign `ref` to where the conversation starts, and daily counts.

A starting point is one of:
    {"kind": "answer", "answer": "utter_scam_check"}     an answer from the content store
    {"kind": "language", "language": "km"}                the greeting in that language
    {"kind": "guide", "guide": "hacked_account"}          a guided set of steps
    {"kind": "scam_check"}                                "send me the message to check"
each with an optional "language" that is set for the conversation first. Counts are per ref
and day, never per user, and expire after the insights' 400 days.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import redis

from webhook import keys
from webhook.insights.days import day_of
from webhook.redis_text import as_text

REF_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # what m.me/<page>?ref= carries safely
KINDS = ("answer", "language", "guide", "scam_check")
LANGUAGES = ("km", "en")
COUNT_TTL_SECONDS = 400 * 86400
UNKNOWN = "(unknown)"


class InvalidStart(ValueError):
    """A ref or starting point staff entered cannot be used (the message says why)."""


@dataclass(frozen=True)
class Start:
    """Where one ref leads."""

    ref: str
    kind: str
    target: str = ""      # the answer or guide name
    language: str = ""    # set for the conversation first ("" keeps the user's)
    note: str = ""        # staff's own words: which poster, which advert

    def as_json(self) -> str:
        return json.dumps({"kind": self.kind, "target": self.target,
                           "language": self.language, "note": self.note}, ensure_ascii=False)


def check(start: Start, answers: set[str], guides: set[str]) -> Start:
    """`start` if usable, else InvalidStart saying which field is wrong."""
    if not REF_PATTERN.match(start.ref):
        raise InvalidStart("ref: 1 to 64 letters, digits, '-', '_' or '.'")
    if start.kind not in KINDS:
        raise InvalidStart(f"kind: one of {', '.join(KINDS)}")
    if start.language and start.language not in LANGUAGES:
        raise InvalidStart("language: km or en")
    if start.kind == "answer" and start.target not in answers:
        raise InvalidStart("answer: not an answer of the content store")
    if start.kind == "guide" and start.target not in guides:
        raise InvalidStart("guide: no guided steps of that name")
    if start.kind == "language" and not start.language:
        raise InvalidStart("language: choose km or en")
    if len(start.note) > 200:
        raise InvalidStart("note: at most 200 characters")
    return start


class Referrals:
    """The map and the counts, in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def save(self, start: Start) -> None:
        """Add or replace a ref's starting point (checked by the caller with `check`)."""
        self.client.hset(keys.referral_starts(), start.ref, start.as_json())

    def delete(self, ref: str) -> bool:
        """Forget a ref; True if it existed."""
        return bool(self.client.hdel(keys.referral_starts(), ref))

    def get(self, ref: str) -> Start | None:
        """The starting point of `ref`, or None for an unknown or missing one."""
        raw = self.client.hget(keys.referral_starts(), ref) if ref else None
        return _start(ref, raw) if raw else None

    def all(self) -> list[Start]:
        """Every ref, sorted."""
        found = self.client.hgetall(keys.referral_starts())
        return sorted((_start(as_text(ref), raw) for ref, raw in found.items()),
                      key=lambda start: start.ref)

    def count(self, ref: str, now: float | None = None) -> None:
        """One more conversation opened by `ref` today (unknown refs under one name)."""
        key = keys.referral_counts(day_of(now if now is not None else time.time()))
        name = ref if ref and self.client.hexists(keys.referral_starts(), ref) else UNKNOWN
        pipe = self.client.pipeline()
        pipe.hincrby(key, name, 1)
        pipe.expire(key, COUNT_TTL_SECONDS)
        pipe.execute()

    def counts(self, days: list[str]) -> dict[str, dict[str, int]]:
        """{ref: {day: conversations}} over `days`."""
        pipe = self.client.pipeline()
        for day in days:
            pipe.hgetall(keys.referral_counts(day))
        table: dict[str, dict[str, int]] = {}
        for day, found in zip(days, pipe.execute(), strict=True):
            for ref, value in found.items():
                table.setdefault(as_text(ref), {})[day] = int(value)
        return table


def _start(ref: str, raw: Any) -> Start:
    data = json.loads(as_text(raw))
    return Start(ref, data.get("kind", "answer"), data.get("target", ""),
                 data.get("language", ""), data.get("note", ""))
