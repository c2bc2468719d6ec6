"""Where each user is in guided steps, kept in Redis per conversation.

The path (steps shown, first to current) and the answers given at each step, so "Back" can
return one step and a person can read the case. Kept a day at most (a walk takes minutes; a
person who comes back later starts again), never past RETENTION_DAYS, and erased with the
user's data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import redis

from webhook import keys

DAY_SECONDS = 86400


@dataclass
class Answer:
    """One answer: at which step, the step (or `person`) it led to, and the title tapped."""

    at: str
    to: str
    title: str


@dataclass
class Position:
    """A walk through one tree."""

    tree: str
    path: list[str]
    answers: list[Answer] = field(default_factory=list)

    @property
    def current(self) -> str:
        """The step on screen now."""
        return self.path[-1]

    def answer(self, at: str, to: str, title: str, to_step: bool) -> None:
        """Record an answer given at step `at` (at an earlier step, later answers are dropped);
        `to_step` when it leads to another step (not to a person)."""
        if at in self.path:
            index = self.path.index(at)
            self.path, self.answers = self.path[: index + 1], self.answers[:index]
        else:
            self.path, self.answers = [at], []
        self.answers.append(Answer(at, to, title))
        if to_step:
            self.path.append(to)

    def back(self) -> None:
        """Return one step (the first step stays)."""
        if len(self.path) > 1:
            self.path.pop()
            self.answers = self.answers[: len(self.path) - 1]


class Positions:
    """Read and write positions."""

    def __init__(self, client: redis.Redis, retention_seconds: int) -> None:
        self.client = client
        self.ttl = max(1, min(DAY_SECONDS, retention_seconds))

    def get(self, psid: str) -> Position | None:
        """The user's position, if they are walking a tree."""
        raw = self.client.get(keys.guide_position(psid))
        if not raw:
            return None
        data = json.loads(raw)
        return Position(data["tree"], list(data["path"]),
                        [Answer(**answer) for answer in data.get("answers", [])])

    def save(self, psid: str, position: Position) -> None:
        """Keep the position (renewing its expiry)."""
        self.client.set(keys.guide_position(psid), json.dumps(asdict(position),
                                                              ensure_ascii=False), ex=self.ttl)

    def clear(self, psid: str) -> None:
        """The user left the tree."""
        self.client.delete(keys.guide_position(psid))
