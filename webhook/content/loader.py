"""Read answer content and settings from the YAML files in `responses/`.

`responses/` is the portable form of the content: it seeds a new deployment's content store and
is where exports land for review in git. `FolderContent` serves answers straight from the
folder (for checks and tests); the running system serves them from the content store.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

from webhook.content.codec import ContentError, response_from_data, settings_from_data
from webhook.content.model import ContentSet, Response, Settings
from webhook.content.render import to_nlg_reply

SETTINGS_FILE = "settings.yml"
GUIDES_FOLDER = "guides"        # responses/guides/<tree>.yml: guided steps (webhook.guides)
GUIDE_TOPIC_PREFIX = "guide_"
__all__ = ["ContentError", "FolderContent", "load_folder", "load_responses", "load_settings"]


def load_folder(folder: Path) -> ContentSet:
    """Everything in the folder: answers, settings and topic descriptions."""
    responses: dict[str, Response] = {}
    topics: dict[str, str] = {}
    for path in _topic_files(folder):
        data = _read_yaml(path)
        topic = topic_of_file(path)
        topics[topic] = str(data.get("about") or "").strip()
        for response in _responses_in(path, topic, data):
            if response.name in responses:
                raise ContentError(f"{path.name}: {response.name} is defined twice")
            responses[response.name] = response
    return ContentSet(responses=responses, settings=load_settings(folder), topics=topics)


def load_responses(folder: Path) -> dict[str, Response]:
    """Every answer in the folder's topic files, by name."""
    return load_folder(folder).responses


def load_settings(folder: Path) -> Settings:
    """The organisation's settings from `settings.yml`."""
    try:
        return settings_from_data(_read_yaml(folder / SETTINGS_FILE))
    except ContentError as exc:
        raise ContentError(f"{SETTINGS_FILE}: {exc}") from exc


def content_files(folder: Path) -> list[Path]:
    """Every YAML file of the content: topic files, settings.yml, and guided steps."""
    return sorted(folder.glob("*.yml")) + sorted((folder / GUIDES_FOLDER).glob("*.yml"))


def topic_of_file(path: Path) -> str:
    """A file's topic: its name, or `guide_<name>` for guided steps (guides/<name>.yml)."""
    return f"{GUIDE_TOPIC_PREFIX}{path.stem}" if path.parent.name == GUIDES_FOLDER else path.stem


def file_of_topic(topic: str) -> str:
    """The inverse of topic_of_file, relative to the content folder."""
    if topic.startswith(GUIDE_TOPIC_PREFIX):
        return f"{GUIDES_FOLDER}/{topic.removeprefix(GUIDE_TOPIC_PREFIX)}.yml"
    return f"{topic}.yml"


def _topic_files(folder: Path) -> list[Path]:
    return [path for path in content_files(folder) if path.name != SETTINGS_FILE]


def _responses_in(path: Path, topic: str, data: dict[str, Any]) -> list[Response]:
    entries = data.get("responses")
    if not isinstance(entries, dict):
        raise ContentError(f"{path.name}: expected a 'responses:' mapping")
    return [response_from_data(topic, name, entry, f"{path.name}: {name}")
            for name, entry in entries.items()]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    if data is not None and not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top")
    return data or {}


class FolderContent:
    """Answers and settings served from the folder, reloaded when a file in it changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int], ...] = ()
        self._content = ContentSet(responses={}, settings=Settings(default_language="km"))

    def current(self) -> ContentSet:
        """Answers, settings and topics as the files hold them now."""
        self._refresh()
        return self._content

    def responses(self) -> dict[str, Response]:
        """All answers by name."""
        return self.current().responses

    def settings(self) -> Settings:
        """The current settings."""
        return self.current().settings

    def reply(self, name: str, language: str,
              values: dict[str, str] | None = None) -> dict[str, Any]:
        """The answer `name` in `language` as Rasa's NLG reply, settings (and `values`) filled."""
        content = self.current()
        return to_nlg_reply(content.responses[name], language, content.settings, values)

    def _refresh(self) -> None:
        stamp = tuple((str(path), path.stat().st_mtime_ns) for path in content_files(self.folder))
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp != self._stamp:
                self._content = load_folder(self.folder)
                self._stamp = stamp
