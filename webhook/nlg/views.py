"""POST /nlg: Rasa asks for the words of a response; we answer from the content store."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, request

from webhook.content.render import to_nlg_reply
from webhook.insights import hooks as insights
from webhook.internal import internal_only
from webhook.nlg.clarify_reply import clarify_reply
from webhook.nlg.handoff_reason import handoff_why
from webhook.nlg.language_choice import answer_language
from webhook.nlg.request import NlgRefused, checked_body, response_name_hint
from webhook.scamcheck.conversation import CheckerSource, nlg_answer

bp = Blueprint("nlg", __name__)
log = logging.getLogger(__name__)


@bp.post("/nlg")
def generate():  # noqa: ANN201 - a Flask view
    """Rasa's NLG callback (request: bot/nlg_client.py; reply: rasa.core.nlg.callback)."""
    internal_only()  # with INTERNAL_PORT set, the public listener has no /nlg (decision 67)
    try:
        body = checked_body(request, current_app.config["NLG_TOKEN"],
                            current_app.config["NLG_MAX_BYTES"])
    except NlgRefused as refused:
        _log_refusal(response_name_hint(request), refused.status, refused.reason)
        abort(refused.status, description=refused.reason)
    content = current_app.extensions["content_store"].current()
    response = content.responses.get(body["response"])
    if response is None:
        _log_refusal(body["response"], 404, "no such answer")
        abort(404, description=f"no answer named {body['response']!r}")
    tracker = body.get("tracker") or {}
    settings = content.settings
    language = answer_language(tracker, settings.default_language)
    if language not in response.versions:
        language = next(iter(response.versions))
    reply = clarify_reply(tracker, content, language) \
        if body["response"] == "utter_fallback" else None
    reply = reply or to_nlg_reply(response, language, settings)
    reply = _scam_check(body["response"], tracker, language) or reply
    if reply.get("custom", {}).get("command") == "handoff":
        reply["custom"].update(handoff_why(tracker))
    reply.setdefault("custom", {"response": body["response"]})  # which answer (feedback)
    insights.nlg_reply(current_app.extensions.get("redis"), body["response"], tracker,
                       language, reply)
    return jsonify(reply)


def _log_refusal(response: str, status: int, reason: str) -> None:
    """Rasa gets no answer for this response: the user may get none either (issue 16)."""
    log.error("nlg request refused", extra={"response": response, "status": status,
                                            "reason": reason})


def _scam_check(name: str, tracker: dict, language: str) -> dict | None:
    """A quoted message understood as scam_check is checked at once (webhook.scamcheck)."""
    client = current_app.extensions.get("redis")
    source = current_app.extensions.get("scamcheck")
    if source is None:
        source = current_app.extensions["scamcheck"] = CheckerSource(
            current_app.extensions["content_store"], client)
    return nlg_answer(name, tracker, language, source, client)
