"""Answers and settings as plain data (the shape of the YAML files), and back.

The same plain shape is stored in Redis for each version, so files, the store and the editor
all speak one format and a round trip through any of them loses nothing.
"""

from __future__ import annotations

from typing import Any

from webhook.content.model import LANGUAGES, Choice, Response, Settings, Version


class ContentError(ValueError):
    """Data cannot be read as content (the message says where and why)."""


def response_from_data(topic: str, name: str, entry: Any, where: str = "") -> Response:
    """A Response from its plain form: {en: {...}, km: {...}, command?, note?}."""
    where = where or name
    if not isinstance(entry, dict):
        raise ContentError(f"{where}: {name} must be a mapping of languages")
    versions = {
        language: _version(entry[language], f"{where}.{language}")
        for language in LANGUAGES
        if isinstance(entry.get(language), dict)
    }
    return Response(name=name, topic=topic, versions=versions, command=entry.get("command"),
                    note=str(entry.get("note") or "").strip())


def response_to_data(response: Response) -> dict[str, Any]:
    """The plain form of `response` (without its name and topic)."""
    data: dict[str, Any] = {}
    if response.note:
        data["note"] = response.note
    for language in LANGUAGES:
        if language in response.versions:
            data[language] = _version_data(response.versions[language])
    if response.command:
        data["command"] = dict(response.command)
    return data


def settings_from_data(data: dict[str, Any]) -> Settings:
    """Settings from the plain form of settings.yml."""
    entries = data.get("settings") or {}
    if not isinstance(entries, dict):
        raise ContentError("settings: expected a mapping of setting names")
    values, shared, help_texts = {}, set(), {}
    for key, entry in entries.items():
        values[key], is_shared, help_texts[key] = _setting(entry)
        if is_shared:
            shared.add(key)
    return Settings(
        default_language=str(data.get("default_language", "km")),
        values=values,
        office_hours_schedule=dict(data.get("office_hours_schedule") or {}),
        shared=frozenset(shared),
        help={key: text for key, text in help_texts.items() if text},
        about=str(data.get("about") or "").strip(),
    )


def settings_to_data(settings: Settings) -> dict[str, Any]:
    """The plain form of settings.yml."""
    entries = {}
    for key, values in settings.values.items():
        entry: dict[str, Any] = {}
        if key in settings.shared:
            entry["value"] = values.get(LANGUAGES[0], "")
        else:
            entry.update({language: values.get(language, "") for language in LANGUAGES})
        if settings.help.get(key):
            entry["help"] = settings.help[key]
        entries[key] = entry
    data: dict[str, Any] = {}
    if settings.about:
        data["about"] = settings.about
    data["default_language"] = settings.default_language
    data["settings"] = entries
    data["office_hours_schedule"] = dict(settings.office_hours_schedule)
    return data


def _setting(entry: Any) -> tuple[dict[str, str], bool, str]:
    """(value per language, one value for both languages?, help) of one setting."""
    if not isinstance(entry, dict):
        text = "" if entry is None else str(entry)
        return {language: text for language in LANGUAGES}, True, ""
    help_text = str(entry.get("help") or "").strip()
    if "value" in entry:
        text = "" if entry["value"] is None else str(entry["value"])
        return {language: text for language in LANGUAGES}, True, help_text
    values = {language: str(entry.get(language) or "") for language in LANGUAGES}
    return values, False, help_text


def _version(data: Any, where: str) -> Version:
    if not isinstance(data, dict):
        raise ContentError(f"{where}: expected a mapping with bubbles")
    bubbles = data.get("bubbles") or []
    if isinstance(bubbles, str):
        bubbles = [bubbles]
    return Version(
        bubbles=tuple(str(bubble).strip() for bubble in bubbles),
        quick_replies=_choices(data.get("quick_replies"), where),
        buttons=_choices(data.get("buttons"), where),
        image=data.get("image") or None,
    )


def _version_data(version: Version) -> dict[str, Any]:
    data: dict[str, Any] = {"bubbles": list(version.bubbles)}
    if version.quick_replies:
        data["quick_replies"] = [_choice_data(choice) for choice in version.quick_replies]
    if version.buttons:
        data["buttons"] = [_choice_data(choice) for choice in version.buttons]
    if version.image:
        data["image"] = version.image
    return data


def _choices(items: Any, where: str) -> tuple[Choice, ...]:
    if not items:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ContentError(f"{where}: quick replies and buttons must be a list of mappings")
    return tuple(
        Choice(title=str(item.get("title", "")), payload=item.get("payload"), url=item.get("url"))
        for item in items
    )


def _choice_data(choice: Choice) -> dict[str, str]:
    data = {"title": choice.title}
    if choice.url:
        data["url"] = choice.url
    if choice.payload:
        data["payload"] = choice.payload
    return data
