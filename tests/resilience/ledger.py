"""Match what each user received to what they sent: lost, doubled, out of order, notices.

The Graph API stand-in records every Send API call (what users actually received); its
history is bounded, so `GraphLog` collects it as the run goes. A user's received messages,
notices aside, must be exactly the answers to their messages, in the order sent, each once:
users never send the same phrase twice in a row, so a doubled answer cannot pass for the next
one. The transcript in Redis must hold each message once, in the order sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import redis
import requests

from tests.integration.test_messenger_pipeline import bubbles
from tests.resilience.traffic import Message
from webhook import keys

HANDOFF_PAYLOAD = "/cancel_handoff"  # the queue message's "Back to the bot" quick reply


@dataclass(frozen=True)
class Line:
    """One message a user received."""

    text: str
    time: float
    payloads: tuple[str, ...] = ()


class GraphLog:
    """Every Send API message the stand-in answered with 200, collected as the run goes."""

    def __init__(self, graph_url: str, poll_every_s: float = 0.5) -> None:
        self.url = f"{graph_url}/_standin/requests"
        self.poll_every_s = poll_every_s
        self.records: dict[int, dict] = {}
        self.floor = self._get(10**15)["last_seq"]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _get(self, since: int) -> dict:
        answer = requests.get(self.url, params={"since": since, "path": "/messages"}, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def poll(self) -> None:
        """Fetch what is new; calls still in flight are fetched again next time."""
        with self._lock:
            found = self._get(self.floor)["requests"]
            for record in found:
                self.records[record["seq"]] = record
            in_flight = [r["seq"] for r in found if r["status"] is None]
            if in_flight:
                self.floor = min(in_flight) - 1
            elif found:
                self.floor = max(r["seq"] for r in found)

    def start(self) -> GraphLog:
        """Poll from a thread until stop()."""
        def loop() -> None:
            while not self._stop.wait(self.poll_every_s):
                with contextlib.suppress(requests.RequestException):
                    self.poll()  # else the next poll catches up
        self._thread = threading.Thread(target=loop, name="graph-log", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and fetch the rest."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self.poll()

    def received(self) -> dict[str, list[Line]]:
        """Per user, the messages they received, in the order sent."""
        lines: dict[str, list[Line]] = defaultdict(list)
        with self._lock:
            records = [self.records[seq] for seq in sorted(self.records)]
        for record in records:
            message = (record.get("json") or {}).get("message")
            if record["status"] != 200 or not message:
                continue
            text = message.get("text") or \
                message.get("attachment", {}).get("payload", {}).get("text", "")
            taps = tuple(q.get("payload", "") for q in message.get("quick_replies", []))
            lines[record["recipient"]].append(Line(text, record["time"], taps))
        return lines


class Notices:
    """Recognises the worker's own notices among received messages."""

    def __init__(self, names: tuple[str, ...] = ("utter_delayed",)) -> None:
        self.known = {text: (name, language) for name in names for language in ("en", "km")
                      for text in bubbles(name, language)}

    def kind(self, line: Line) -> tuple[str, str] | None:
        """(answer name, language) of a notice, or None for anything else."""
        if HANDOFF_PAYLOAD in line.payloads:
            return "handoff_queue", ""
        return self.known.get(line.text)


@dataclass
class Tally:
    """What the check found, over all users."""

    messages: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    resent: int = 0        # single bubbles sent twice in a row (a worker died mid-call)
    out_of_order: int = 0
    unexpected: int = 0
    not_recorded: int = 0
    recorded_twice: int = 0
    notices: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    answer_times: dict[str, float] = field(default_factory=dict)  # mid -> first bubble time
    problems: list[str] = field(default_factory=list)  # what went wrong, per user

    @property
    def clean(self) -> bool:
        """Every message answered once, in order, nothing else received, transcript right
        (bubbles sent again are counted apart: see `resent`)."""
        return not (self.lost or self.duplicated or self.out_of_order or self.unexpected
                    or self.not_recorded or self.recorded_twice)

    def add(self, other: Tally) -> None:
        for name in ("messages", "answered", "lost", "duplicated", "resent", "out_of_order",
                     "unexpected", "not_recorded", "recorded_twice"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notices.update(other.notices)
        self.answer_times.update(other.answer_times)
        self.problems += other.problems


def check(sent: dict[str, list[Message]], received: dict[str, list[Line]],
          client: redis.Redis, notices: Notices) -> Tally:
    """Compare each user's received messages and transcript with what they sent."""
    total = Tally()
    for user, messages in sent.items():
        tally = _align(messages, received.get(user, []), notices)
        _check_transcript(messages, _transcript_mids(client, user), tally)
        if not tally.clean:
            tally.problems.append(_describe(messages, received.get(user, []), tally))
        total.add(tally)
    return total


def _align(messages: list[Message], lines: list[Line], notices: Notices) -> Tally:
    """Walk what the user received in order: notices, then each message's answer. A bubble sent
    again because a worker died during that Send API call shows as a stutter (the same bubble
    twice in a row); an answer not where expected is looked for elsewhere (out of order)."""
    tally = Tally(messages=len(messages))
    used = [False] * len(lines)
    told: list[tuple[str, float]] = []
    position, missing = 0, []
    for message in messages:
        position = _notices_at(lines, used, position, notices, told)
        if not message.expect_answer:
            continue
        block = next((found for start in range(position, len(lines))  # skipping strays
                      if (found := _block_at(lines, used, start, message.phrase.bubbles))),
                     None)
        if block is None:
            missing.append(message)
            continue
        tally.answered += 1
        tally.answer_times[message.mid], position = block
        while len(message.phrase.bubbles) > 1 and (  # one bubble twice: a stutter, below
                again := _block_at(lines, used, position, message.phrase.bubbles)) is not None:
            tally.duplicated += 1
            position = again[1]
    for message in missing:
        found = any(_block_at(lines, used, start, message.phrase.bubbles) is not None
                    for start in range(len(lines)))
        tally.out_of_order += found
        tally.lost += not found
    for index in (i for i, flag in enumerate(used) if not flag):
        stutter = index > 0 and lines[index].text == lines[index - 1].text
        tally.resent += stutter
        tally.unexpected += not stutter
    if messages:
        tally.notices[messages[0].user] = told
    return tally


def _notices_at(lines: list[Line], used: list[bool], position: int, notices: Notices,
                told: list[tuple[str, float]]) -> int:
    """Past the notices at `position`, noting the delay ones."""
    while position < len(lines) and not used[position] and notices.kind(lines[position]):
        name, language = notices.kind(lines[position])
        if name != "handoff_queue":
            told.append((f"{name}:{language}", lines[position].time))
        used[position] = True
        position += 1
    return position


def _block_at(lines: list[Line], used: list[bool], start: int,
              expected: tuple[str, ...]) -> tuple[float, int] | None:
    """If the `expected` bubbles come at `start` (stutters aside), mark them used and return
    the time of the first and where the block ends."""
    matched, index = [], start
    while len(matched) < len(expected):
        if index >= len(lines) or used[index]:
            return None
        if lines[index].text == expected[len(matched)]:
            matched.append(index)
        elif not (index > 0 and lines[index].text == lines[index - 1].text):
            return None
        index += 1
    for position in matched:
        used[position] = True
    return lines[matched[0]].time, index


def _transcript_mids(client: redis.Redis, user: str) -> list[str]:
    entries = (json.loads(raw) for raw in client.lrange(keys.transcript(user), 0, -1))
    return [entry.get("mid") or "" for entry in entries if entry.get("role") == "user"]


def _check_transcript(messages: list[Message], recorded: list[str], tally: Tally) -> None:
    """Each message recorded once, in the order sent (the transcript is the processing order)."""
    positions = []
    for message in messages:
        count = recorded.count(message.mid)
        tally.not_recorded += count == 0
        tally.recorded_twice += count > 1
        if count:
            positions.append(recorded.index(message.mid))
    if positions != sorted(positions):
        tally.out_of_order += sum(1 for i in range(1, len(positions))
                                  if positions[i] < max(positions[:i]))


def _describe(messages: list[Message], lines: list[Line], tally: Tally) -> str:
    """One user's messages and what they received, shortened, for the person reading a failure."""
    sent = ", ".join(f"{m.phrase.intent}/{m.language}{'' if m.expect_answer else '(silent)'}"
                     f"@{m.posted % 1000:.1f}" for m in messages)
    got = ", ".join(f"{line.text[:24]!r}@{line.time % 1000:.1f}" for line in lines)
    return (f"{messages[0].user}: lost {tally.lost}, doubled {tally.duplicated}, re-sent "
            f"{tally.resent}, out of order "
            f"{tally.out_of_order}, unexpected {tally.unexpected}, not recorded "
            f"{tally.not_recorded}, recorded twice {tally.recorded_twice}\n  sent: {sent}\n"
            f"  received: {got}")
