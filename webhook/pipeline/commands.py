"""Commands that answers carry in their `custom` payload, carried out by the worker.

`handoff` puts the conversation in the queue for a person; `delete_my_data` is recorded
(the deletion itself comes with the privacy work).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

from webhook import keys
from webhook.conversations.state import Conversations
from webhook.logging_setup import user_ref

log = logging.getLogger(__name__)


def carry_out(command: dict[str, Any], psid: str, conversations: Conversations,
              client: redis.Redis) -> None:
    """Do what the command says (unknown commands are logged and skipped)."""
    name = command.get("command")
    if name == "handoff":
        reason = str(command.get("reason") or "user_request")
        conversations.update(psid, handoff_reason=reason, handoff_requested_at=int(time.time()))
        client.zadd(keys.handoff_queue(), {psid: time.time()}, nx=True)
    elif name == "delete_my_data":
        conversations.update(psid, deletion_requested_at=int(time.time()))
    else:
        log.warning("unknown command skipped", extra={"command": str(name)[:40]})
        return
    log.info("command carried out", extra={"command": name, "user": user_ref(psid)})
