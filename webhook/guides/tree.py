"""Guided-steps trees read from the published answers.

A tree is the answers of one topic `guide_<tree>` (file `responses/guides/<tree>.yml`); each
answer is a step, `guide_<tree>` is the first. A step's quick replies lead on with payloads
`/guide{"to": "<step>"}` or `/guide{"to": "person"}`; other payloads (`/help`, `/two_factor`)
leave the tree. Staff edit steps like any answer; only a new tree needs a developer (an intent's
answer must carry the `guide` command that starts it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from webhook.content.loader import GUIDE_TOPIC_PREFIX
from webhook.content.model import Response

TOPIC_PREFIX = GUIDE_TOPIC_PREFIX

PERSON = "person"            # target: hand over to a person with a case summary
BACK = "back"                # control targets, handled by the walker
RESUME = "resume"
CONTROLS = "utter_guide_controls"   # the Back and Main menu quick replies added to every step
RESUME_OFFER = "utter_guide_resume"  # "continue the steps?" after an answer to something else
_PAYLOAD = re.compile(r"^/guide(\{.*\})$", re.DOTALL)


def tree_of_topic(topic: str) -> str | None:
    """The tree a topic holds (`guide_hacked_account` → `hacked_account`), or None."""
    return topic[len(TOPIC_PREFIX):] if topic.startswith(TOPIC_PREFIX) else None


def start_step(tree: str) -> str:
    """The name of a tree's first step."""
    return f"{TOPIC_PREFIX}{tree}"


def parse_payload(payload: str | None) -> dict[str, str] | None:
    """The fields of a guide payload (`/guide{...}`), or None for any other payload."""
    match = _PAYLOAD.match(payload or "")
    if not match:
        return None
    try:
        fields = json.loads(match[1])
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    return {str(key): str(value) for key, value in fields.items()}


def make_payload(**fields: str) -> str:
    """A guide payload carrying `fields` (the step it was tapped at, the step it leads to)."""
    return "/guide" + json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Option:
    """A quick reply of a step that leads on inside the tree (to a step or to a person)."""

    title: str
    target: str


@dataclass(frozen=True)
class Step:
    """One step: an answer whose quick replies lead on."""

    response: Response

    @property
    def name(self) -> str:
        """The answer's name."""
        return self.response.name

    def options(self, language: str) -> list[Option]:
        """The quick replies in `language` that lead on inside the tree."""
        version = self.response.versions.get(language)
        found = []
        for choice in version.quick_replies if version else ():
            fields = parse_payload(choice.payload)
            if fields and fields.get("to"):
                found.append(Option(choice.title, fields["to"]))
        return found

    def question(self, language: str) -> str:
        """What the step asks (its last bubble), for the case summary."""
        version = self.response.versions.get(language)
        return version.bubbles[-1] if version and version.bubbles else ""


@dataclass(frozen=True)
class Tree:
    """A tree's steps by name."""

    name: str
    steps: dict[str, Step]

    @property
    def start(self) -> str:
        """The first step's name."""
        return start_step(self.name)


def trees(responses: dict[str, Response]) -> dict[str, Tree]:
    """Every tree in the answers, by name."""
    found: dict[str, dict[str, Step]] = {}
    for response in responses.values():
        tree = tree_of_topic(response.topic)
        if tree:
            found.setdefault(tree, {})[response.name] = Step(response)
    return {name: Tree(name, steps) for name, steps in found.items()}


def tree_for_step(responses: dict[str, Response], step: str) -> Tree | None:
    """The tree a step belongs to, or None if it is no step."""
    response = responses.get(step)
    tree = tree_of_topic(response.topic) if response else None
    return trees(responses).get(tree) if tree else None


def guide_command(reply: dict[str, Any]) -> tuple[str, str] | None:
    """The tree an NLG reply's `guide` command starts, and the step it starts at (the first
    unless the command names one: a finer topic can go straight to its case)."""
    custom = reply.get("custom")
    if isinstance(custom, dict) and custom.get("command") == "guide":
        tree = str(custom.get("tree") or "")
        return tree, str(custom.get("step") or start_step(tree))
    return None


def step_payloads(responses: dict[str, Response], topic: str) -> list[str]:
    """The payloads an editor may give a quick reply of an answer in `topic`: the steps of its
    own tree and a person, or (outside a tree) the first step of each tree."""
    found = trees(responses)
    tree = found.get(tree_of_topic(topic) or "")
    if tree:
        return [make_payload(to=name) for name in tree.steps] + [make_payload(to=PERSON)]
    return [make_payload(to=each.start) for each in found.values()]
