"""Erase everything held about one user: the right to have one's data deleted.

Used when the user confirms `delete_my_data` and when an admin deletes on request from the
console. What remains is one audit entry that a deletion happened, with a keyed hash of the
id and no content.
"""

from __future__ import annotations

import logging

import redis

from webhook import keys
from webhook.console import audit
from webhook.evidence.store import EvidenceStore
from webhook.logging_setup import user_ref

log = logging.getLogger(__name__)


def user_keys(client: redis.Redis, psid: str) -> list[str]:
    """Every key that holds something about this user."""
    ref = client.hget(keys.conversation(psid), "ref")
    found = [keys.conversation(psid), keys.transcript(psid), keys.notes(psid),
             keys.labels(psid), keys.rasa_tracker(psid), keys.rate_limit(psid),
             keys.evidence(psid), keys.scamcheck_checked_image(psid),
             keys.scamcheck_pending_image(psid),
             keys.guide_position(psid)]
    if ref:
        found.append(keys.conversation_ref(ref.decode() if isinstance(ref, bytes) else ref))
    return found


def erase_user(client: redis.Redis, psid: str, actor: str) -> int:
    """Delete the user's data and leave only an audit entry; how many keys were deleted."""
    files = EvidenceStore(client, 0).delete_all(psid)  # the files on disk, then the manifest
    pipe = client.pipeline()
    pipe.delete(*user_keys(client, psid))
    pipe.zrem(keys.handoff_queue(), psid)
    pipe.srem(keys.owned_by_person(), psid)
    deleted = pipe.execute()[0]
    audit.record(client, actor, "delete_data", detail=f"user:{user_ref(psid)}")
    log.info("user data erased", extra={"user": user_ref(psid), "by": actor, "keys": deleted,
                                             "files": files})
    return int(deleted)
