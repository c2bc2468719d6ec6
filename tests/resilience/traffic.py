"""Simulated Messenger users and a sender that delivers like Meta does.

Meta signs each delivery, may put several messages (of several users) in one POST, redelivers
what it already delivered now and then, and retries any delivery that did not get a 200 (the
webhook answers 503 while Redis is down). A user's next message is only delivered once the
previous one was accepted, so each user's order is defined.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from dataclasses import dataclass, field

import requests

from tests.integration.messenger_client import Messenger
from tests.resilience.texts import Phrase
from webhook.simulator import payloads

RETRY_FIRST_S = 0.25
RETRY_MAX_S = 4.0
_mids = itertools.count(1)


@dataclass
class Message:
    """One message a user sent and what the suites know about it."""

    user: str
    mid: str
    phrase: Phrase
    timestamp: int
    expect_answer: bool = True
    posted: float = 0.0                 # first delivery attempt (time.time())
    accepted: float | None = None       # when the webhook answered 200

    @property
    def language(self) -> str:
        return self.phrase.language

    def event(self) -> dict:
        """The Messenger event of this message."""
        return payloads.text(self.user, self.phrase.text, mid=self.mid,
                             timestamp=self.timestamp)


@dataclass
class SimUser:
    """A user who writes in one language and never sends the same phrase twice in a row
    (so a doubled answer cannot pass for the next one)."""

    psid: str
    language: str
    phrases: list[Phrase]
    rng: random.Random
    sent: list[Message] = field(default_factory=list)

    def next_message(self) -> Message:
        """A new message (not yet delivered)."""
        last = self.sent[-1].phrase if self.sent else None
        phrase = self.rng.choice([p for p in self.phrases if p != last])
        stamp = max(payloads.now_ms(), self.sent[-1].timestamp + 1 if self.sent else 0)
        message = Message(self.psid, f"m_res{next(_mids)}_{uuid.uuid4().hex[:10]}", phrase,
                          stamp)
        self.sent.append(message)
        return message


def make_users(count: int, phrases: dict[str, list[Phrase]], prefix: str,
               seed: int = 6) -> list[SimUser]:
    """`count` users, Khmer and English alternately."""
    rng = random.Random(seed)
    languages = sorted(phrases)
    return [SimUser(f"{prefix}-{uuid.uuid4().hex[:10]}", languages[i % len(languages)],
                    phrases[languages[i % len(languages)]], rng) for i in range(count)]


@dataclass
class Delivery:
    """How one POST went: milliseconds of the accepted attempt, the answers of the failed
    attempts (HTTP status, or 0 for no answer at all)."""

    ack_ms: float | None
    refusals: list[int]

    @property
    def attempts(self) -> int:
        return len(self.refusals) + (self.ack_ms is not None)


class MetaSender:
    """Delivers signed events to the webhook, retrying until a 200 as Meta does."""

    def __init__(self, stack, give_up_after_s: float = 120.0) -> None:  # noqa: ANN001
        self.messenger = Messenger(stack)
        self.give_up_after_s = give_up_after_s

    def deliver(self, messages: list[Message], redelivery: bool = False) -> Delivery:
        """POST these messages in one body (two entries when there are several)."""
        events = [message.event() for message in messages]
        started, wait, refusals = time.time(), RETRY_FIRST_S, []
        if not redelivery:
            for message in messages:
                message.posted = started
        while True:
            status, ack_ms = self._post(events, entries=min(2, len(events)))
            if status == 200:
                if not redelivery:
                    for message in messages:
                        message.accepted = time.time()
                return Delivery(ack_ms, refusals)
            refusals.append(status)
            if time.time() - started > self.give_up_after_s:
                return Delivery(None, refusals)
            time.sleep(wait)
            wait = min(RETRY_MAX_S, wait * 2)

    def _post(self, events: list[dict], entries: int) -> tuple[int, float]:
        """(HTTP status or 0 for no answer, milliseconds)."""
        started = time.perf_counter()
        try:
            status = self.messenger.deliver(*events, entries=entries).status_code
        except requests.RequestException:
            status = 0
        return status, (time.perf_counter() - started) * 1000


@dataclass
class BurstUser(SimUser):
    """A user who writes one message as a burst of short lines (`fragments`): only the whole
    burst is answered, with `answer` (what the last fragment's phrase carries)."""

    fragments: tuple[str, ...] = ()
    answer: tuple[str, ...] = ()

    def next_message(self) -> Message:
        """The next fragment (expects an answer only as the last one)."""
        index = len(self.sent)
        last = index == len(self.fragments) - 1
        phrase = Phrase(self.fragments[index], self.language, "burst",
                        self.answer if last else ())
        message = Message(self.psid, f"m_burst{next(_mids)}_{uuid.uuid4().hex[:10]}", phrase,
                          payloads.now_ms(), expect_answer=last)
        self.sent.append(message)
        return message
