"""What /nlg accepts: Rasa's NLG request, from Rasa only, checked before anything uses it.

- Rasa's key: `Authorization: Bearer <NLG_TOKEN>` (bot/nlg_client.py sends it), compared in
  constant time; anything else is refused before the body is read (401).
- The body: at most NLG_MAX_BYTES (413), JSON (400, also when nested too deep to parse), and
  every field /nlg reads of the right type and length (400 with the field and the rule broken,
  never the value). The body is the compact one of bot/nlg_client.py; Rasa's own callback body
  has the same shape and passes while a conversation is short (at most MAX_EVENTS events and
  NLG_MAX_BYTES), which is why Rasa runs with the compact generator.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from flask import Request
from jsonschema import Draft7Validator
from werkzeug.exceptions import RequestEntityTooLarge

RESPONSE_HEADER = "X-Response-Name"  # bot.nlg_client.RESPONSE_HEADER (Rasa's process)
MAX_EVENTS = 200
_NAME = re.compile(r"[A-Za-z0-9_]{1,100}")
_TEXT = {"type": ["string", "null"], "maxLength": 2000}
_INTENT = {"type": ["object", "null"], "maxProperties": 16,
           "properties": {"name": {"type": ["string", "null"], "maxLength": 100}}}
_MESSAGE_FIELDS = {
    "text": _TEXT,
    "intent": _INTENT,
    "parse_data": {"type": ["object", "null"], "properties": {"intent": _INTENT}},
    "message_id": {"type": ["string", "null"], "pattern": r"^[A-Za-z0-9_-]{1,64}\Z"},
    "metadata": {"type": ["object", "null"], "maxProperties": 16,
                 "properties": {"language": {"type": ["string", "null"], "maxLength": 16}}},
}
_SCHEMA = {
    "type": "object",
    "required": ["response"],
    "properties": {
        "response": {"type": "string", "pattern": r"^[A-Za-z0-9_]{1,100}\Z"},
        "tracker": {"type": ["object", "null"], "properties": {
            "sender_id": {"type": ["string", "null"], "maxLength": 128},
            "slots": {"type": ["object", "null"], "maxProperties": 32,
                      "additionalProperties": {"maxLength": 200, "maxProperties": 16}},
            "latest_message": {"type": ["object", "null"], "properties": {
                **_MESSAGE_FIELDS,
                "clarify": {"type": "array", "maxItems": 2, "items": {
                    "type": "array", "minItems": 2, "maxItems": 2,
                    "items": {"type": "string", "pattern": r"^[a-z_]{1,64}\Z"}}}}},
            "events": {"type": ["array", "null"], "maxItems": MAX_EVENTS, "items": {
                "type": "object", "required": ["event"],
                "properties": {"event": {"type": "string", "maxLength": 40},
                               **_MESSAGE_FIELDS}}},
        }},
    },
}
_VALIDATOR = Draft7Validator(_SCHEMA)


class NlgRefused(Exception):
    """The request is refused: `status` and a short `reason` (no value from the request)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def response_name_hint(request: Request) -> str:
    """The response name Rasa put in the header, for logs ("?" when absent or odd)."""
    name = request.headers.get(RESPONSE_HEADER, "")
    return name if _NAME.fullmatch(name) else "?"


def checked_body(request: Request, token: str, max_bytes: int) -> dict[str, Any]:
    """The request's body once the key, the size, the JSON and every field used pass."""
    if not _authorised(request.headers.get("Authorization", ""), token):
        raise NlgRefused(401, "missing or wrong NLG token")
    request.max_content_length = max_bytes
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise NlgRefused(413, f"body larger than {max_bytes} bytes") from None
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise NlgRefused(400, "body is not JSON (or is nested too deep)") from None
    error = next(iter(_VALIDATOR.iter_errors(body)), None)
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "body"
        raise NlgRefused(400, f"{where}: fails {error.validator}")
    return body


def _authorised(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
