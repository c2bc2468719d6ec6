"""Rasa's tracker store for this assistant: Redis, bounded per user.

Rasa's own RedisTrackerStore keeps every event since the user's first message and, on every
turn, deserialises, merges and re-serialises all of it: each turn costs more than the last and
a persistent user holds hundreds of kilobytes. The moderators' history is our own transcript
(webhook.conversations.transcript); Rasa needs only what its policies and slots use.

So each save keeps the current conversation session only, and within it the last `max_turns`
user messages. What is cut is replaced by what Rasa itself writes when a session starts
(`action_session_start`, `session_started`, one `slot` event per slot value as it was at the
cut, `action_listen`), so the slots carried into a session, and those set earlier in it, stay
as they were. RulePolicy and MemoizationPolicy (max_history 4) look at a few turns only: a
window of 10 turns decides the same as the whole history (tests/unit/test_tracker_store.py).
The key (`rasa:tracker:<id>`, webhook.keys.rasa_tracker) and its expiry (record_exp, the
retention period, renewed on every save) are Rasa's own, so deletion and retention cover it.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_MAX_TURNS = 10


class BoundedRedisTrackerStore(RedisTrackerStore):
    """A RedisTrackerStore that keeps the current session's last `max_turns` user turns."""

    def __init__(self, *args: Any, max_turns: int = DEFAULT_MAX_TURNS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_turns = max(int(max_turns), 1)

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        """Store the bounded tracker (no merge with the stored one: that is what grows)."""
        await self.stream_events(tracker)
        kept = bounded_events(list(tracker.events), self.max_turns)
        serialised = json.dumps(Dialogue(tracker.sender_id, kept).as_dict())
        self.red.set(self.key_prefix + tracker.sender_id, serialised,
                     ex=timeout or self.record_exp)


def bounded_events(events: list[Event], max_turns: int) -> list[Event]:
    """The current session's events, its last `max_turns` user turns at most."""
    session = events[_session_start(events):]
    users = [index for index, event in enumerate(session) if isinstance(event, UserUttered)]
    if len(users) <= max_turns:
        return session
    cut = users[-max_turns]
    if cut > 0 and _is_action(session[cut - 1], ACTION_LISTEN_NAME):
        cut -= 1  # keep the action_listen that each user message follows
    return _session_prefix(session, cut) + session[cut:]


def _session_start(events: list[Event]) -> int:
    """Index of the last `action_session_start` (or `session_started`), else 0."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            before = index - 1
            if before >= 0 and _is_action(events[before], ACTION_SESSION_START_NAME):
                return before
            return index
    return 0


def _session_prefix(session: list[Event], cut: int) -> list[Event]:
    """What Rasa writes at a session start, with the slot values as they were at `cut`."""
    started = session[0].timestamp if session else None
    prefix: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=started),
                           SessionStarted(timestamp=started)]
    prefix += [SlotSet(name, value, timestamp=started)
               for name, value in _slot_values(session[:cut]).items()]
    if not _is_action(session[cut], ACTION_LISTEN_NAME):
        prefix.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=started))
    return prefix


def _slot_values(events: list[Event]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for event in events:
        if isinstance(event, SlotSet):
            values[event.key] = event.value
        elif isinstance(event, (AllSlotsReset, Restarted)):
            values.clear()
    return values


def _is_action(event: Event, name: str) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == name
