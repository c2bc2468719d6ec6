"""The numbers of a period, from the daily aggregates: totals, rates, medians and CSV rows.

Definitions (also in docs/privacy.md and on the page):
- conversations: users who wrote on a day, summed over the days (one user on three days
  counts three times);
- fallback rate: turns (user messages Rasa answered) that ended in a fallback, out of turns;
- handoff rate: conversations queued for a person, out of conversations;
- wait for a person: from queued to claimed, counted on the day of the claim; the median.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.taxonomy import topic_of
from webhook.insights.stats import DayStats

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
LANGUAGES = ("en", "km")
TOTALS = ("conversations", "messages", "turns", "fallbacks", "handoffs")


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def median(values: Iterable[float]) -> float | None:
    """The median, or None without values."""
    values = list(values)
    return statistics.median(values) if values else None


@dataclass
class Report:
    """The days of a period (oldest first) and the number of unanswered groups in it."""

    days: list[DayStats]
    unanswered_groups: int = 0

    def total(self, name: str) -> int:
        """The sum over the period of one of TOTALS."""
        return sum(getattr(day, name) for day in self.days)

    @property
    def fallback_rate(self) -> float | None:
        return rate(self.total("fallbacks"), self.total("turns"))

    @property
    def handoff_rate(self) -> float | None:
        return rate(self.total("handoffs"), self.total("conversations"))

    @property
    def median_wait(self) -> float | None:
        """Seconds."""
        return median(wait for day in self.days for wait in day.waits)

    def intents(self) -> list[tuple[str, int]]:
        """Top intents over the period, most frequent first."""
        return _summed(day.intents for day in self.days).most_common()

    def topics(self) -> list[tuple[str, int]]:
        """Intents summed by topic (a sub-topic counts for its topic: nlu_data/taxonomy.yml)."""
        by_topic: Counter = Counter()
        for intent, count in self.intents():
            by_topic[topic_of(intent)] += count
        return by_topic.most_common()

    def answers(self) -> list[tuple[str, int]]:
        """Answers per language (en and km always listed)."""
        summed = _summed(day.answers for day in self.days)
        return [(language, summed[language]) for language in _names(LANGUAGES, summed)]

    def handoff_reasons(self) -> list[tuple[str, int]]:
        return _summed(day.handoff_reasons for day in self.days).most_common()


def daily_csv(report: Report) -> str:
    """One row per day: counts, rates, median wait, answers per language, handoffs by reason."""
    languages = _names(LANGUAGES, _summed(day.answers for day in report.days))
    reasons = sorted(_summed(day.handoff_reasons for day in report.days))
    header = ["date", *TOTALS[:2], "turns", "fallbacks", "fallback_rate", "handoffs",
              "handoff_rate", "median_wait_seconds", "waits",
              *(f"answers_{language}" for language in languages),
              *(f"handoffs_{reason}" for reason in reasons)]
    rows = [[day.day, day.conversations, day.messages, day.turns, day.fallbacks,
             _number(rate(day.fallbacks, day.turns)), day.handoffs,
             _number(rate(day.handoffs, day.conversations)), _number(median(day.waits)),
             len(day.waits), *(day.answers.get(language, 0) for language in languages),
             *(day.handoff_reasons.get(reason, 0) for reason in reasons)]
            for day in report.days]
    return _csv([header, *rows])


def intents_csv(report: Report) -> str:
    """One row per day and intent that occurred: date, topic, intent, count."""
    rows = [[day.day, topic_of(intent), intent, count] for day in report.days
            for intent, count in sorted(day.intents.items())]
    return _csv([["date", "topic", "intent", "count"], *rows])


def _summed(counters: Iterable[dict[str, int]]) -> Counter:
    total: Counter = Counter()
    for counter in counters:
        total.update(counter)
    return total


def _names(always: Iterable[str], seen: Iterable[str]) -> list[str]:
    return [*always, *sorted(set(seen) - set(always))]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
