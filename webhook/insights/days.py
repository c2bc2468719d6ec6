"""Days as the helpline counts them: calendar dates in Phnom Penh (UTC+7, no daylight saving)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Phnom_Penh")


def day_of(seconds: float) -> str:
    """The Phnom Penh date (YYYY-MM-DD) of a time in seconds since the epoch."""
    return datetime.fromtimestamp(seconds, ZONE).date().isoformat()


def last_days(count: int, now: float) -> list[str]:
    """The `count` dates ending with today, oldest first."""
    today = date.fromisoformat(day_of(now))
    return [(today - timedelta(days=back)).isoformat() for back in range(count - 1, -1, -1)]


def end_of_day(day: str) -> int:
    """The first second after `day` ends, in seconds since the epoch."""
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), ZONE)
    return int((start + timedelta(days=1)).timestamp())
