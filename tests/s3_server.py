"""A real S3-compatible HTTP server for the tests: moto's standalone server on 127.0.0.1.

Debian has no MinIO, Garage or other S3 server package, so the tests use moto's server
(tests/s3-requirements.lock, `make s3-test-deps`; docs/decisions.md 75). It speaks S3's HTTP
API on a free port; the store reaches it with boto3 through EVIDENCE_S3_ENDPOINT, as it would
MinIO or Garage. Each test gets its own prefix in one bucket, so tests never see each other's
objects.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import requests

from webhook.embedded_redis import free_port

BUCKET = "helpline-evidence-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class S3Server:
    """Where the server listens, and a client to look into its bucket."""

    endpoint: str
    client: Any

    def environment(self, prefix: str, endpoint: str | None = None) -> dict[str, str]:
        """What a process needs to keep evidence under `prefix` in the test bucket."""
        return {"EVIDENCE_URL": f"s3://{BUCKET}/{prefix}",
                "EVIDENCE_S3_ENDPOINT": endpoint or self.endpoint, **CREDENTIALS}

    def use(self, monkeypatch: pytest.MonkeyPatch, endpoint: str | None = None) -> str:
        """Point this process's evidence store at a fresh prefix; the prefix (with its '/')."""
        prefix = f"t-{uuid.uuid4().hex[:12]}"
        for name, value in self.environment(prefix, endpoint).items():
            monkeypatch.setenv(name, value)
        return prefix + "/"

    def object_keys(self, prefix: str = "") -> list[str]:
        """Every object key in the bucket under `prefix`."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET,
                                                                      Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


def closed_port() -> str:
    """The address of a port nobody listens on: an S3 service that is down."""
    return f"http://127.0.0.1:{free_port()}"


def _made(endpoint: str) -> S3Server:
    """A client on the server, with the test bucket made."""
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=BUCKET)
    return S3Server(endpoint, client)


@contextmanager
def standalone() -> Iterator[S3Server]:
    """moto's server in a process of its own (benchmarks: its work is not timed as ours),
    keeping every object in a temporary file, as a real service keeps them on disk."""
    port = free_port()
    env = {**os.environ, "MOTO_S3_DEFAULT_KEY_BUFFER_SIZE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                "-p", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(endpoint, timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield _made(endpoint)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server, started once for the session, with the test bucket made."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield _made(f"http://{host}:{port}")
    finally:
        server.stop()
