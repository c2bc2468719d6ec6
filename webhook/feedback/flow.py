"""Asking "Did this help?" and taking the answers, in the worker, without Rasa.

After a topic answer (not the greeting, the menu or a handoff message), at most once per user
per day, the answer's last bubble gets a question bubble after it that carries 👍 / 👎 and the
answer's own quick replies (Messenger shows quick replies on the last message only, so moving
them keeps every choice in sight). Answers that offer a person are never followed by the
question: that offer must stay the last thing the user sees.
"""

from __future__ import annotations

import json
import re
from typing import Any

from webhook.content.model import Content
from webhook.feedback.store import FeedbackStore
from webhook.pipeline.render import render

ASK = "utter_feedback_ask"
THANKS = "utter_feedback_thanks"
MISSING = "utter_feedback_missing"
UP, DOWN = "/feedback_up", "/feedback_down"
NOT_TOPICS = frozenset({"basics", "handoff"})
OFFER_OF_A_PERSON = "/request_human"
_PAYLOAD = re.compile(r"^(?P<vote>/feedback_(?:up|down))(?P<args>\{.*)?$", re.DOTALL)
HELPFUL = frozenset({"love", "like", "❤", "❤️", "👍", "😍", "😆", "😮"})
NOT_HELPFUL = frozenset({"sad", "angry", "dislike", "😢", "😠", "👎"})


def topic_answer(names: list[str], content: Content) -> str:
    """The last answer among `names` that belongs to a topic ('' if none)."""
    responses = content.responses()
    topical = [name for name in names
               if name in responses and responses[name].topic not in NOT_TOPICS
               and not responses[name].topic.startswith("guide_")
               and not responses[name].command]  # starts guided steps, hands over...
    return topical[-1] if topical else ""


def with_question(messages: list[dict[str, Any]], answer: str, language: str,
                  content: Content) -> list[dict[str, Any]]:
    """`messages` followed by "Did this help?" (with the last message's quick replies)."""
    if not messages or _offers_a_person(messages[-1]):
        return messages
    question = render([content.reply(ASK, language)]).messages
    if not question:
        return messages
    *before, last = messages
    own = last.get("quick_replies", [])
    last = {key: value for key, value in last.items() if key != "quick_replies"}
    votes = [{**reply, "payload": _vote_payload(reply.get("payload", ""), answer)}
             for reply in question[-1].get("quick_replies", [])]
    question[-1]["quick_replies"] = (votes + own)[:13]
    return [*before, last, *question]


def vote_of(payload: str) -> tuple[str, str] | None:
    """(vote, answer) of a tapped 👍 / 👎 payload, else None."""
    match = _PAYLOAD.match(payload or "")
    if not match:
        return None
    try:
        answer = json.loads(match["args"] or "{}").get("answer", "")
    except (ValueError, AttributeError):  # not JSON, or JSON but not an object
        answer = ""
    return match["vote"], str(answer)[:100]


def answer_vote(payload: str, psid: str, language: str, content: Content,
                store: FeedbackStore) -> list[dict[str, Any]]:
    """Count a 👍 / 👎 and say thanks, or ask what was missing (offering a person)."""
    vote, answer = vote_of(payload) or ("", "")
    store.count(answer, language, "up" if vote == UP else "down")
    if vote == UP:
        return [content.reply(THANKS, language)]
    store.expect_missing(psid, answer)
    return [content.reply(MISSING, language)]


def reaction_vote(emoji: str, reaction: str) -> str:
    """'up', 'down' or '' for a Messenger reaction."""
    if reaction in HELPFUL or emoji in HELPFUL:
        return "up"
    if reaction in NOT_HELPFUL or emoji in NOT_HELPFUL:
        return "down"
    return ""


def _vote_payload(payload: str, answer: str) -> str:
    base = payload.split("{")[0]
    return f'{base}{{"answer": "{answer}"}}' if base in (UP, DOWN) else payload


def _offers_a_person(message: dict[str, Any]) -> bool:
    replies = message.get("quick_replies", [])
    buttons = message.get("attachment", {}).get("payload", {}).get("buttons", [])
    return any(str(item.get("payload", "")).startswith(OFFER_OF_A_PERSON)
               for item in [*replies, *buttons])
