"""Who may read and act on a conversation in the console (issue 10, finding 2).

- A waiting (queued) or claimed conversation is readable by every moderator: they choose what
  to claim. A closed one (the bot owns it again) only by admins and its last owner.
- Only the owner of a claimed conversation, or an admin, acts on it: reply, note, labels,
  release, resolve, assign. A waiting one must be claimed first (admins excepted).
- Assign moves a waiting case, or one the acting moderator owns (an admin: any claimed case),
  to a colleague other than the one acting; never a case the bot owns.
"""

from __future__ import annotations

from dataclasses import dataclass

from webhook.conversations.state import BOT, PERSON, QUEUED
from webhook.handoff.explained import Explained


class NotAllowed(Explained, PermissionError):
    """The signed-in account may not do this to this conversation; the message says why."""


@dataclass(frozen=True)
class Actor:
    """Who is acting in the console."""

    username: str
    admin: bool = False


def may_read(state: dict[str, str], actor: Actor) -> bool:
    """True when the actor may open the conversation's transcript."""
    if actor.admin or state.get("owner") in (QUEUED, PERSON):
        return True
    return bool(state.get("last_owner")) and state.get("last_owner") == actor.username


def check_act(state: dict[str, str], actor: Actor) -> None:
    """NotAllowed unless the actor owns the claimed conversation (or is an admin)."""
    owner = state.get("owner") or BOT
    if owner == BOT:
        raise NotAllowed("This conversation is closed: the assistant answers it again.")
    if actor.admin:
        return
    if owner != PERSON or state.get("claimed_by") != actor.username:
        raise NotAllowed("Only the moderator who claimed this conversation (or an admin) "
                         "can do that. Claim it first if it is waiting.")


def check_assign(state: dict[str, str], actor: Actor, target: str) -> None:
    """NotAllowed unless the case may move from the actor to `target` (see the module doc)."""
    if target == actor.username:
        raise NotAllowed("Claim the conversation to take it yourself.")
    owner = state.get("owner") or BOT
    if owner == QUEUED:
        return
    check_act(state, actor)
