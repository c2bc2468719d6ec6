"""The evidence store: files in a folder (EVIDENCE_DIR), the manifest in Redis.

Files are named by a random id, never by the user's id. The manifest (one Redis hash per
conversation) expires with the conversation's retention; the sweep removes the files whose
retention passed unless a moderator keeps them as evidence.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import redis

from webhook import keys
from webhook.evidence import thumbs
from webhook.redis_text import as_text

DEFAULT_DIR = ".data/evidence"


def evidence_dir() -> Path:
    """The folder evidence files live in (made on first use)."""
    return Path(os.environ.get("EVIDENCE_DIR") or DEFAULT_DIR)


class EvidenceStore:
    """Save, list, keep and delete a conversation's evidence files."""

    def __init__(self, client: redis.Redis, retention_seconds: int,
                 directory: Path | None = None) -> None:
        self.client = client
        self.retention = retention_seconds
        self.directory = Path(directory or evidence_dir())

    def path(self, file_id: str, thumb: bool = False) -> Path:
        """Where a file (or its thumbnail) lives; ids are checked so no path escapes."""
        if not file_id.isalnum():
            raise KeyError(file_id)
        return self.directory / (f"{file_id}.thumb.jpg" if thumb else file_id)

    def save(self, psid: str, kind: str, mime: str, data: bytes, mid: str = "") -> dict[str, Any]:
        """Write the file (and an image's thumbnail) and add it to the manifest."""
        self.directory.mkdir(parents=True, exist_ok=True)
        file_id = secrets.token_hex(16)
        record = {"id": file_id, "kind": kind, "mime": mime, "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest(), "received_at": time.time(),
                  "mid": mid, "kept": False, "thumb": False}
        if mime.startswith("image/"):
            try:
                _write(self.path(file_id, thumb=True), thumbs.thumbnail(data))
                record["thumb"] = True
            except ValueError:
                pass  # kept as a download: the moderator still gets the file
        _write(self.path(file_id), data)
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
        """Remove every file of this user and the manifest (the right to be forgotten)."""
        ids = [as_text(i) for i in self.client.hkeys(keys.evidence(psid))]
        for file_id in ids:
            self._remove_files(file_id)
        pipe = self.client.pipeline()
        pipe.delete(keys.evidence(psid), *(keys.evidence_owner(i) for i in ids))
        if ids:
            pipe.zrem(keys.evidence_expiry(), *ids)
        pipe.execute()
        return len(ids)

    def sweep(self, now: float | None = None) -> int:
        """Remove the files whose retention passed (kept ones are not in the index)."""
        due = [as_text(i) for i in
               self.client.zrangebyscore(keys.evidence_expiry(), "-inf", now or time.time())]
        for file_id in due:
            self._remove_files(file_id)
            owner = as_text(self.client.get(keys.evidence_owner(file_id)))
            pipe = self.client.pipeline()
            if owner:
                pipe.hdel(keys.evidence(owner), file_id)
            pipe.delete(keys.evidence_owner(file_id))
            pipe.zrem(keys.evidence_expiry(), file_id)
            pipe.execute()
        return len(due)

    def read(self, file_id: str, thumb: bool = False) -> bytes:
        """A file's bytes (FileNotFoundError when gone)."""
        return self.path(file_id, thumb).read_bytes()

    def _remove_files(self, file_id: str) -> None:
        for thumb in (False, True):
            self.path(file_id, thumb).unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    """Written under a temporary name, then renamed: a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.chmod(partial, 0o600)
    partial.replace(path)
