"""Topics and sub-topics: which topic each finer intent belongs to (nlu_data/taxonomy.yml).

Evaluation, analytics and the content editor count by topic; the model predicts the finer
intent so the user gets the answer for their case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import yaml

from bot.project import NLU_DATA

TAXONOMY_FILE = NLU_DATA / "taxonomy.yml"


@lru_cache(maxsize=1)
def finer_topics() -> Mapping[str, str]:
    """finer intent → topic intent."""
    data = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8")) or {}
    return {str(finer): str(topic) for finer, topic in data.items()}


def topic_of(intent: str | None) -> str:
    """The topic of an intent (a topic intent is its own topic)."""
    return finer_topics().get(intent or "", intent or "")


def subtopics(topic: str) -> list[str]:
    """The finer intents of a topic, in file order."""
    return [finer for finer, parent in finer_topics().items() if parent == topic]


def topic_ranking(ranking: Iterable[Mapping[str, Any]]) -> list[tuple[str, float, str]]:
    """(topic, summed confidence, its best intent), most confident first.

    `nlu_fallback` entries (put first by the fallback classifier) are ignored.
    """
    totals: dict[str, float] = {}
    best: dict[str, tuple[float, str]] = {}
    for entry in ranking:
        name, confidence = entry.get("name"), float(entry.get("confidence") or 0.0)
        if not name or name == "nlu_fallback":
            continue
        topic = topic_of(name)
        totals[topic] = totals.get(topic, 0.0) + confidence
        if confidence > best.get(topic, (-1.0, ""))[0]:
            best[topic] = (confidence, name)
    return sorted(((topic, total, best[topic][1]) for topic, total in totals.items()),
                  key=lambda item: -item[1])
