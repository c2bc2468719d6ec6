"""The evidence store: the bytes in a backend (a folder, EVIDENCE_DIR, or an S3-compatible
bucket, EVIDENCE_URL: webhook/evidence/blobs.py), the manifest in Redis.

Files are named by a random id, never by the user's id. The manifest (one Redis hash per
conversation) expires with the conversation's retention; the sweep removes the files whose
retention passed unless a moderator keeps them as evidence. When the backend is down, a new
file is not kept (StoreUnavailable, for the collector to note) and files that could not be
removed stay in the expiry index, due at once, for the next sweep.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

import redis

from webhook import keys
from webhook.evidence import thumbs
from webhook.evidence.blobs import Blobs, FolderBlobs, StoreUnavailable, from_environment
from webhook.redis_text import as_text

log = logging.getLogger(__name__)
THUMB_MIME = "image/jpeg"


class EvidenceStore:
    """Save, list, keep and delete a conversation's evidence files."""

    def __init__(self, client: redis.Redis, retention_seconds: int,
                 directory: Path | None = None, blobs: Blobs | None = None) -> None:
        self.client = client
        self.retention = retention_seconds
        self.blobs = blobs or (FolderBlobs(directory) if directory else from_environment())

    @staticmethod
    def name(file_id: str, thumb: bool = False) -> str:
        """A file's (or its thumbnail's) name in the backend; ids are checked."""
        if not file_id.isalnum():
            raise KeyError(file_id)
        return f"{file_id}.thumb.jpg" if thumb else file_id

    def save(self, psid: str, kind: str, mime: str, data: bytes, mid: str = "") -> dict[str, Any]:
        """Put the file (and an image's thumbnail) in the backend and add it to the manifest;
        StoreUnavailable (nothing left behind) when the backend fails."""
        file_id = secrets.token_hex(16)
        record = {"id": file_id, "kind": kind, "mime": mime, "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest(), "received_at": time.time(),
                  "mid": mid, "kept": False, "thumb": False}
        small = _thumbnail(data) if mime.startswith("image/") else None
        try:
            if small is not None:
                self.blobs.put(self.name(file_id, thumb=True), small, THUMB_MIME)
                record["thumb"] = True
            self.blobs.put(self.name(file_id), data, mime)
        except StoreUnavailable:
            if record["thumb"] and self._remove_quietly([file_id]):
                self.client.zadd(keys.evidence_expiry(), {file_id: 0})  # the sweep removes it
            raise
        expires = time.time() + self.retention
        pipe = self.client.pipeline()
        pipe.hset(keys.evidence(psid), file_id, json.dumps(record))
        pipe.expire(keys.evidence(psid), self.retention)
        pipe.zadd(keys.evidence_expiry(), {file_id: expires})
        pipe.set(keys.evidence_owner(file_id), psid, ex=self.retention + 86400)
        pipe.execute()
        return record

    def records(self, psid: str) -> list[dict[str, Any]]:
        """The conversation's evidence, oldest first."""
        raw = self.client.hgetall(keys.evidence(psid)).values()
        return sorted((json.loads(item) for item in raw), key=lambda r: r["received_at"])

    def record(self, psid: str, file_id: str) -> dict[str, Any] | None:
        """One file's record, if it belongs to this conversation."""
        raw = self.client.hget(keys.evidence(psid), file_id)
        return json.loads(raw) if raw else None

    def set_kept(self, psid: str, file_id: str, kept: bool) -> bool:
        """Keep as evidence (no retention) or release (retention starts again)."""
        record = self.record(psid, file_id)
        if record is None:
            return False
        record["kept"] = kept
        pipe = self.client.pipeline()
        pipe.hset(keys.evidence(psid), file_id, json.dumps(record))
        if kept:
            pipe.zrem(keys.evidence_expiry(), file_id)
            pipe.persist(keys.evidence(psid))
            pipe.persist(keys.evidence_owner(file_id))
        else:
            pipe.zadd(keys.evidence_expiry(), {file_id: time.time() + self.retention})
            pipe.set(keys.evidence_owner(file_id), psid, ex=self.retention + 86400)
            if not any(r["kept"] for r in self.records(psid) if r["id"] != file_id):
                pipe.expire(keys.evidence(psid), self.retention)
        pipe.execute()
        return True

    def delete_all(self, psid: str) -> int:
        """Remove every file of this user and the manifest (the right to be forgotten).

        Files the backend could not remove now stay in the expiry index, due at once, under
        their random ids only: the next sweep removes them. Returns how many files there were.
        """
        ids = [as_text(i) for i in self.client.hkeys(keys.evidence(psid))]
        left = self._remove_quietly(ids)
        pipe = self.client.pipeline()
        pipe.delete(keys.evidence(psid), *(keys.evidence_owner(i) for i in ids))
        if ids:
            pipe.zrem(keys.evidence_expiry(), *ids)
        if left:
            pipe.zadd(keys.evidence_expiry(), dict.fromkeys(left, 0))
        pipe.execute()
        return len(ids)

    def sweep(self, now: float | None = None) -> int:
        """Remove the files whose retention passed (kept ones are not in the index); stops at
        the first backend failure (the rest stay due). Returns how many were removed."""
        due = [as_text(i) for i in
               self.client.zrangebyscore(keys.evidence_expiry(), "-inf", now or time.time())]
        for done, file_id in enumerate(due):
            if self._remove_quietly([file_id]):
                return done
            owner = as_text(self.client.get(keys.evidence_owner(file_id)))
            pipe = self.client.pipeline()
            if owner:
                pipe.hdel(keys.evidence(owner), file_id)
            pipe.delete(keys.evidence_owner(file_id))
            pipe.zrem(keys.evidence_expiry(), file_id)
            pipe.execute()
        return len(due)

    def read(self, file_id: str, thumb: bool = False) -> bytes:
        """A file's bytes (FileNotFoundError when gone, StoreUnavailable when the backend is)."""
        return self.blobs.get(self.name(file_id, thumb))

    def _remove_quietly(self, ids: list[str]) -> list[str]:
        """Remove files and thumbnails; the ids not removed because the backend failed (it is
        not asked again in this call: a service that is down would make each one wait)."""
        for index, file_id in enumerate(ids):
            try:
                for thumb in (False, True):
                    self.blobs.delete(self.name(file_id, thumb))
            except StoreUnavailable as error:
                log.warning("evidence files not removed yet; the sweep retries",
                            extra={"files": len(ids) - index, "error": str(error)})
                return ids[index:]
        return []


def _thumbnail(data: bytes) -> bytes | None:
    """The thumbnail, or None when the picture cannot be read (it is kept as a download)."""
    try:
        return thumbs.thumbnail(data)
    except ValueError:
        return None
