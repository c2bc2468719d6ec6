"""When a person can answer, from `office_hours_schedule` in responses/settings.yml."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "km": ("ថ្ងៃច័ន្ទ", "ថ្ងៃអង្គារ", "ថ្ងៃពុធ", "ថ្ងៃព្រហស្បតិ៍", "ថ្ងៃសុក្រ", "ថ្ងៃសៅរ៍",
           "ថ្ងៃអាទិត្យ"),
}
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def _parse(schedule: dict[str, Any]) -> tuple[ZoneInfo, set[int], int, int] | None:
    try:
        zone = ZoneInfo(schedule.get("timezone") or "Asia/Phnom_Penh")
        days = {DAYS.index(day) for day in schedule.get("days") or []}
        opens = _minutes(schedule["open"])
        closes = _minutes(schedule["close"])
    except (KeyError, ValueError, TypeError):
        return None
    return (zone, days, opens, closes) if days and opens < closes else None


def schedule_problems(schedule: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, what is wrong in words for staff) for a schedule; empty when it is usable."""
    problems = []
    try:
        ZoneInfo(str(schedule.get("timezone") or ""))
    except (KeyError, ValueError):
        problems.append(("timezone", "not a known time zone, e.g. Asia/Phnom_Penh"))
    if not schedule.get("days") or set(schedule["days"]) - set(DAYS):
        problems.append(("days", "choose at least one day"))
    try:
        if _minutes(schedule.get("open", "")) >= _minutes(schedule.get("close", "")):
            problems.append(("close", "must be after open"))
    except ValueError:
        problems.append(("open, close", "times like 08:00 and 17:00"))
    return problems


def _minutes(text: str) -> int:
    hours, minutes = str(text).split(":")
    if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60):
        raise ValueError(f"not a time: {text!r}")
    return int(hours) * 60 + int(minutes)


def is_open(now: float, schedule: dict[str, Any]) -> bool:
    """True during office hours (always, when no valid schedule is set)."""
    parsed = _parse(schedule)
    if parsed is None:
        return True
    zone, days, opens, closes = parsed
    local = datetime.fromtimestamp(now, zone)
    minute = local.hour * 60 + local.minute
    return local.weekday() in days and opens <= minute < closes


def next_opening(now: float, schedule: dict[str, Any]) -> datetime | None:
    """The next time the team opens (None when always open)."""
    parsed = _parse(schedule)
    if parsed is None:
        return None
    zone, days, opens, _ = parsed
    local = datetime.fromtimestamp(now, zone)
    for ahead in range(8):
        day = (local + timedelta(days=ahead)).replace(
            hour=opens // 60, minute=opens % 60, second=0, microsecond=0)
        if day.weekday() in days and day > local:
            return day
    return None


def describe(moment: datetime, language: str) -> str:
    """'Monday at 08:00' or 'ថ្ងៃច័ន្ទ ម៉ោង ០៨:០០'."""
    day = DAY_NAMES.get(language, DAY_NAMES["en"])[moment.weekday()]
    clock = moment.strftime("%H:%M")
    if language == "km":
        return f"{day} ម៉ោង {clock.translate(_KHMER_DIGITS)}"
    return f"{day} at {clock}"
