"""Why a case went to a person, in the page's language: the handoff reason is a code (the
routing rules use it), shown to moderators as words with the code beside it."""

from __future__ import annotations

from flask_babel import gettext


def reason_name(reason: str, titles: dict[str, str]) -> str:
    """Words for `reason`: the main menu's title of an urgent topic (`titles`, from
    webhook.nlg.clarify_reply.topic_titles), or what happened."""
    if not reason:
        return ""
    if reason.startswith("guide_"):
        return gettext("Guided steps ended in “talk to a person”")
    fixed = {"user_request": gettext("They asked for a person"),
             "fallback": gettext("The assistant did not understand them"),
             "rasa_unavailable": gettext("The assistant was not answering")}
    if reason in fixed:
        return fixed[reason]
    return titles.get(reason, reason)
