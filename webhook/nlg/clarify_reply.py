"""The "did you mean A or B?" question, in place of the plain fallback (issue 12 §3).

The topic-aware fallback classifier predicts `nlu_fallback` when two topics are close
(bot.clarify); Rasa then asks for `utter_fallback`. Here that becomes `utter_clarify` with the
two topics as quick replies, labelled with the main menu's titles (so staff wording is used)
and carrying the most likely intent of each topic as the payload.
"""

from __future__ import annotations

from typing import Any

from bot import clarify
from webhook.content.model import ContentSet
from webhook.content.render import to_nlg_reply

QUESTION = "utter_clarify"
MENU = "utter_menu"


def clarify_reply(tracker: dict[str, Any], content: ContentSet,
                  language: str) -> dict[str, Any] | None:
    """The question's NLG reply, or None when the plain fallback should be sent."""
    latest = tracker.get("latest_message") or {}
    if (latest.get("intent") or {}).get("name") != "nlu_fallback":
        return None
    # the compact body (bot/nlg_client.py) carries the decision; Rasa's own, the whole ranking
    offered = [tuple(pair) for pair in latest.get("clarify") or []] \
        or clarify.options(latest.get("intent_ranking") or [])
    question, menu = content.responses.get(QUESTION), content.responses.get(MENU)
    if len(offered) != 2 or question is None or menu is None:
        return None
    labels = menu_titles(menu, language)
    if any(topic not in labels for topic, _ in offered):
        return None
    if language not in question.versions:
        language = next(iter(question.versions))
    (first, first_intent), (second, second_intent) = offered
    values = {"first_topic": labels[first], "second_topic": labels[second]}
    reply = to_nlg_reply(question, language, content.settings, values)
    choices = [{"title": labels[first], "payload": f"/{first_intent}", "type": "quick_reply"},
               {"title": labels[second], "payload": f"/{second_intent}", "type": "quick_reply"}]
    reply["buttons"] = choices + reply.get("buttons", [])
    return reply


def topic_titles(content: ContentSet, language: str) -> dict[str, str]:
    """Topic -> the main menu's title for it in `language` ({} when there is no menu)."""
    menu = content.responses.get(MENU)
    return menu_titles(menu, language) if menu else {}


def menu_titles(menu: Any, language: str) -> dict[str, str]:
    """Topic -> the main menu's title for it (staff wording) in `language`."""
    version = menu.versions.get(language) or next(iter(menu.versions.values()))
    return {choice.payload.lstrip("/"): choice.title
            for choice in version.quick_replies if choice.payload}
