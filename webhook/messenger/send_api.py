"""The Send API client: messages, sender actions and thread control, with retries.

Every call goes to `{graph_url}/{version}/me/...` with the Page token in the `Authorization`
header and `appsecret_proof` in the JSON body: neither is ever in a URL, which proxies, access
logs and urllib3's DEBUG lines would keep (decisions 34).

Transient failures are retried with exponential backoff and full jitter:
Graph codes 1, 2, 4, 17, 32, 613 and 1200 (Meta's "temporary send message failure"), HTTP 5xx,
connection errors and timeouts. Permanent ones never are: codes 10, 100, 190, 551, 1545041 and
2018278 (as code or subcode), and any other 4xx. A retried timeout can deliver a message twice:
Graph may have sent it before the answer was lost.

Errors (this module's only exception tree; `requests` errors are translated at the boundary)::

    SendError(Exception)          .code .subcode .http_status .permanent .message .attempts
    ├── TransientSendError        still failing after every attempt: try again later
    └── PermanentSendError        will never succeed as sent: do not retry

No token, proof or message text reaches a log line or an exception message; a recipient
appears only as a short hash (`recipient_tag`). Caller mistakes (an unknown sender action, a
tag without MESSAGE_TAG) raise ValueError before anything is sent.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any

import requests

from webhook import metrics
from webhook.logging_setup import user_ref
from webhook.messenger.signature import appsecret_proof

TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 1200})
PERMANENT_CODES = frozenset({10, 100, 190, 551, 1545041, 2018278})
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
SENDER_ACTIONS = ("typing_on", "typing_off", "mark_seen")
PAGE_INBOX_APP_ID = 263902037430900
_SECRET_PARAM = re.compile(r"(access_token|appsecret_proof)=[^&\s'\"]*")

log = logging.getLogger(__name__)


class SendError(Exception):
    """A Graph API call failed; `permanent` says whether trying again could help."""

    permanent = False

    def __init__(self, message: str, *, code: int | None = None, subcode: int | None = None,
                 http_status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code, self.subcode, self.http_status = code, subcode, http_status
        self.attempts = attempts


class TransientSendError(SendError):
    """Graph was busy, rate-limited or unreachable, and still was after the last attempt."""


class PermanentSendError(SendError):
    """Graph refused the call for good (bad token, user unreachable, outside the window...)."""

    permanent = True


def is_transient(code: int | None, subcode: int | None, http_status: int | None) -> bool:
    """True when a Graph error is worth retrying (permanent codes win over HTTP 5xx)."""
    if code in PERMANENT_CODES or subcode in PERMANENT_CODES:
        return False
    if code in TRANSIENT_CODES:
        return True
    return http_status is not None and http_status >= 500


def recipient_tag(recipient_id: str) -> str:
    """The keyed hash of a recipient id (as `user` in other log lines), the only form of it
    that goes in logs: a plain hash of a numeric id could be reversed by trying them all."""
    return user_ref(recipient_id)


def bearer(page_token: str) -> dict[str, str]:
    """The header that carries the Page token (never the query string)."""
    return {"Authorization": f"Bearer {page_token}"}


def error_from_response(response: requests.Response, secrets: tuple[str, ...] = ()) -> SendError:
    """The SendError for a non-2xx Graph answer, from Meta's error JSON when there is one."""
    error = _json_object(response).get("error")
    error = error if isinstance(error, dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    text = str(error.get("message") or response.reason or "no message")
    for secret in secrets:
        text = text.replace(secret, "[redacted]") if secret else text
    status = response.status_code
    message = f"Graph error code={code} subcode={subcode} http={status}: {text[:200]}"
    kind = TransientSendError if is_transient(code, subcode, status) else PermanentSendError
    return kind(message, code=code, subcode=subcode, http_status=status)


def translate_request_error(exc: requests.RequestException) -> SendError:
    """The SendError for a failed `requests` call; scrubs the URL's secrets from `exc` first.

    Raise the result `from exc`: the chained error then carries no token or proof.
    """
    exc.args = (_SECRET_PARAM.sub(r"\1=[redacted]", str(exc)),)
    exc.__cause__, exc.__context__, exc.__suppress_context__ = None, None, True
    name = type(exc).__name__
    retryable = (requests.ConnectionError, requests.Timeout,
                 requests.exceptions.ChunkedEncodingError)
    if isinstance(exc, retryable):
        return TransientSendError(f"no answer from the Graph API ({name})")
    return PermanentSendError(f"the Graph API request could not be made ({name})")


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SendApi:
    """Sends to one Page through the Graph API, retrying what is worth retrying."""

    def __init__(self, graph_url: str, version: str, page_token: str, app_secret: str, *,
                 max_attempts: int = 5, base_delay: float = 0.2, max_delay: float = 5.0,
                 timeout: float = 10.0, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        proof = appsecret_proof(page_token, app_secret)
        self._base = f"{graph_url.rstrip('/')}/{version}/me"
        self._headers = bearer(page_token)
        self._proof = proof
        self._secrets = (page_token, proof)
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        self.timeout = timeout
        self._session = session or requests.Session()
        self._sleep = sleep
        self._rng = rng or random.Random()

    @classmethod
    def from_config(cls, config: dict[str, Any], **tuning: Any) -> SendApi:
        """A client from the app's configuration (GRAPH_API_URL, FB_PAGE_ACCESS_TOKEN, ...)."""
        return cls(config["GRAPH_API_URL"], config["GRAPH_API_VERSION"],
                   config["FB_PAGE_ACCESS_TOKEN"], config["FB_APP_SECRET"], **tuning)

    def send_message(self, recipient_id: str, message: dict[str, Any],
                     messaging_type: str = "RESPONSE", tag: str | None = None) -> str:
        """Send one message (text, quick replies, template...); returns Graph's message id.

        `tag` (e.g. HUMAN_AGENT) goes with messaging_type MESSAGE_TAG and only with it.
        """
        if messaging_type not in MESSAGING_TYPES:
            raise ValueError(f"messaging_type must be one of {', '.join(MESSAGING_TYPES)}")
        if (messaging_type == "MESSAGE_TAG") != (tag is not None):
            raise ValueError("a tag is required with MESSAGE_TAG and allowed with nothing else")
        body: dict[str, Any] = {"recipient": {"id": recipient_id},
                                "messaging_type": messaging_type, "message": message}
        if tag is not None:
            body["tag"] = tag
        message_id = self._call("messages", body, recipient_id).get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise PermanentSendError("Graph accepted the message but gave no message id",
                                     http_status=200)
        return message_id

    def sender_action(self, recipient_id: str, action: str) -> None:
        """Show typing_on / typing_off, or mark the conversation seen (mark_seen)."""
        if action not in SENDER_ACTIONS:
            raise ValueError(f"sender action must be one of {', '.join(SENDER_ACTIONS)}")
        self._call("messages", {"recipient": {"id": recipient_id}, "sender_action": action},
                   recipient_id)

    def pass_thread_control(self, recipient_id: str,
                            target_app_id: int | str = PAGE_INBOX_APP_ID,
                            metadata: str = "") -> None:
        """Hand the conversation to another app (by default the Page Inbox, for staff)."""
        self._thread_control("pass_thread_control", recipient_id,
                             {"target_app_id": target_app_id, "metadata": metadata})

    def take_thread_control(self, recipient_id: str, metadata: str = "") -> None:
        """Take the conversation back from whichever app holds it."""
        self._thread_control("take_thread_control", recipient_id, {"metadata": metadata})

    def release_thread_control(self, recipient_id: str, metadata: str = "") -> None:
        """Give the conversation back to the app that passed it (as the secondary receiver)."""
        self._thread_control("release_thread_control", recipient_id, {"metadata": metadata})

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): full jitter, capped."""
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self._rng.uniform(0, cap)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    def _thread_control(self, action: str, recipient_id: str, extra: dict[str, Any]) -> None:
        reply = self._call(action, {"recipient": {"id": recipient_id}, **extra}, recipient_id)
        if reply.get("success") is not True:
            raise PermanentSendError(f"{action} was not accepted", http_status=200)

    def _call(self, endpoint: str, body: dict[str, Any], recipient_id: str) -> dict[str, Any]:
        """POST with retries; the answer's JSON object, or the last error raised."""
        attempt = 1
        while True:
            try:
                reply = self._post(endpoint, body)
                metrics.record_send("ok")
                return reply
            except PermanentSendError as exc:
                metrics.record_send("permanent", exc.code)
                exc.attempts = attempt
                self._log("gave up (permanent)", endpoint, exc, attempt, recipient_id)
                raise
            except TransientSendError as exc:
                metrics.record_send("transient", exc.code)
                exc.attempts = attempt
                if attempt >= self.max_attempts:
                    self._log("gave up (retries exhausted)", endpoint, exc, attempt, recipient_id)
                    raise
                delay = self.backoff(attempt)
                self._log(f"retrying in {delay:.2f}s", endpoint, exc, attempt, recipient_id)
                self._sleep(delay)
                attempt += 1

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """One attempt; raises TransientSendError or PermanentSendError on failure."""
        try:
            response = self._session.post(f"{self._base}/{endpoint}", headers=self._headers,
                                          json={**body, "appsecret_proof": self._proof},
                                          timeout=self.timeout)
        except requests.RequestException as exc:
            raise translate_request_error(exc) from exc
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, self._secrets)
        return _json_object(response)

    def _log(self, outcome: str, endpoint: str, exc: SendError, attempt: int,
             recipient_id: str) -> None:
        log.warning("Send API %s failed: code=%s subcode=%s http=%s attempt=%d/%d "
                    "recipient=%s: %s", endpoint, exc.code, exc.subcode, exc.http_status,
                    attempt, self.max_attempts, recipient_tag(recipient_id), outcome)
