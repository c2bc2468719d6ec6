"""Rasa's NLG callback with a small body: what the web app's /nlg uses, nothing more.

Rasa's own callback generator sends the whole tracker with every answer, so the request grows
with the conversation until the web app refuses it (issue 16). This one sends, in the same
shape as Rasa's body so /nlg reads both:

- `response`: the answer's name;
- `tracker.sender_id`: the conversation (the scam check marks it, webhook.scamcheck);
- `tracker.slots`: the slots set to a plain value (the `language` choice among them);
- `tracker.latest_message`: the latest user message's text (whole: the scam check reads a
  quoted message to its end), intent, id and language metadata, and after a close call
  between two topics the two to ask about (`clarify`, bot/clarify.py);
- `tracker.events`: the last RECENT_USER_MESSAGES user messages of the current session (why a
  handoff, which question was left open, the language of the last clear message).

Texts are cut to MAX_TEXT characters (earlier messages' to MAX_EARLIER_TEXT). The endpoint's
`token` (NLG_TOKEN) travels in the Authorization header, not in the URL as Rasa's generator
would put it, so no access log holds it; the response name also travels in a header, so a
refused request can be logged by name.
"""

from __future__ import annotations

from typing import Any

from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot import clarify

MAX_TEXT = 2000  # Messenger's longest text
MAX_EARLIER_TEXT = 1000
MAX_SLOT_TEXT = 200
RECENT_USER_MESSAGES = 3
RESPONSE_HEADER = "X-Response-Name"


class CompactNlgGenerator(CallbackNaturalLanguageGenerator):
    """`nlg: type: bot.nlg_client.CompactNlgGenerator` in endpoints.yml."""

    def __init__(self, endpoint_config: EndpointConfig, domain: Domain | None = None) -> None:
        headers = dict(endpoint_config.headers or {})
        if endpoint_config.token:
            headers["Authorization"] = f"Bearer {endpoint_config.token}"
        super().__init__(EndpointConfig(url=endpoint_config.url, headers=headers,
                                        cafile=endpoint_config.cafile))

    async def generate(self, utter_action: str, tracker: DialogueStateTracker,
                       output_channel: str, **kwargs: Any) -> dict[str, Any]:
        """The answer for `utter_action` from /nlg (Rasa's NLG reply format)."""
        response = await self.nlg_endpoint.request(
            method="post", json=nlg_body(utter_action, tracker),
            headers={RESPONSE_HEADER: utter_action}, timeout=DEFAULT_REQUEST_TIMEOUT)
        if isinstance(response, dict) and self.validate_response(response):
            return response
        raise RasaException("NLG web endpoint returned an invalid response.")


def nlg_body(response: str, tracker: DialogueStateTracker) -> dict[str, Any]:
    """The request body for one answer."""
    return {"response": response, "tracker": {
        "sender_id": tracker.sender_id,
        "slots": _plain_slots(tracker.current_slot_values()),
        "latest_message": {**_message(tracker.latest_message, MAX_TEXT),
                           **_clarify(tracker.latest_message)},
        "events": [{"event": "user", **_message(event, MAX_EARLIER_TEXT, nested=True)}
                   for event in _recent_user_messages(tracker)],
    }}


def _clarify(message: UserUttered | None) -> dict[str, Any]:
    """The two topics to ask about (bot.clarify), when the model hesitated between them: the
    whole intent ranking it is decided from is not sent."""
    if message is None or message.intent_name != "nlu_fallback":
        return {}
    offered = clarify.options((message.parse_data or {}).get("intent_ranking") or [])
    return {"clarify": [list(pair) for pair in offered]} if offered else {}


def _message(message: UserUttered | None, max_text: int,
             nested: bool = False) -> dict[str, Any]:
    if message is None:
        return {}
    intent = {"name": message.intent_name}
    metadata = message.metadata or {}
    language = metadata.get("language")
    return {
        "text": (message.text or "")[:max_text],
        **({"parse_data": {"intent": intent}} if nested else {"intent": intent}),
        "message_id": message.message_id,
        "metadata": {"language": language} if isinstance(language, str) else {},
    }


def _recent_user_messages(tracker: DialogueStateTracker) -> list[UserUttered]:
    found: list[UserUttered] = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted) or len(found) == RECENT_USER_MESSAGES:
            break
        if isinstance(event, UserUttered):
            found.append(event)
    return found[::-1]


def _plain_slots(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items()
            if isinstance(value, (bool, int, float))
            or (isinstance(value, str) and len(value) <= MAX_SLOT_TEXT)}
