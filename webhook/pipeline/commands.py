"""Commands that answers carry in their `custom` payload, carried out by the worker.

`handoff` queues the conversation for a person (and returns the message that tells the user
their place in the queue), `cancel_handoff` takes it out again, `delete_my_data` erases
everything held about the user (after they confirmed; the confirmation is the answer itself).
"""

from __future__ import annotations

import logging
from typing import Any

from webhook.conversations.state import Conversations
from webhook.handoff.service import Handoffs
from webhook.logging_setup import user_ref
from webhook.privacy.erase import erase_user

log = logging.getLogger(__name__)
# carried out even when the answer that goes with them could not be sent (a deletion the user
# confirmed must happen although they blocked the Page or the window closed)
REGARDLESS_OF_REPLY = frozenset({"delete_my_data"})


def carry_out(command: dict[str, Any], psid: str, language: str, handoffs: Handoffs,
              conversations: Conversations) -> list[dict[str, Any]]:
    """Do what the command says; the Messenger messages to send after the answer."""
    name = command.get("command")
    follow_up: list[dict[str, Any]] = []
    if name == "handoff":
        follow_up = handoffs.escalate(psid, str(command.get("reason") or "user_request"),
                                      language, topic=str(command.get("topic") or ""))
    elif name == "cancel_handoff":
        handoffs.cancel(psid)
    elif name == "delete_my_data":
        erase_user(conversations.client, psid, actor="user")
    else:
        log.warning("unknown command skipped", extra={"command": str(name)[:40]})
        return []
    log.info("command carried out", extra={"command": name, "user": user_ref(psid)})
    return follow_up
