"""The calls the worker, /nlg and the handoff service make to record insights.

Every hook swallows its own failures (logged, without text or ids): counting must never stop
the assistant from answering or a moderator from claiming a case.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import redis

from webhook.insights import errors, once, stats, unanswered
from webhook.insights.tracker import (
    counted_intent,
    intent_of,
    is_fallback,
    question_before_handoff,
    typed,
)

log = logging.getLogger(__name__)


def _never_raises(hook: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(hook)
    def safe(client: redis.Redis | None, *args: Any, **kwargs: Any) -> None:
        if client is None:
            return
        try:
            hook(client, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - insights are never worth a failed answer
            log.warning("insights not recorded", extra={"hook": hook.__name__,
                                                        "error": type(error).__name__})

    return safe


@_never_raises
def message_received(client: redis.Redis, psid: str) -> None:
    """The worker recorded a user message (once per message, whoever answers it)."""
    stats.record_message(client, psid, time.time())


@_never_raises
def nlg_reply(client: redis.Redis, response: str, tracker: dict[str, Any], language: str,
              reply: dict[str, Any]) -> None:
    """/nlg answered `response` for Rasa: count the turn (once per user message, however many
    responses it gets), a fallback, and keep the question a fallback or handoff left open."""
    latest = tracker.get("latest_message") or {}
    message_id = latest.get("message_id")
    if not message_id:  # Rasa always sets one; without it nothing can be counted once
        return
    now = time.time()
    if once.first_time(client, "turn", message_id):
        stats.record_turn(client, counted_intent(intent_of(latest)), language, now)
    if is_fallback(response, latest) and once.first_time(client, "fallback", message_id):
        stats.record_fallback(client, now)
        _keep_question(client, latest, "fallback", now)
    if (reply.get("custom") or {}).get("command") == "handoff":
        question = question_before_handoff(tracker)
        if question:
            _keep_question(client, question, "handoff", now)


@_never_raises
def no_answer(client: redis.Redis) -> None:
    """Rasa gave no answer to a user message (the worker sent the fallback instead)."""
    errors.record(client, errors.NO_ANSWER, time.time())


@_never_raises
def handoff_queued(client: redis.Redis, reason: str, now: float) -> None:
    """A conversation was queued for a person."""
    stats.record_handoff(client, reason, now)


@_never_raises
def handoff_claimed(client: redis.Redis, waited_seconds: float, now: float) -> None:
    """A person took a waiting conversation after `waited_seconds`."""
    stats.record_wait(client, waited_seconds, now)


def _keep_question(client: redis.Redis, message: dict[str, Any], kind: str, now: float) -> None:
    """One record per user message: a fallback that then led to a handoff stays a fallback."""
    message_id = message.get("message_id")
    if not typed(message) or not message_id:
        return
    if once.first_time(client, "question", str(message_id)):
        from webhook.services import retention_seconds  # services imports the handoff service

        unanswered.record(client, message["text"], kind, now, retention_seconds())
