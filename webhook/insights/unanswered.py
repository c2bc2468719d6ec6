"""Unanswered questions: user messages that ended in a fallback or led to a handoff.

Each is kept as masked text, its language (`en`, `km`, `km-Latn`, or "" when the text shows
none), the day and the kind (`fallback` or `handoff`), with no user id, in one Redis hash per
day that expires RETENTION_DAYS after the day ends. The time is kept to the minute, for
order only. Texts are masked when recorded (`make chat` reaches Rasa without the worker,
which masks everything else) and again when read (masking rules may have improved since).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import redis

from bot.language import detect
from webhook import keys
from webhook.insights.days import day_of, end_of_day, last_days
from webhook.insights.grouping import group_texts, normalise
from webhook.privacy.redact import redact
from webhook.redis_text import as_text

KINDS = ("fallback", "handoff")
MAX_TEXT = 1000
MAX_PER_DAY = 5000


@dataclass(frozen=True)
class Question:
    """One unanswered message. `id` is `<day>.<random>`."""

    id: str
    text: str
    language: str
    kind: str
    day: str
    t: float


def record(client: redis.Redis, text: str, kind: str, now: float, retention: int) -> bool:
    """Keep a masked copy of `text`; False when it is empty or the day is full."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    masked = " ".join(redact(text).text.split())[:MAX_TEXT]
    if not masked:
        return False
    day = day_of(now)
    key = keys.unanswered(day)
    if client.hlen(key) >= MAX_PER_DAY:
        return False
    question = Question(f"{day}.{secrets.token_hex(6)}", masked,
                        detect(masked).language or "", kind, day, now // 60 * 60)
    pipe = client.pipeline(transaction=False)
    pipe.hset(key, question.id, json.dumps(asdict(question), ensure_ascii=False))
    pipe.expireat(key, end_of_day(day) + retention)
    pipe.execute()
    return True


def recent(client: redis.Redis, days: int, now: float, limit: int) -> list[Question]:
    """The newest `limit` questions of the last `days` days, oldest first, masked again."""
    pipe = client.pipeline(transaction=False)
    for day in last_days(days, now):
        pipe.hvals(keys.unanswered(day))
    found = [_question(raw) for values in pipe.execute() for raw in values]
    found.sort(key=lambda question: (question.t, question.id))
    return found[-limit:] if limit else []


def find(client: redis.Redis, ids: Iterable[str]) -> list[Question]:
    """The questions with these ids that still exist (unknown or malformed ids are left out)."""
    wanted = [(qid, qid.partition(".")[0]) for qid in ids if _valid_id(qid)]
    if not wanted:
        return []
    pipe = client.pipeline(transaction=False)
    for qid, day in wanted:
        pipe.hget(keys.unanswered(day), qid)
    return [_question(raw) for raw in pipe.execute() if raw]


def remove(client: redis.Redis, questions: Iterable[Question]) -> None:
    """Forget these questions (assigned to an intent, or dismissed)."""
    pipe = client.pipeline(transaction=False)
    for question in questions:
        pipe.hdel(keys.unanswered(question.day), question.id)
    pipe.execute()


@dataclass
class Variant:
    """Messages of a group that read the same once normalised, shown as one example."""

    first: Question
    count: int = 1


@dataclass
class QuestionGroup:
    """Similar questions: how many, in which languages and kinds, and their variants."""

    questions: list[Question]
    variants: list[Variant] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        return sorted({question.language or "?" for question in self.questions})

    @property
    def kinds(self) -> list[str]:
        return sorted({question.kind for question in self.questions})


def group(questions: list[Question]) -> list[QuestionGroup]:
    """Similar questions together (see webhook.insights.grouping), largest group first;
    within a group the most frequent wording first."""
    groups = []
    for found in group_texts([question.text for question in questions]):
        members = [questions[index] for index in found.members]
        groups.append(QuestionGroup(members, _variants(members)))
    return groups


def same_wording(questions: Iterable[Question], chosen: Iterable[Question]) -> list[Question]:
    """Every question that reads like one of `chosen` once normalised (repeats included)."""
    wanted = {normalise(question.text) for question in chosen}
    return [question for question in questions if normalise(question.text) in wanted]


def _variants(members: list[Question]) -> list[Variant]:
    by_wording: dict[str, Variant] = {}
    for question in members:
        wording = normalise(question.text)
        if wording in by_wording:
            by_wording[wording].count += 1
        else:
            by_wording[wording] = Variant(question)
    return sorted(by_wording.values(), key=lambda variant: -variant.count)


def _question(raw: bytes | str) -> Question:
    fields = json.loads(as_text(raw))
    fields["text"] = redact(fields["text"]).text
    return Question(**fields)


def _valid_id(qid: str) -> bool:
    day, dot, rest = qid.partition(".")
    return bool(dot) and len(day) == 10 and day[4] == "-" and rest.isalnum() and len(qid) < 40
