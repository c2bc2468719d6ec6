"""Write content to YAML files in the layout of `responses/`: one file per topic and
settings.yml, laid out for people to read and review in git (multi-line texts as blocks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from webhook.content.codec import response_to_data, settings_to_data
from webhook.content.loader import SETTINGS_FILE, content_files, file_of_topic
from webhook.content.model import ContentSet


class _Dumper(yaml.SafeDumper):
    """Keeps keys in order, writes Khmer as it is and multi-line text as a literal block."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(data: dict[str, Any]) -> str:
    """`data` as readable YAML."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


def topic_files(content: ContentSet) -> dict[str, str]:
    """File name → YAML text for every topic, and settings.yml."""
    files = {SETTINGS_FILE: to_yaml(settings_to_data(content.settings))}
    topics = sorted({response.topic for response in content.responses.values()}
                    | set(content.topics))
    for topic in topics:
        data: dict[str, Any] = {}
        if content.topics.get(topic):
            data["about"] = content.topics[topic]
        data["responses"] = {
            response.name: response_to_data(response)
            for response in content.responses.values() if response.topic == topic
        }
        files[file_of_topic(topic)] = to_yaml(data)
    return files


def write_folder(content: ContentSet, folder: Path) -> list[Path]:
    """Write every file into `folder` (created if needed); remove topic files no longer used."""
    folder.mkdir(parents=True, exist_ok=True)
    files = topic_files(content)
    for stale in content_files(folder):
        if stale.relative_to(folder).as_posix() not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
