"""The case summary a moderator sees when guided steps end in "talk to a person".

Stored by the walker as step names, targets and the titles tapped; shown from the content as
it is published now, in English (the console's language) and, beside it, in the user's language
when that is Khmer, so a moderator reads it in theirs and sees what the user saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from webhook.content.model import Response
from webhook.guides.tree import Step, trees

CONSOLE_LANGUAGE = "en"


@dataclass(frozen=True)
class SummaryLine:
    """One question and the answer given, by language."""

    question: dict[str, str]
    answer: dict[str, str]


@dataclass(frozen=True)
class CaseSummary:
    """The topic, the user's language and each question with its answer."""

    tree: str
    topic: str
    language: str
    lines: list[SummaryLine] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        """The console's language, then the user's if it differs."""
        return list(dict.fromkeys([CONSOLE_LANGUAGE, self.language]))


def case_summary(stored: str | None, responses: dict[str, Response]) -> CaseSummary | None:
    """The summary kept on a conversation (None when there is none or it cannot be read)."""
    try:
        data = json.loads(stored or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("tree"):
        return None
    tree = trees(responses).get(data["tree"])
    steps = tree.steps if tree else {}
    language = str(data.get("language") or CONSOLE_LANGUAGE)
    lines = [_line(steps.get(answer.get("at", "")), answer, language)
             for answer in data.get("answers", []) if isinstance(answer, dict)]
    topic = data["tree"].replace("_", " ").capitalize()
    return CaseSummary(data["tree"], topic, language, lines)


def _line(step: Step | None, answer: dict[str, str], language: str) -> SummaryLine:
    tapped = answer.get("title", "")
    if step is None:  # the step was removed since: what was tapped is all we know
        return SummaryLine({}, {language: tapped})
    index = _option_index(step, answer.get("to", ""), tapped, language)
    questions, answers = {}, {}
    for lang in dict.fromkeys([CONSOLE_LANGUAGE, language]):
        questions[lang] = step.question(lang)
        options = step.options(lang)
        answers[lang] = options[index].title if index is not None and index < len(options) \
            else tapped
    return SummaryLine(questions, answers)


def _option_index(step: Step, to: str, tapped: str, language: str) -> int | None:
    options = step.options(language)
    for index, option in enumerate(options):
        if option.target == to and option.title == tapped:
            return index
    return next((index for index, option in enumerate(options) if option.target == to), None)
