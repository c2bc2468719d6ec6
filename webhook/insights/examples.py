"""Training examples staff assigned to an intent from the unanswered questions.

One Redis hash, id -> JSON. The id is a hash of the language and the normalised text, so the
same message assigned twice is one example (the latest intent wins). An example is pending
until `nlu_export` writes it into nlu_data/ and marks it exported; exported ones are forgotten
RETENTION_DAYS after the export (the text then lives in nlu_data/). Texts are masked already.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

from webhook import keys
from webhook.insights.grouping import normalise
from webhook.redis_text import as_text

LANGUAGES = ("en", "km", "km-Latn")


@dataclass(frozen=True)
class Example:
    """An assigned example; `exported_at` is None until it is written to nlu_data/."""

    id: str
    text: str
    language: str
    intent: str
    assigned_by: str
    assigned_at: float
    exported_at: float | None = None


def example_id(language: str, text: str) -> str:
    """The same text in the same language is one example."""
    return hashlib.sha256(f"{language}\n{normalise(text)}".encode()).hexdigest()[:16]


def assign(client: redis.Redis, items: Iterable[tuple[str, str]], intent: str, by: str,
           now: float) -> int:
    """Keep (text, language) pairs as pending examples of `intent`; how many were kept.

    Pairs in a language the training data has no folder for are left out.
    """
    entries = {}
    for text, language in items:
        if language in LANGUAGES and normalise(text):
            example = Example(example_id(language, text), text, language, intent, by, now)
            entries[example.id] = json.dumps(asdict(example), ensure_ascii=False)
    if entries:
        client.hset(keys.training_examples(), mapping=entries)
    return len(entries)


def all_examples(client: redis.Redis, now: float, retention: int) -> list[Example]:
    """Every example, oldest assignment first; exported ones past retention are dropped."""
    found = [_example(raw) for raw in client.hvals(keys.training_examples())]
    old = [e.id for e in found if e.exported_at is not None and e.exported_at < now - retention]
    if old:
        client.hdel(keys.training_examples(), *old)
    return sorted((e for e in found if e.id not in old), key=lambda e: (e.assigned_at, e.text))


def pending(examples: Iterable[Example]) -> list[Example]:
    """Assigned, not yet exported to nlu_data/."""
    return [example for example in examples if example.exported_at is None]


def awaiting_training(examples: Iterable[Example], models: Path) -> list[Example]:
    """Exported after the newest model in `models` was trained: the next `make train` learns
    them."""
    trained = newest_model_time(models)
    return [e for e in examples if e.exported_at is not None and e.exported_at > trained]


def newest_model_time(models: Path) -> float:
    """When the newest model file was written (0 when there is none)."""
    return max((path.stat().st_mtime for path in models.glob("*.tar.gz")), default=0.0)


def mark_exported(client: redis.Redis, examples: Iterable[Example], now: float) -> None:
    """Record that these examples are in nlu_data/ now."""
    entries = {e.id: json.dumps({**asdict(e), "exported_at": now}, ensure_ascii=False)
               for e in examples}
    if entries:
        client.hset(keys.training_examples(), mapping=entries)


def forget(client: redis.Redis, examples: Iterable[Example]) -> None:
    """Drop examples (already in the training data, so nothing to export)."""
    ids = [example.id for example in examples]
    if ids:
        client.hdel(keys.training_examples(), *ids)


def _example(raw: bytes | str) -> Example:
    return Example(**json.loads(as_text(raw)))
