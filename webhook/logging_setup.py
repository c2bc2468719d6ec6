"""Structured logs without message text or raw user ids.

Log lines carry `user_ref(psid)`, a keyed hash that lets staff follow one conversation in the
logs without the logs revealing who it is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sys

_KEY = os.environ.get("LOG_HASH_KEY", "") or os.urandom(16).hex()
_RESERVED = set(vars(logging.makeLogRecord({})))


def user_ref(psid: str) -> str:
    """A short keyed hash of a user id, stable within one deployment's key."""
    return hmac.new(_KEY.encode(), psid.encode(), hashlib.sha256).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"t": round(record.created, 3), "level": record.levelname,
                 "logger": record.name, "msg": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    """Send JSON logs to stderr (once per process)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
