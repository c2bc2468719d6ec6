"""Check answer content against Messenger's limits and the project's rules.

Each problem names the file, the answer, the language and the field, so staff can find it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from webhook.content import limits
from webhook.content.model import LANGUAGES, Choice, Response, Settings, Version
from webhook.content.render import PLACEHOLDER
from webhook.handoff.office_hours import schedule_problems

KNOWN_COMMANDS = frozenset({"handoff", "delete_my_data", "cancel_handoff", "guide"})
# filled by the worker at run time, not from settings.yml
RUNTIME_PLACEHOLDERS = frozenset({"queue_position", "wait_minutes", "next_open",
                                  "first_topic", "second_topic",  # did you mean A or B
                                  "alert_title", "alert_answer"})  # scam check: a matched alert
# Payloads the worker answers itself, before Rasa (webhook/feedback/flow.py)
WORKER_PAYLOADS = frozenset({"/feedback_up", "/feedback_down"})
_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$")
GUIDE_PAYLOAD_START = "/guide{"
_GUIDE_PAYLOAD = re.compile(r'^/guide\{\s*"to"\s*:\s*"[a-z0-9_]+"\s*\}$')


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content: where it is and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def validate(
    responses: dict[str, Response], settings: Settings, intents: set[str]
) -> list[Problem]:
    """Every problem in the answers, the guided-steps trees and the settings."""
    from webhook.guides.check import guide_problems  # it builds on this module's Problem

    problems = settings_problems(settings)
    for response in responses.values():
        problems += response_problems(response, settings, intents)
    return problems + guide_problems(responses)


def missing_responses(responses: dict[str, Response], used: set[str]) -> list[Problem]:
    """Answers that stories or rules use but no responses file defines."""
    return [
        Problem(name, "used by the stories but missing from responses/")
        for name in sorted(used - responses.keys())
    ]


def settings_problems(settings: Settings) -> list[Problem]:
    problems = []
    if settings.default_language not in LANGUAGES:
        problems.append(Problem("settings.yml: default_language", "must be km or en"))
    for language in LANGUAGES:
        if not settings.value("org_name", language):
            problems.append(Problem(f"settings.yml: org_name.{language}", "must not be empty"))
    for key, values in settings.values.items():
        links = [value for value in values.values() if value]
        if key.endswith("_url") and any(not link.startswith("https://") for link in links):
            problems.append(Problem(f"settings.yml: {key}", "links must start with https://"))
    if settings.office_hours_schedule:
        problems += [Problem(f"settings.yml: office_hours_schedule.{field}", message)
                     for field, message in schedule_problems(settings.office_hours_schedule)]
    return problems


def response_problems(
    response: Response, settings: Settings, intents: set[str]
) -> list[Problem]:
    where = f"{response.topic}.yml: {response.name}"
    problems = [
        Problem(f"{where}.{language}", "missing: every answer needs English and Khmer")
        for language in LANGUAGES
        if language not in response.versions
    ]
    if response.command and response.command.get("name") not in KNOWN_COMMANDS:
        problems.append(Problem(f"{where}.command", f"unknown command {response.command!r}"))
    for language, version in response.versions.items():
        problems += _version_problems(version, f"{where}.{language}", settings, intents)
    return problems


def _version_problems(
    version: Version, where: str, settings: Settings, intents: set[str]
) -> list[Problem]:
    problems = []
    if not any(bubble.strip() for bubble in version.bubbles):
        problems.append(Problem(f"{where}.bubbles", "needs at least one bubble of text"))
    for index, bubble in enumerate(version.bubbles):
        problems += _text_problems(bubble, f"{where}.bubbles[{index}]", settings)
        if limits.char_count(bubble) > limits.MAX_BUBBLE_CHARS:
            problems.append(_too_long(f"{where}.bubbles[{index}]", bubble, limits.MAX_BUBBLE_CHARS))
    total = sum(limits.char_count(bubble) for bubble in version.bubbles)
    if total > limits.MAX_MESSAGE_CHARS:
        most = limits.MAX_MESSAGE_CHARS
        problems.append(Problem(where, f"{total} characters in all; at most {most}"))
    problems += _choice_list_problems(
        version.quick_replies, f"{where}.quick_replies", limits.MAX_QUICK_REPLIES, settings, intents
    )
    problems += _choice_list_problems(
        version.buttons, f"{where}.buttons", limits.MAX_BUTTONS, settings, intents
    )
    if version.image:
        problems += _link_problems(version.image, f"{where}.image", settings)
    return problems


def _choice_list_problems(
    choices: tuple[Choice, ...], where: str, most: int, settings: Settings, intents: set[str]
) -> list[Problem]:
    problems = []
    if len(choices) > most:
        problems.append(Problem(where, f"{len(choices)} given; at most {most}"))
    for index, choice in enumerate(choices):
        problems += _choice_problems(choice, f"{where}[{index}]", settings, intents)
    return problems


def _choice_problems(
    choice: Choice, where: str, settings: Settings, intents: set[str]
) -> list[Problem]:
    problems = _text_problems(choice.title, f"{where}.title", settings)
    if not choice.title.strip():
        problems.append(Problem(f"{where}.title", "must not be empty"))
    if limits.char_count(choice.title) > limits.MAX_TITLE_CHARS:
        problems.append(_too_long(f"{where}.title", choice.title, limits.MAX_TITLE_CHARS))
    if bool(choice.url) == bool(choice.payload):
        problems.append(Problem(where, "needs either a payload or a url, not both"))
    elif choice.url:
        problems += _link_problems(choice.url, f"{where}.url", settings)
    else:
        problems += _payload_problems(str(choice.payload), f"{where}.payload", intents)
    return problems


def _payload_problems(payload: str, where: str, intents: set[str]) -> list[Problem]:
    if payload.startswith(GUIDE_PAYLOAD_START):  # a step of guided steps: see guides.check
        return [] if _GUIDE_PAYLOAD.match(payload) else [
            Problem(where, f'{payload!r} must look like /guide{{"to": "<step>"}}')]
    match = _PAYLOAD.match(payload)
    if not match:
        return [Problem(where, f"{payload!r} must be '/' and an intent name, e.g. /help")]
    problems = []
    if match["intent"] not in intents and payload.split("{")[0] not in WORKER_PAYLOADS:
        problems.append(Problem(where, f"unknown intent {match['intent']!r}"))
    if match["entities"]:
        try:
            json.loads(match["entities"])
        except ValueError:
            problems.append(Problem(where, "the part in braces must be JSON"))
    if len(payload) > limits.MAX_PAYLOAD_CHARS:
        problems.append(_too_long(where, payload, limits.MAX_PAYLOAD_CHARS))
    return problems


def _link_problems(link: str, where: str, settings: Settings) -> list[Problem]:
    problems = _text_problems(link, where, settings)
    if not (link.startswith("https://") or PLACEHOLDER.fullmatch(link)):
        problems.append(Problem(where, "links must start with https://"))
    return problems


def _text_problems(text: str, where: str, settings: Settings) -> list[Problem]:
    return [
        Problem(where, f"unknown placeholder {{{name}}}")
        for name in PLACEHOLDER.findall(text)
        if name not in settings.values and name not in RUNTIME_PLACEHOLDERS
    ]


def _too_long(where: str, text: str, most: int) -> Problem:
    return Problem(where, f"{limits.char_count(text)} characters; at most {most}")
