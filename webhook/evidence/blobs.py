"""Where the evidence store keeps its bytes: a folder (the default) or an S3-compatible bucket.

The manifest stays in Redis (webhook/evidence/store.py); a backend only keeps bytes under a
name (a random id, or the id plus ".thumb.jpg"), never anything of the user. `EVIDENCE_URL`
(`s3://bucket/prefix`) chooses the bucket (webhook/evidence/s3.py); unset, files go to
`EVIDENCE_DIR`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

DEFAULT_DIR = ".data/evidence"


class StoreUnavailable(RuntimeError):
    """The backend did not answer or refused (S3 down, credentials refused, disk full).

    Its message names the operation and the error's type only: never a key's owner or a
    credential.
    """


def unavailable(operation: str, error: BaseException) -> StoreUnavailable:
    """The error to raise, counted in `helpline_evidence_store_errors_total` by operation."""
    from webhook.metrics import EVIDENCE_STORE_ERRORS

    EVIDENCE_STORE_ERRORS.labels(operation=operation).inc()
    code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
    return StoreUnavailable(f"{operation}: {code or type(error).__name__}")


class Blobs(Protocol):
    """Bytes by name: all the evidence store needs of a backend."""

    def put(self, name: str, data: bytes, mime: str) -> None:
        """Keep `data` under `name` (replacing what was there); readers never see half."""

    def get(self, name: str) -> bytes:
        """The bytes; FileNotFoundError when there is nothing under `name`."""

    def delete(self, name: str) -> None:
        """Remove `name`; nothing there is not an error."""

    def exists(self, name: str) -> bool:
        """Whether something is kept under `name`."""

    def names(self) -> Iterator[str]:
        """Every name kept (tests, benchmarks and operators checking what is left)."""


def evidence_dir() -> Path:
    """The folder evidence files live in (made on first use)."""
    return Path(os.environ.get("EVIDENCE_DIR") or DEFAULT_DIR)


class FolderBlobs:
    """Files in one folder, mode 0600, written under a temporary name and then renamed."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        """Where a name lives; names are checked so no path escapes the folder."""
        if not name.replace(".", "").isalnum() or name.startswith("."):
            raise KeyError(name)
        return self.directory / name

    def put(self, name: str, data: bytes, mime: str) -> None:  # noqa: ARG002 - S3 needs it
        """Write then rename; a full disk or a missing permission is StoreUnavailable."""
        path = self.path(name)
        partial = path.with_name(path.name + ".part")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
            os.chmod(partial, 0o600)
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise unavailable("put", error) from error

    def get(self, name: str) -> bytes:
        """The file's bytes (FileNotFoundError when gone)."""
        return self.path(name).read_bytes()

    def delete(self, name: str) -> None:
        """Remove the file if it is there."""
        self.path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        """Whether the file is there."""
        return self.path(name).exists()

    def names(self) -> Iterator[str]:
        """Every file in the folder (none when it was never made)."""
        if self.directory.is_dir():
            yield from (path.name for path in self.directory.iterdir())


def from_environment() -> Blobs:
    """The backend the environment chooses: EVIDENCE_URL's bucket, else EVIDENCE_DIR."""
    url = os.environ.get("EVIDENCE_URL", "")
    if not url:
        return FolderBlobs(evidence_dir())
    from webhook.evidence import s3  # boto3 is imported only by those who use a bucket

    return _bucket(url, os.environ.get("EVIDENCE_S3_ENDPOINT", ""),
                   os.environ.get("EVIDENCE_S3_SSE", s3.DEFAULT_SSE),
                   os.environ.get("AWS_DEFAULT_REGION", ""))


@lru_cache(maxsize=4)
def _bucket(url: str, endpoint: str, sse: str, region: str) -> Blobs:
    """One client per process and setting (boto3's clients are thread-safe, and slow to make)."""
    from webhook.evidence import s3

    return s3.S3Blobs.from_settings(url, endpoint=endpoint, sse=sse, region=region)
