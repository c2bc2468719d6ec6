"""Translation completeness: per topic, which answers lack a language, or were changed in one
language after the other was last touched (so the other may be out of date), and drafts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.taxonomy import finer_topics
from webhook.content.model import LANGUAGES, Response
from webhook.content.versions import ContentVersions


@dataclass(frozen=True)
class AnswerStatus:
    """One answer's state in the editor's overview."""

    name: str
    missing: tuple[str, ...]   # languages with no text
    older: tuple[str, ...]     # languages last changed before another language was
    revisions: dict[str, int]  # language → the version that last changed it
    draft_by: str = ""
    excerpt: str = ""          # the start of its first bubble, so staff recognise it

    @property
    def complete(self) -> bool:
        """Both languages present and neither behind the other."""
        return not self.missing and not self.older


@dataclass(frozen=True)
class TopicRow:
    """A topic and its answers."""

    topic: str
    answers: list[AnswerStatus]

    @property
    def incomplete(self) -> int:
        """How many answers lack a language or have one that is behind."""
        return sum(not answer.complete for answer in self.answers)


def answer_status(response: Response, revisions: dict[str, int],
                  draft_by: str = "") -> AnswerStatus:
    """How complete one answer's translations are."""
    missing = tuple(language for language in LANGUAGES if language not in response.versions)
    newest = max((revisions.get(language, 0) for language in LANGUAGES), default=0)
    older = tuple(language for language in LANGUAGES
                  if language not in missing and revisions.get(language, 0) < newest)
    first = next((version.bubbles[0] for version in response.versions.values()
                  if version.bubbles), "")
    excerpt = first if len(first) <= 70 else first[:69].rstrip() + "…"
    return AnswerStatus(response.name, missing, older, revisions, draft_by, excerpt)


def topic_rows(responses: dict[str, Response], versions: ContentVersions) -> list[TopicRow]:
    """Every topic (in file order) with the status of each of its answers; a sub-topic's answer
    is listed with its topic's answer (nlu_data/taxonomy.yml)."""
    drafts = versions.drafts(list(responses))
    by_topic: dict[str, list[AnswerStatus]] = {}
    for name, response in responses.items():
        draft = drafts.get(name)
        status = answer_status(response, versions.language_revisions(name),
                               draft.author if draft else "")
        by_topic.setdefault(editor_topic(name, responses), []).append(status)
    return [TopicRow(topic, answers) for topic, answers in by_topic.items()]


def editor_topic(name: str, responses: dict[str, Response]) -> str:
    """The topic file an answer is shown under: its topic answer's, for a sub-topic's answer."""
    finer = name.removeprefix("utter_")
    parent = responses.get(f"utter_{finer_topics().get(finer, finer)}")
    return parent.topic if parent is not None else responses[name].topic
