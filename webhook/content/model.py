"""The shape of answer content: an answer per name, with an English and a Khmer version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

LANGUAGES = ("en", "km")
SETTINGS_ITEM = "settings"  # the content item that holds the organisation's settings


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
    """A named answer (`utter_…`): its versions by language and an optional system command.

    `note` is guidance for the people who edit it (shown in the editor, never sent).
    """

    name: str
    topic: str
    versions: dict[str, Version]
    command: dict[str, Any] | None = None
    note: str = ""


@dataclass(frozen=True)
class Settings:
    """The organisation's settings: placeholder values (per language) and the default language.

    `shared` names the settings that have one value for both languages (links, numbers);
    `help` says what each setting is for.
    """

    default_language: str
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    office_hours_schedule: dict[str, Any] = field(default_factory=dict)
    shared: frozenset[str] = frozenset()
    help: dict[str, str] = field(default_factory=dict)
    about: str = ""

    def value(self, key: str, language: str) -> str:
        """The placeholder's text in `language` ("" when unset)."""
        return self.values.get(key, {}).get(language, "")


@dataclass(frozen=True)
class ContentSet:
    """Everything staff edit: answers, settings, and what each topic file is about."""

    responses: dict[str, Response]
    settings: Settings
    topics: dict[str, str] = field(default_factory=dict)


class Content(Protocol):
    """Where the worker and the web app read the published answers from."""

    def current(self) -> ContentSet:
        """Answers and settings as one consistent whole (one read of the store)."""

    def responses(self) -> dict[str, Response]:
        """All answers by name."""

    def settings(self) -> Settings:
        """The current settings."""

    def reply(self, name: str, language: str,
              values: dict[str, str] | None = None) -> dict[str, Any]:
        """The answer `name` in `language` as Rasa's NLG reply."""
