"""Messenger's messaging window for replies from a person.

Within 24 hours of the user's last message: a standard RESPONSE. Between 24 hours and 7 days:
only a person may reply, with the HUMAN_AGENT tag. After 7 days: nobody may write first.
The bot never uses HUMAN_AGENT.
"""

from __future__ import annotations

from dataclasses import dataclass

from webhook.handoff.explained import Explained

DAY = 86400
STANDARD_WINDOW = 1 * DAY
HUMAN_AGENT_WINDOW = 7 * DAY


class WindowClosed(Explained):
    """Messenger does not allow a message now; the message says why, for the moderator."""


@dataclass(frozen=True)
class Window:
    """How a message may be sent now: messaging type and tag."""

    messaging_type: str
    tag: str | None = None


def for_person(last_user_at: float | None, now: float) -> Window:
    """The window for a moderator's reply (raises WindowClosed after 7 days)."""
    if last_user_at is None:
        raise WindowClosed("This person has not written to the Page, so Messenger does not "
                           "allow a message.")
    age = now - last_user_at
    if age <= STANDARD_WINDOW:
        return Window("RESPONSE")
    if age <= HUMAN_AGENT_WINDOW:
        return Window("MESSAGE_TAG", "HUMAN_AGENT")
    days = int(age // DAY)
    raise WindowClosed("The person last wrote %(days)s days ago. Messenger allows replies from a "
                       "person for 7 days only; they need to write to the Page again first.",
                       days=days)


def for_bot(last_user_at: float | None, now: float) -> Window | None:
    """The bot may answer only within 24 hours, as a RESPONSE (None: it may not)."""
    if last_user_at is None or now - last_user_at > STANDARD_WINDOW:
        return None
    return Window("RESPONSE")
