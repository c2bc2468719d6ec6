"""`python -m bot.serve run …`: Rasa's server (the arguments of `rasa run`), with logs that hold
no message text and no user ids, and its HTTP API behind RASA_TOKEN.

`run` gets `--auth-token` from the environment (RASA_TOKEN), never from the command line where
`ps` would show it; without RASA_TOKEN it refuses to start. The REST channel checks the same
token (bot/channels.py).

Rasa logs a message it failed to handle with its text and a traceback whose frames list their
local variables, the sender id among them (`rest.message.received.failure`); lock and
circuit-breaker messages name the conversation; at DEBUG every message is logged. So every log
record of this process, whichever library makes it, goes through `redact` (a log record factory),
and DEBUG is lowered to INFO.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

HIDDEN = "[hidden]"
# Rasa's own list of keys that hold conversation content (rasa.utils.log_utils), and ids
_HIDDEN_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message",
    "sender", "sender_id", "recipient_id", "conversation_id",
})
# "conversation ID 'x'", "conversation_id 'x'", "sender 'x'", "sender id 'x'", "for id 'x'"
_QUOTED_ID = re.compile(r"\b((?:conversation|sender|recipient)(?:[ _]id)?|for id) '[^']*'",
                        re.IGNORECASE)
_DEBUG_FLAGS = {"--debug", "-vv"}


def redact(message: str) -> str:
    """`message` without ids in quotes and, for structured (JSON) lines, without content."""
    if message.startswith("{"):
        try:
            entry = json.loads(message)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            message = json.dumps(_redact_entry(entry), ensure_ascii=False, default=str)
    return _QUOTED_ID.sub(rf"\1 '{HIDDEN}'", message)


def _redact_entry(entry: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: HIDDEN if key in _HIDDEN_KEYS else value for key, value in entry.items()}
    for error in cleaned.get("exception") or []:
        if isinstance(error, dict):  # structlog's dict tracebacks: frames carry locals
            for frame in error.get("frames") or []:
                if isinstance(frame, dict):
                    frame.pop("locals", None)
    return cleaned


def _redacting_factory(previous: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format: logging reports it later
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return record

    return factory


def install() -> None:
    """Redact every log record made from now on in this process (once)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacting", False):
        factory = _redacting_factory(current)
        factory.redacting = True
        logging.setLogRecordFactory(factory)


def no_debug(argv: list[str], environ: MutableMapping[str, str]) -> list[str]:
    """The arguments without Rasa's debug flags; LOG_LEVEL at INFO at least."""
    level = environ.get("LOG_LEVEL", "")
    number = logging.getLevelName(level.upper()) if level else logging.INFO
    if not isinstance(number, int) or number < logging.INFO:
        environ["LOG_LEVEL"] = "INFO"
    return [arg for arg in argv if arg not in _DEBUG_FLAGS]


class MissingToken(SystemExit):
    """`rasa run` without RASA_TOKEN: Rasa's API would be open to anyone who reaches it."""


def with_auth_token(argv: list[str], environ: MutableMapping[str, str]) -> list[str]:
    """For `run`: the arguments with `--auth-token` from RASA_TOKEN (a token given on the
    command line is refused: `ps` shows it). Other commands are left as they are."""
    if "run" not in argv[1:2]:
        return argv
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise MissingToken("give the token as RASA_TOKEN, not --auth-token (ps shows arguments)")
    token = environ.get("RASA_TOKEN", "")
    if not token:
        raise MissingToken("RASA_TOKEN is not set: Rasa's HTTP API would be open "
                           "(make run generates one; production sets it)")
    return [*argv, "--auth-token", token]


def main() -> None:
    """Run Rasa's command line with redacted logs and, for `run`, the API token."""
    install()
    sys.argv = with_auth_token(no_debug(sys.argv, os.environ), os.environ)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
