"""Shared fixtures: a real Redis server for the whole session (embedded unless REDIS_URL is set)."""

import os

import pytest
import redis

from webhook.embedded_redis import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """The URL of a real Redis server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def redis_db(redis_server):
    """A client on an empty database."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.flushdb()
