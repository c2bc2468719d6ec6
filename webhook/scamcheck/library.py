"""The staff's library of scam alerts in Redis, versioned like answers, and what was checked.

The alerts are a versioned store of their own (webhook.content.versions with the key prefix
keys.SCAM_ALERTS_STORE): every change is a numbered version with author, time and comment, and
can be restored. A new store starts with the seeded alerts (alerts_seed.yml).
Counts: per day, how many checked messages matched each alert; and the masked text of checked
messages with signs that matched none (for the "trending" groups). No user id is kept.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from webhook import keys
from webhook.content.versions import ContentVersions
from webhook.insights.days import day_of, last_days
from webhook.insights.grouping import group_texts
from webhook.privacy.redact import redact
from webhook.redis_text import as_text
from webhook.scamcheck.alerts import Alert, alert_from_data, seeded_alerts
from webhook.scamcheck.checker import Result

COUNT_DAYS = 30
TRENDING_DAYS = 7
MAX_UNMATCHED_PER_DAY = 500
KEEP_SECONDS = (COUNT_DAYS + 1) * 86400


@dataclass(frozen=True)
class Trend:
    """A group of similar unmatched messages: how many, and one of them as the example."""

    size: int
    example: str


class AlertLibrary:
    """Read, change and count the scam alerts."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.versions = ContentVersions(client, store=keys.SCAM_ALERTS_STORE)

    def revision(self) -> int:
        """Raised by every change (0 before the seed)."""
        return self.versions.revision()

    def alerts(self) -> list[Alert]:
        """The published alerts, seeded on first use."""
        if self.revision() == 0:
            self._seed()
        published = self.client.hgetall(keys.content_published(store=keys.SCAM_ALERTS_STORE))
        found = [alert_from_data(json.loads(data)) for data in published.values()]
        return sorted(found, key=lambda alert: alert.id)

    def get(self, alert_id: str) -> Alert | None:
        """One alert by id."""
        data, _ = self.versions.item(alert_id)
        return alert_from_data(data) if data else None

    def save(self, alert: Alert, author: str, comment: str = "") -> int:
        """Publish `alert` as a new version (new or changed); its revision number."""
        return self.versions.publish(alert.id, alert.as_data(), self.versions.opened(alert.id),
                                     author, comment or "Edited in the console")

    def remove(self, alert_id: str, author: str) -> int:
        """Take an alert out (its history stays, it can be restored)."""
        return self.versions.publish(alert_id, None, self.versions.opened(alert_id), author,
                                     "Removed in the console")

    def _seed(self) -> None:
        lock = self.client.lock(keys.content_seed_lock(store=keys.SCAM_ALERTS_STORE),
                                timeout=60, blocking_timeout=30)
        with lock:
            if self.revision():
                return
            for alert in seeded_alerts():
                self.save(alert, "alerts_seed.yml", "Added from the seed file")


def record_check(client: redis.Redis, result: Result, text: str, now: float | None = None) -> None:
    """Count a checked message: its matched alert, or (masked) its text if it matched none."""
    day = day_of(now or time.time())
    pipe = client.pipeline()
    if result.matches:
        key = keys.scamcheck_matches(day)
        pipe.hincrby(key, result.matches[0].alert.id, 1)
        pipe.expire(key, KEEP_SECONDS)
    elif result.verdict != "none" and text.strip():
        key = keys.scamcheck_unmatched(day)
        pipe.lpush(key, redact(text).text[:1000])
        pipe.ltrim(key, 0, MAX_UNMATCHED_PER_DAY - 1)
        pipe.expire(key, KEEP_SECONDS)
    pipe.execute()


def match_counts(client: redis.Redis, now: float | None = None) -> dict[str, int]:
    """Alert id → checked messages that matched it in the last 30 days."""
    pipe = client.pipeline()
    for day in last_days(COUNT_DAYS, now or time.time()):
        pipe.hgetall(keys.scamcheck_matches(day))
    totals: dict[str, int] = {}
    for counts in pipe.execute():
        for alert_id, count in counts.items():
            totals[as_text(alert_id)] = totals.get(as_text(alert_id), 0) + int(count)
    return totals


def trending(client: redis.Redis, now: float | None = None, least: int = 2) -> list[Trend]:
    """Groups of similar unmatched messages of the last week, largest first."""
    pipe = client.pipeline()
    for day in last_days(TRENDING_DAYS, now or time.time()):
        pipe.lrange(keys.scamcheck_unmatched(day), 0, -1)
    texts = [as_text(text) for day in pipe.execute() for text in day]
    groups = group_texts(texts)
    return [Trend(len(group.members), texts[group.members[0]])
            for group in groups if len(group.members) >= least]
