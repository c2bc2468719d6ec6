"""A case bundle for a police report or a platform complaint: transcript, files, manifest.

The manifest lists each file's SHA-256 (computed when it arrived and checked again now), size,
type and time, so whoever receives the bundle can show the files were not changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import time
import zipfile
from typing import Any

from webhook.evidence.store import EvidenceStore


def file_name(record: dict[str, Any]) -> str:
    """The name a file has in the bundle: its id and an extension from its sniffed type."""
    extension = mimetypes.guess_extension(record["mime"]) or ".bin"
    return f"files/{record['id']}{extension}"


def build(store: EvidenceStore, psid: str, ref: str, transcript: list[dict[str, Any]],
          made_by: str) -> bytes:
    """The zip's bytes (files whose content changed on disk are listed as such, not hidden)."""
    out = io.BytesIO()
    entries = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in store.records(psid):
            try:
                data = store.read(record["id"])
            except FileNotFoundError:
                entries.append({**_public(record), "file": None, "missing": True})
                continue
            name = file_name(record)
            archive.writestr(name, data)
            intact = hashlib.sha256(data).hexdigest() == record["sha256"]
            entries.append({**_public(record), "file": name, "intact": intact})
        archive.writestr("transcript.json", json.dumps(
            [_entry(e) for e in transcript], ensure_ascii=False, indent=1))
        archive.writestr("manifest.json", json.dumps(
            {"case": ref, "made_at": _iso(time.time()), "made_by": made_by,
             "files": entries}, ensure_ascii=False, indent=1))
    return out.getvalue()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], "kind": record["kind"], "type": record["mime"],
            "size": record["size"], "sha256": record["sha256"],
            "received_at": _iso(record["received_at"]), "kept": record["kept"]}


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {"time": _iso(entry["t"]), "from": entry.get("author") or entry["role"],
            "text": entry["text"]}


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
