"""Erase everything held about one user: the right to have one's data deleted.

Used when the user confirms `delete_my_data` (whatever happens to the reply that confirms it:
see pipeline.handler) and when an admin deletes on request from the console. Besides the
conversation, transcript, notes, labels, Rasa's tracker and the rate counter, it removes the
markers of the user's message ids (seen, sent), their events still waiting in the inbox and
the reply progress of those events, their dead-letter summaries, and Rasa's lock key. What
remains is one audit entry that a deletion happened, with a keyed hash of the id and no
content. Redis's append-only file keeps deleted values on disk until it is rewritten: see
docs/privacy.md.
"""

from __future__ import annotations

import json
import logging

import redis

from webhook import keys
from webhook.console import audit
from webhook.evidence.store import EvidenceStore
from webhook.logging_setup import user_ref
from webhook.redis_text import as_text

log = logging.getLogger(__name__)
PAGE = 500


def user_keys(client: redis.Redis, psid: str) -> list[str]:
    """Every key that holds something about this user (besides inbox and dead letters)."""
    ref = client.hget(keys.conversation(psid), "ref")
    found = [keys.conversation(psid), keys.transcript(psid), keys.notes(psid),
             keys.labels(psid), keys.rasa_tracker(psid), keys.rasa_lock(psid),
             keys.rate_limit(psid), keys.guide_position(psid), keys.evidence(psid),
             keys.evidence_user_told(psid),
             keys.scamcheck_checked_image(psid), keys.scamcheck_pending_image(psid)]
    if ref:
        found.append(keys.conversation_ref(as_text(ref)))
    for mid in _transcript_mids(client, psid):
        found += [keys.seen(mid), keys.sent_mid(mid)]
    found += [as_text(key) for key in client.scan_iter(match=keys.seen_postbacks_of(psid))]
    return found


def erase_user(client: redis.Redis, psid: str, actor: str) -> int:
    """Delete the user's data and leave only an audit entry; how many keys were deleted."""
    files = EvidenceStore(client, 0).delete_all(psid)  # the files on disk, then the manifest
    found = user_keys(client, psid)
    inbox_entries, progress_keys, mids = _inbox_entries(client, psid)
    found += progress_keys + [keys.seen(mid) for mid in mids]
    pipe = client.pipeline()
    pipe.delete(*found)
    pipe.zrem(keys.handoff_queue(), psid)
    pipe.srem(keys.owned_by_person(), psid)
    for stream, entry_id in inbox_entries:
        pipe.xdel(stream, entry_id)
    for entry_id in _dead_letters(client, psid):
        pipe.xdel(keys.dead_letters(), entry_id)
    deleted = pipe.execute()[0]
    audit.record(client, actor, "delete_data", detail=f"user:{user_ref(psid)}")
    log.info("user data erased", extra={"user": user_ref(psid), "by": actor, "keys": deleted,
                                             "files": files})
    return int(deleted)


def _transcript_mids(client: redis.Redis, psid: str) -> set[str]:
    mids = set()
    for raw in client.lrange(keys.transcript(psid), 0, -1):
        mid = json.loads(raw).get("mid")
        if mid:
            mids.add(mid)
    return mids


def _inbox_entries(client: redis.Redis,
                   psid: str) -> tuple[list[tuple[str, str]], list[str], set[str]]:
    """The user's events still in the inbox: (stream, id) pairs, their reply-progress keys,
    and their message ids."""
    entries, progress, mids = [], [], set()
    for stream in (as_text(key) for key in client.scan_iter(match=keys.inbox_pattern())):
        shard = int(stream.rsplit(":", 1)[1])
        for entry_id, fields in _stream_pages(client, stream):
            event = json.loads(as_text(fields.get(b"event") or b"{}"))
            if event.get("psid") != psid:
                continue
            entries.append((stream, entry_id))
            progress.append(keys.reply_progress(keys.inbox_entry(shard, entry_id)))
            if event.get("mid"):
                mids.add(event["mid"])
    return entries, progress, mids


def _dead_letters(client: redis.Redis, psid: str) -> list[str]:
    ref = user_ref(psid).encode()
    return [entry_id for entry_id, fields in _stream_pages(client, keys.dead_letters())
            if fields.get(b"user") == ref]


def _stream_pages(client: redis.Redis, stream: str):  # noqa: ANN202 - a generator
    lower = "-"
    while True:
        page = client.xrange(stream, min=lower, count=PAGE)
        for entry_id, fields in page:
            yield as_text(entry_id), fields
        if len(page) < PAGE:
            return
        lower = "(" + as_text(page[-1][0])
