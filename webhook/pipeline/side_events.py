"""Events that are not a user's message to answer: our own echoes and a Page Inbox person's,
reactions and edits, and thread control moving (Page Inbox mode)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from webhook import keys
from webhook.conversations.state import BOT, Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.service import Handoffs
from webhook.pipeline.without_rasa import WithoutRasa

RECORDED_ONLY = ("reaction", "edit")


@dataclass
class SideEvents:
    """Records what these events mean; none of them is answered."""

    client: redis.Redis
    conversations: Conversations
    transcript: Transcript
    handoffs: Handoffs
    own: WithoutRasa
    app_id: str = ""

    def echo(self, event: dict[str, Any]) -> None:
        """A message the Page sent: ours is known already; a person's in the Page Inbox is
        recorded and means a person has the conversation."""
        psid = event["psid"]
        ours = (self.app_id and event.get("app_id") == self.app_id) or (
            event.get("mid") and self.client.exists(keys.sent_mid(event["mid"])))
        if ours:
            return
        self.transcript.add(psid, "person", event.get("text") or "[attachment]",
                            source="page_inbox", author="page_inbox")
        self.conversations.mark_person(psid, "page_inbox")
        self.handoffs.user_wrote(psid)

    def recorded_only(self, event: dict[str, Any]) -> None:
        """Reactions count as feedback; an edit joins the transcript (a person sees it live)."""
        if event["kind"] == "reaction":
            self.own.record_reaction(event)
            return
        self.own.record_edit(event)
        if self.conversations.get(event["psid"]).get("owner", BOT) != BOT:
            self.handoffs.user_wrote(event["psid"])

    def handover(self, event: dict[str, Any]) -> None:
        """Thread control moved (Page Inbox mode): to us means the bot answers again."""
        psid = event["psid"]
        if event["action"] == "pass" and (not self.app_id or event["app_id"] == self.app_id):
            self.handoffs.page_inbox_done(psid)
        elif event["action"] == "take":
            self.handoffs.page_inbox_took(psid)
