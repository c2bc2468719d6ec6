"""POST /nlg: Rasa asks for the words of a response; we answer from the content store."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from webhook.content.render import to_nlg_reply
from webhook.insights import hooks as insights
from webhook.nlg.clarify_reply import clarify_reply
from webhook.nlg.handoff_reason import handoff_reason
from webhook.nlg.language_choice import answer_language

bp = Blueprint("nlg", __name__)


@bp.post("/nlg")
def generate():  # noqa: ANN201 - a Flask view
    """Rasa's NLG callback (request and reply format: rasa.core.nlg.callback)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("response"), str):
        abort(400, description="expected Rasa's NLG request with a 'response' name")
    content = current_app.extensions["content_store"].current()
    response = content.responses.get(body["response"])
    if response is None:
        abort(404, description=f"no answer named {body['response']!r}")
    tracker = body.get("tracker") or {}
    settings = content.settings
    language = answer_language(tracker, settings.default_language)
    if language not in response.versions:
        language = next(iter(response.versions))
    reply = None
    if body["response"] == "utter_fallback":
        reply = clarify_reply(tracker, content, language)
    if reply is None:
        reply = to_nlg_reply(response, language, settings)
    if reply.get("custom", {}).get("command") == "handoff":
        reply["custom"]["reason"] = handoff_reason(tracker)
    insights.nlg_reply(current_app.extensions.get("redis"), body["response"], tracker,
                       language, reply)
    return jsonify(reply)
