"""Read answer content and settings from the YAML files in `responses/`.

`ContentStore` re-reads the folder when a file changes, so edited wording is used on the next
answer without a restart.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

from webhook.content.model import LANGUAGES, Choice, Response, Settings, Version
from webhook.content.render import to_nlg_reply

SETTINGS_FILE = "settings.yml"


class ContentError(ValueError):
    """A responses file cannot be read as content (the message says which file and where)."""


def load_responses(folder: Path) -> dict[str, Response]:
    """Every answer in the folder's topic files, by name."""
    responses: dict[str, Response] = {}
    for path in sorted(folder.glob("*.yml")):
        if path.name == SETTINGS_FILE:
            continue
        for response in _responses_in(path):
            if response.name in responses:
                raise ContentError(f"{path.name}: {response.name} is defined twice")
            responses[response.name] = response
    return responses


def load_settings(folder: Path) -> Settings:
    """The organisation's settings from `settings.yml`."""
    data = _read_yaml(folder / SETTINGS_FILE)
    values = {key: _per_language(value) for key, value in (data.get("settings") or {}).items()}
    return Settings(
        default_language=str(data.get("default_language", "km")),
        values=values,
        office_hours_schedule=data.get("office_hours_schedule") or {},
    )


def _per_language(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {language: str(value.get(language) or "") for language in LANGUAGES}
    return {language: "" if value is None else str(value) for language in LANGUAGES}


def _responses_in(path: Path) -> list[Response]:
    data = _read_yaml(path)
    entries = data.get("responses")
    if not isinstance(entries, dict):
        raise ContentError(f"{path.name}: expected a 'responses:' mapping")
    return [_response(path.stem, name, entry, path) for name, entry in entries.items()]


def _response(topic: str, name: str, entry: Any, path: Path) -> Response:
    if not isinstance(entry, dict):
        raise ContentError(f"{path.name}: {name} must be a mapping of languages")
    versions = {
        language: _version(entry[language], f"{path.name}: {name}.{language}")
        for language in LANGUAGES
        if isinstance(entry.get(language), dict)
    }
    return Response(name=name, topic=topic, versions=versions, command=entry.get("command"))


def _version(data: dict[str, Any], where: str) -> Version:
    bubbles = data.get("bubbles") or []
    if isinstance(bubbles, str):
        bubbles = [bubbles]
    return Version(
        bubbles=tuple(str(bubble).strip() for bubble in bubbles),
        quick_replies=_choices(data.get("quick_replies"), where),
        buttons=_choices(data.get("buttons"), where),
        image=data.get("image"),
    )


def _choices(items: Any, where: str) -> tuple[Choice, ...]:
    if not items:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ContentError(f"{where}: quick replies and buttons must be a list of mappings")
    return tuple(
        Choice(title=str(item.get("title", "")), payload=item.get("payload"), url=item.get("url"))
        for item in items
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    return data or {}


class ContentStore:
    """The published answers and settings, reloaded when a file in the folder changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int], ...] = ()
        self._responses: dict[str, Response] = {}
        self._settings = Settings(default_language="km")

    def responses(self) -> dict[str, Response]:
        """All answers by name."""
        self._refresh()
        return self._responses

    def settings(self) -> Settings:
        """The current settings."""
        self._refresh()
        return self._settings

    def reply(self, name: str, language: str,
              values: dict[str, str] | None = None) -> dict[str, Any]:
        """The answer `name` in `language` as Rasa's NLG reply, settings (and `values`) filled."""
        return to_nlg_reply(self.responses()[name], language, self.settings(), values)

    def _refresh(self) -> None:
        stamp = tuple(
            (path.name, path.stat().st_mtime_ns) for path in sorted(self.folder.glob("*.yml"))
        )
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp != self._stamp:
                self._responses = load_responses(self.folder)
                self._settings = load_settings(self.folder)
                self._stamp = stamp
