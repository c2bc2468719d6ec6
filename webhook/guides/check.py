"""Refuse a guided-steps tree that would strand or confuse someone.

Checked for every tree (in `make content-check`, on import and when an editor publishes a step):
a missing first step, a missing language, a step with no way on (dead end), a quick reply leading
to no step of the tree, English and Khmer leading to different steps, a step no path reaches, a
tree with no way to a person, too many quick replies once Back and Main menu are added, and a
list of more than five points. Answers carrying the `guide` command must name a tree.
"""

from __future__ import annotations

import re

from webhook.content import limits
from webhook.content.loader import file_of_topic
from webhook.content.model import LANGUAGES, Response
from webhook.content.validate import Problem
from webhook.guides.tree import (
    BACK,
    PERSON,
    RESUME,
    Step,
    Tree,
    parse_payload,
    tree_of_topic,
    trees,
)

CONTROL_COUNT = 2             # Back and Main menu, added to every step by the walker
MAX_LIST_POINTS = 5           # house style for readers with little schooling
_POINT = re.compile(r"^\s*(?:\d+[.)]|[០-៩]+[.)]|[-•*])\s", re.MULTILINE)


def guide_problems(responses: dict[str, Response]) -> list[Problem]:
    """Every problem of every tree, and of answers that start a tree."""
    found = trees(responses)
    problems = [problem for tree in found.values() for problem in tree_problems(tree)]
    steps = {name for tree in found.values() for name in tree.steps} | {BACK, RESUME}
    for response in responses.values():
        if tree_of_topic(response.topic):
            continue
        problems += _command_problems(response, found)
        problems += _entry_problems(response, steps)
    return problems


def _command_problems(response: Response, found: dict[str, Tree]) -> list[Problem]:
    command = response.command or {}
    if command.get("name") != "guide":
        return []
    tree = found.get(str(command.get("tree")))
    where = f"{_file(response)}: {response.name}.command"
    if tree is None:
        return [Problem(where, f"starts the guided steps {command.get('tree')!r}, which do not "
                               "exist")]
    if command.get("step") and command["step"] not in tree.steps:
        return [Problem(where, f"starts at {command['step']!r}, which is no step of "
                               f"{tree.name}")]
    return []


def _entry_problems(response: Response, steps: set[str]) -> list[Problem]:
    """Quick replies of ordinary answers that lead into guided steps must name a step."""
    problems = []
    for language, version in response.versions.items():
        for index, choice in enumerate(version.quick_replies):
            fields = parse_payload(choice.payload) if choice.payload else None
            if fields is not None and fields.get("to") not in steps:
                problems.append(Problem(
                    f"{_file(response)}: {response.name}.{language}.quick_replies[{index}]"
                    ".payload", "leads to no step of guided steps"))
    return problems


def problems_with_step(responses: dict[str, Response], step: Response) -> list[Problem]:
    """The problems of the tree `step` belongs to, with `step` as edited (none outside a
    tree). A problem of another step names that step in its message, for the editor."""
    tree = trees({**responses, step.name: step}).get(tree_of_topic(step.topic) or "")
    problems = tree_problems(tree) if tree else []
    mine = (f": {step.name}", f": {step.name}.")
    return [problem if problem.where.endswith(mine[0]) or mine[1] in problem.where
            else Problem(problem.where, f"{problem.where}: {problem.message}")
            for problem in problems]


def tree_problems(tree: Tree) -> list[Problem]:
    """Everything wrong with one tree."""
    if tree.start not in tree.steps:
        return [Problem(f"guides/{tree.name}.yml", f"no first step: add {tree.start}")]
    problems = []
    for step in tree.steps.values():
        problems += _step_problems(tree, step)
    reached = _reachable(tree)
    problems += [Problem(_where(step), "no quick reply of the tree leads here (unreachable)")
                 for name, step in tree.steps.items() if name not in reached]
    if not any(option.target == PERSON for name in reached
               for option in tree.steps[name].options(LANGUAGES[0])):
        problems.append(Problem(f"guides/{tree.name}.yml", "no step offers a person"))
    return problems


def _step_problems(tree: Tree, step: Step) -> list[Problem]:
    where = _where(step)
    problems = [Problem(f"{where}.{language}", "missing: every step needs English and Khmer")
                for language in LANGUAGES if language not in step.response.versions]
    targets = {language: [option.target for option in step.options(language)]
               for language in step.response.versions}
    if len({tuple(found) for found in targets.values()}) > 1:
        problems.append(Problem(where, "the English and Khmer quick replies must lead to the "
                                       "same steps, in the same order"))
    for language, version in step.response.versions.items():
        if not targets[language]:
            problems.append(Problem(f"{where}.{language}.quick_replies",
                                    "dead end: add a quick reply to another step or to a person"))
        problems += _target_problems(tree, step, language)
        if len(version.quick_replies) + CONTROL_COUNT > limits.MAX_QUICK_REPLIES:
            problems.append(Problem(f"{where}.{language}.quick_replies",
                                    f"at most {limits.MAX_QUICK_REPLIES - CONTROL_COUNT} "
                                    "(Back and Main menu are added)"))
        for index, bubble in enumerate(version.bubbles):
            if len(_POINT.findall(bubble)) > MAX_LIST_POINTS:
                problems.append(Problem(f"{where}.{language}.bubbles[{index}]",
                                        f"at most {MAX_LIST_POINTS} points in a list"))
    return problems


def _target_problems(tree: Tree, step: Step, language: str) -> list[Problem]:
    problems = []
    for index, choice in enumerate(step.response.versions[language].quick_replies):
        if not str(choice.payload or "").startswith("/guide"):
            continue
        target = (parse_payload(choice.payload) or {}).get("to")
        if target != PERSON and target not in tree.steps:
            problems.append(Problem(f"{_where(step)}.{language}.quick_replies[{index}].payload",
                                    "leads to no step of these guided steps"))
    return problems


def _reachable(tree: Tree) -> set[str]:
    reached, todo = {tree.start}, [tree.start]
    while todo:
        step = tree.steps[todo.pop()]
        for language in LANGUAGES:
            for option in step.options(language):
                if option.target in tree.steps and option.target not in reached:
                    reached.add(option.target)
                    todo.append(option.target)
    return reached


def _where(step: Step) -> str:
    return f"{_file(step.response)}: {step.name}"


def _file(response: Response) -> str:
    return file_of_topic(response.topic)
