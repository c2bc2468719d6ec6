"""Evidence bytes in an S3-compatible bucket (AWS S3, MinIO, Garage, Wasabi...), with boto3.

`EVIDENCE_URL=s3://bucket/prefix` names the bucket and the prefix every object is put under;
`EVIDENCE_S3_ENDPOINT` the service when it is not AWS; credentials and region come the
standard way (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, or an
instance or pod role), read by boto3 itself and never logged. Objects are named by the random
id only, with their content type, no ACL (the bucket's private default), and server-side
encryption requested unless `EVIDENCE_S3_SSE=off` (for services that refuse the header).

Timeouts are short and retries few: a worker thread waits at most about half a minute for a
service that is down, then the file is reported as not kept (StoreUnavailable).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from webhook.config import ConfigError
from webhook.evidence.blobs import unavailable

DEFAULT_SSE = "AES256"
SSE_CHOICES = ("AES256", "aws:kms", "off")
CONNECT_TIMEOUT_S = 2
READ_TIMEOUT_S = 10
TOTAL_ATTEMPTS = 2  # the first try and one retry
MISSING = {"NoSuchKey", "404", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; ConfigError (naming no secret) otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ConfigError("EVIDENCE_URL must look like s3://bucket/prefix")
    if parts.username or parts.password:
        raise ConfigError("EVIDENCE_URL must not hold credentials: set AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY (or give the pod a role)")
    prefix = parts.path.strip("/")
    return parts.hostname, f"{prefix}/" if prefix else ""


def sse_setting(value: str) -> str | None:
    """The ServerSideEncryption to request, None for `off`; ConfigError for anything unknown."""
    value = value.strip() or DEFAULT_SSE
    if value not in SSE_CHOICES:
        raise ConfigError(f"EVIDENCE_S3_SSE must be one of {', '.join(SSE_CHOICES)}")
    return None if value == "off" else value


def client_config(endpoint: str) -> Config:
    """Short timeouts, few retries; path-style addresses for S3-compatible services."""
    return Config(connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                  retries={"total_max_attempts": TOTAL_ATTEMPTS, "mode": "standard"},
                  signature_version="s3v4",
                  s3={"addressing_style": "path" if endpoint else "auto"})


class S3Blobs:
    """Bytes as objects `prefix + name` in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "",
                 sse: str | None = DEFAULT_SSE) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.sse = sse

    @classmethod
    def from_settings(cls, url: str, endpoint: str = "", sse: str = DEFAULT_SSE,
                      region: str = "") -> S3Blobs:
        """The store EVIDENCE_URL and friends describe (credentials: boto3's usual chain)."""
        bucket, prefix = parse_url(url)
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint or None, region_name=region or "us-east-1",
            config=client_config(endpoint))
        return cls(client, bucket, prefix, sse_setting(sse))

    def key(self, name: str) -> str:
        """The object's key: the prefix and the random name, nothing else."""
        if not name.replace(".", "").isalnum():
            raise KeyError(name)
        return self.prefix + name

    def put(self, name: str, data: bytes, mime: str) -> None:
        """One PUT (S3 makes an object visible only once it is whole)."""
        extra = {"ServerSideEncryption": self.sse} if self.sse else {}
        self._call("put", self.client.put_object, Bucket=self.bucket, Key=self.key(name),
                   Body=data, ContentType=mime, **extra)

    def get(self, name: str) -> bytes:
        """The object's bytes (FileNotFoundError when there is none)."""
        answer = self._call("get", self.client.get_object, Bucket=self.bucket,
                            Key=self.key(name))
        try:
            return answer["Body"].read()
        except BotoCoreError as error:
            raise unavailable("get", error) from error

    def delete(self, name: str) -> None:
        """Remove the object (S3 answers the same whether it was there or not)."""
        self._call("delete", self.client.delete_object, Bucket=self.bucket, Key=self.key(name))

    def exists(self, name: str) -> bool:
        """A HEAD request."""
        try:
            self._call("head", self.client.head_object, Bucket=self.bucket, Key=self.key(name))
        except FileNotFoundError:
            return False
        return True

    def names(self) -> Iterator[str]:
        """Every object under the prefix, without the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        try:
            for page in pages:
                yield from (item["Key"][len(self.prefix):] for item in page.get("Contents", []))
        except (BotoCoreError, ClientError) as error:
            raise unavailable("list", error) from error

    def _call(self, operation: str, method: Any, **params: Any) -> Any:
        """The call; a missing object is FileNotFoundError, any other failure StoreUnavailable."""
        try:
            return method(**params)
        except (ClientError, BotoCoreError) as error:
            if str(getattr(error, "response", {}).get("Error", {}).get("Code")) in MISSING:
                raise FileNotFoundError(params.get("Key", "")) from error
            raise unavailable(operation, error) from error
