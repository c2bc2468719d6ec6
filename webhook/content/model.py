"""The shape of answer content: an answer per name, with an English and a Khmer version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "km")


@dataclass(frozen=True)
class Choice:
    """A quick reply or a button: a title and either a payload or a URL."""

    title: str
    payload: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Version:
    """One language's version of an answer."""

    bubbles: tuple[str, ...]
    quick_replies: tuple[Choice, ...] = ()
    buttons: tuple[Choice, ...] = ()
    image: str | None = None


@dataclass(frozen=True)
class Response:
    """A named answer (`utter_…`): its versions by language and an optional system command."""

    name: str
    topic: str
    versions: dict[str, Version]
    command: dict[str, Any] | None = None


@dataclass(frozen=True)
class Settings:
    """The organisation's settings: placeholder values (per language) and the default language."""

    default_language: str
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    office_hours_schedule: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str, language: str) -> str:
        """The placeholder's text in `language` ("" when unset)."""
        return self.values.get(key, {}).get(language, "")
