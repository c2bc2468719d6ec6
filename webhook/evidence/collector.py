"""The worker's side: fetch what a user sends to a person and put it in the evidence store.

Runs on a small thread pool beside the worker's loop (a slow CDN holds up nobody). A file
that cannot be kept (too large, not what it claims, link expired, too slow) is noted in the
transcript for the moderator, the user is asked kindly to send it again or describe it, and the
conversation goes on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from webhook import keys
from webhook.attachments import fetch
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.evidence import sniff
from webhook.evidence.store import EvidenceStore
from webhook.logging_setup import user_ref

log = logging.getLogger(__name__)
REASONS = {"too large": "it is too large", "too slow": "Facebook was too slow to send it"}
TOLD_FOR_S = 60
TellUser = Callable[[str, str], None]  # (psid, answer name): a message to the user


def answer_for(reason: str) -> str:
    """The answer that tells the user their file did not reach us, and what to do instead."""
    return "utter_evidence_too_large" if reason == "too large" else "utter_evidence_not_received"


class EvidenceCollector:
    """Fetches attachments on `workers` threads, stores them, and tells the open console."""

    def __init__(self, store: EvidenceStore, conversations: Conversations,
                 transcript: Transcript, hosts: tuple[str, ...], workers: int = 2,
                 timeout_s: float = fetch.TIMEOUT_S, tell_user: TellUser | None = None) -> None:
        self.store = store
        self.tell_user = tell_user
        self.conversations = conversations
        self.transcript = transcript
        self.hosts = hosts
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evidence")

    def collect(self, event: dict[str, Any]) -> list[Future]:
        """Start fetching every attachment of the event (stickers and pictures included)."""
        return [self._pool.submit(self._keep, event["psid"], kind, url, event.get("mid", ""))
                for kind, url in event.get("attachment_urls") or []]

    def collect_url(self, psid: str, kind: str, url: str, mid: str = "") -> Future:
        """Keep one attachment seen earlier (the picture of a scam check that led to a person)."""
        return self._pool.submit(self._keep, psid, kind, url, mid)

    def _keep(self, psid: str, kind: str, url: str, mid: str) -> dict[str, Any] | None:
        kind = sniff.normal_kind(kind)
        try:
            data, _ = fetch.fetch(url, self.hosts, sniff.limit_for(kind), self.timeout_s)
            mime = sniff.sniff(data, kind)
            record = self.store.save(psid, kind, mime, data, mid=mid)
        except (fetch.FetchRefused, sniff.NotWhatItClaims) as error:
            self._not_kept(psid, kind, str(error))
            return None
        except Exception as error:  # noqa: BLE001 - a thread's failure is logged, never lost
            log.warning("evidence not kept", extra={"user": user_ref(psid),
                                                    "error": type(error).__name__})
            self._not_kept(psid, kind, "error")
            return None
        self._publish(psid)
        return record

    def _not_kept(self, psid: str, kind: str, reason: str) -> None:
        why = REASONS.get(reason, "it could not be fetched or is not what it claims to be")
        self.transcript.add(psid, "system", f"A {kind} the user sent was not kept: {why}. "
                            "They are asked to send it again or describe it.")
        log.info("evidence refused", extra={"user": user_ref(psid), "reason": reason[:40]})
        self._publish(psid)
        told = self.conversations.client.set(keys.evidence_user_told(psid), 1, nx=True,
                                             ex=TOLD_FOR_S)
        if self.tell_user and told:  # several files refused together: one message
            self.tell_user(psid, answer_for(reason))

    def _publish(self, psid: str) -> None:
        ref = self.conversations.ref(psid)
        self.conversations.client.publish(keys.console_events(),
                                          json.dumps({"type": "evidence", "ref": ref}))

    def shutdown(self) -> None:
        """Finish the files being fetched, then stop the threads."""
        self._pool.shutdown(wait=True)
