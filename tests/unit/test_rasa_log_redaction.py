"""bot/serve.py: Rasa's server logs no message text and no user ids, even when it fails.

The running server is checked in tests/integration/test_log_privacy.py; here Rasa's own logging
set-up (structlog, JSON lines, tracebacks with locals) runs in a fresh Python."""

import json
import subprocess
import sys

from bot import serve

TEXT, SENDER = "my OTP went to a stranger in Siem Reap", "psid-55501234"

RASA_FAILURE = f"""
import asyncio, logging, os, structlog
os.environ["FORCE_JSON_LOGGING"] = "1"
from bot import serve
serve.install()
from rasa.core.lock_store import LockError
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.INFO)

def handle(sender_id, text):  # like Rasa's REST channel: the text and id are locals
    raise LockError(f"Could not acquire lock for conversation_id '{{sender_id}}'.")

try:
    handle({SENDER!r}, {TEXT!r})
except LockError:
    structlog.get_logger().exception("rest.message.received.failure", text={TEXT!r})
    logging.getLogger("rasa.core.lock_store").exception("lock failed")
logging.getLogger("rasa.core.processor").warning(
    "Circuit breaker tripped. Stopped predicting more actions for sender '{SENDER}'.")
logging.getLogger("rasa.core.processor").info("Loading model %s...", "models/m.tar.gz")
"""


def test_rasa_failures_are_logged_without_text_ids_or_locals():
    done = subprocess.run([sys.executable, "-c", RASA_FAILURE], capture_output=True, text=True,
                          timeout=300, check=True)
    output = done.stdout + done.stderr
    assert "rest.message.received.failure" in output and "LockError" in output
    assert "Circuit breaker tripped" in output and "models/m.tar.gz" in output
    assert TEXT not in output and SENDER not in output
    assert '"locals"' not in output and "conversation_id '[hidden]'" in output


def test_structured_lines_lose_content_keys_and_frame_locals():
    line = json.dumps({"event": "rest.message.received.failure", "text": TEXT,
                       "sender_id": SENDER, "level": "error",
                       "exception": [{"exc_type": "KeyError", "exc_value": "'x'",
                                      "frames": [{"name": "receive", "lineno": 1,
                                                  "locals": {"text": TEXT}}]}]})
    entry = json.loads(serve.redact(line))
    assert entry["text"] == entry["sender_id"] == "[hidden]"
    assert entry["event"] == "rest.message.received.failure" and entry["level"] == "error"
    assert entry["exception"][0]["frames"] == [{"name": "receive", "lineno": 1}]


def test_plain_lines_lose_quoted_ids_only():
    assert serve.redact(f"Acquired lock for conversation '{SENDER}'.") == \
        "Acquired lock for conversation '[hidden]'."
    assert serve.redact(f"Could not find tracker for conversation ID '{SENDER}'.") == \
        "Could not find tracker for conversation ID '[hidden]'."
    assert serve.redact("Starting Rasa server on http://127.0.0.1:5005") == \
        "Starting Rasa server on http://127.0.0.1:5005"


def test_debug_is_lowered_to_info():
    environ = {"LOG_LEVEL": "DEBUG"}
    assert serve.no_debug(["rasa", "run", "--debug", "-vv", "--port", "5005"], environ) == \
        ["rasa", "run", "--port", "5005"]
    assert environ["LOG_LEVEL"] == "INFO"
    for kept in ("INFO", "WARNING", "error"):
        environ = {"LOG_LEVEL": kept}
        serve.no_debug([], environ)
        assert environ["LOG_LEVEL"] == kept
