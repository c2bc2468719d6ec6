"""Send messages to a user and record each one sent: in the transcript, and by its message id
(so our own echo is recognised, and a reaction to it names the answer it reacts to)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis

from webhook import keys
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.logging_setup import user_ref
from webhook.messenger.send_api import PermanentSendError, SendApi, TransientSendError
from webhook.pipeline.message import shown
from webhook.pipeline.redis_wait import until_written
from webhook.pipeline.replies import ReplyProgress

log = logging.getLogger(__name__)
SENT_MID_TTL = 86400


@dataclass
class Outbox:
    """The way out to Messenger, for turns and for messages sent after a turn."""

    client: redis.Redis
    send_api: SendApi
    conversations: Conversations
    transcript: Transcript
    _actions: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="typing"))

    def send_all(self, psid: str, messages: list[dict[str, Any]], language: str,
                 progress: ReplyProgress | None = None, answer: str = "") -> None:
        """Send in order; each recorded before the next (a retry resumes after the last sent).
        Raises TransientSendError or PermanentSendError."""
        for message in messages:
            mid = self.send_api.send_message(psid, message, messaging_type="RESPONSE")
            until_written(self._record_sent, psid, mid, shown(message), language, progress,
                          answer)

    def follow_up(self, psid: str, messages: list[dict[str, Any]], language: str) -> None:
        """Send messages outside a turn's retries: a failure is logged, never raised."""
        try:
            self.send_all(psid, messages, language)
        except (TransientSendError, PermanentSendError) as error:
            log.warning("follow-up not sent", extra={"code": error.code, "user": user_ref(psid)})

    def show_typing(self, psid: str) -> None:
        """Show the typing indicator from a thread (it must not delay the answer)."""
        self._actions.submit(self._typing, psid)

    def _record_sent(self, psid: str, mid: str, shown: str, language: str,
                     progress: ReplyProgress | None, answer: str = "") -> None:
        if progress:
            progress.sent_one()  # first: it is what keeps a retry from sending it again
        # our own echo is recognised by this key; its value names the answer, for reactions
        self.client.set(keys.sent_mid(mid), answer or "1", ex=SENT_MID_TTL)
        self.transcript.add(psid, "bot", shown, language, mid=mid)

    def _typing(self, psid: str) -> None:
        try:
            self.send_api.sender_action(psid, "typing_on")
        except TransientSendError as error:
            log.info("typing indicator failed", extra={"code": error.code})
        except PermanentSendError as error:
            if self.client.exists(keys.conversation(psid)):  # not after a deletion
                self.conversations.update(psid, last_send_error=error.code,
                                          last_send_error_at=int(time.time()))
