"""Counts per answer, language and day (shown, helpful, not helpful) and "what was missing"
texts per answer; no user ids. Counts live as long as the insights (400 days); the texts (masked
like everything a user writes) as long as conversations (RETENTION_DAYS)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import redis

from webhook import keys
from webhook.insights.days import day_of, end_of_day
from webhook.redis_text import as_text

COUNT_TTL_SECONDS = 400 * 86400
MISSING_KEEP = 200          # texts kept per answer
MISSING_WAIT_SECONDS = 600  # after a 👎, how long the next message counts as "what was missing"
EVENTS = ("shown", "up", "down")


def missing_texts_key(answer: str) -> str:
    """The masked "what was missing" texts of one answer (newest first)."""
    return f"{keys.PREFIX}:fb:missing-texts:{answer}"


@dataclass
class AnswerStats:
    """One answer in one language over a period."""

    answer: str
    language: str
    shown: int = 0
    up: int = 0
    down: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return self.up + self.down

    @property
    def helpful_share(self) -> float | None:
        return self.up / self.rated if self.rated else None


class FeedbackStore:
    """Feedback counts and texts in Redis."""

    def __init__(self, client: redis.Redis, retention_seconds: int = 30 * 86400) -> None:
        self.client = client
        self.retention_seconds = retention_seconds

    def count(self, answer: str, language: str, event: str, now: float | None = None) -> None:
        """One more `event` (shown, up, down) for `answer` in `language` today."""
        if event not in EVENTS or not answer:
            return
        key = keys.feedback_counts(day_of(now if now is not None else time.time()))
        pipe = self.client.pipeline()
        pipe.hincrby(key, f"{answer}|{language}|{event}", 1)
        pipe.expire(key, COUNT_TTL_SECONDS)
        pipe.execute()

    def ask_once_today(self, psid: str, now: float | None = None) -> bool:
        """True (and remembered) if this user was not asked "Did this help?" today."""
        now = now if now is not None else time.time()
        until = end_of_day(day_of(now))
        return bool(self.client.set(keys.feedback_asked(psid), "1", nx=True,
                                    ex=max(1, int(until - now))))

    def expect_missing(self, psid: str, answer: str) -> None:
        """After a 👎 on `answer`: the user's next message says what was missing."""
        self.client.set(keys.feedback_missing(psid), answer, ex=MISSING_WAIT_SECONDS)

    def take_missing(self, psid: str) -> str:
        """The answer a 👎 was about, if the user's next message is awaited (once)."""
        pipe = self.client.pipeline()
        pipe.get(keys.feedback_missing(psid))
        pipe.delete(keys.feedback_missing(psid))
        answer, _ = pipe.execute()
        return as_text(answer) if answer else ""

    def keep_missing(self, answer: str, masked_text: str, language: str,
                     now: float | None = None) -> None:
        """Keep what the user said was missing (already masked), without who said it."""
        entry = json.dumps({"text": masked_text[:500], "language": language,
                            "day": day_of(now if now is not None else time.time())},
                           ensure_ascii=False)
        key = missing_texts_key(answer)
        pipe = self.client.pipeline()
        pipe.lpush(key, entry)
        pipe.ltrim(key, 0, MISSING_KEEP - 1)
        pipe.expire(key, self.retention_seconds)
        pipe.execute()

    def stats(self, days: list[str]) -> list[AnswerStats]:
        """Every answer and language with any count in `days`, most shown first."""
        pipe = self.client.pipeline()
        for day in days:
            pipe.hgetall(keys.feedback_counts(day))
        table: dict[tuple[str, str], AnswerStats] = {}
        for found in pipe.execute():
            for field_name, value in found.items():
                answer, language, event = as_text(field_name).rsplit("|", 2)
                stats = table.setdefault((answer, language), AnswerStats(answer, language))
                setattr(stats, event, getattr(stats, event) + int(value))
        self._attach_missing(table, set(days))
        return sorted(table.values(), key=lambda s: (-s.shown, s.answer, s.language))

    def _attach_missing(self, table: dict[tuple[str, str], AnswerStats], days: set[str]) -> None:
        answers = sorted({answer for answer, _ in table})
        pipe = self.client.pipeline()
        for answer in answers:
            pipe.lrange(missing_texts_key(answer), 0, MISSING_KEEP - 1)
        for answer, entries in zip(answers, pipe.execute(), strict=True):
            for raw in entries:
                entry = json.loads(as_text(raw))
                stats = table.get((answer, entry["language"]))
                if stats and entry["day"] in days:
                    stats.missing.append(entry["text"])
