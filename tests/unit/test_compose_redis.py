"""Issue 10, finding 5: docker-compose's Redis has ACL users (web, worker, rasa) with passwords
from the environment, a memory cap that never evicts, protected mode and a Redis with the 2025
Lua fixes. The ACL file and redis.conf are tested on the real (embedded, 6.2.14) Redis server:
the same files compose mounts, rendered by the same script."""

import asyncio
import os
import re
import subprocess
from urllib.parse import quote

import pytest
import redis
import yaml

from tests.unit.console_client import sign_in
from webhook import create_app, keys
from webhook.config import ROOT
from webhook.console.accounts import account_key, create_account
from webhook.devstack import rasa_store_environment
from webhook.embedded_redis import EmbeddedRedis
from webhook.inbox import Inbox
from webhook.simulator import payloads

REDIS_DIR = ROOT / "docker" / "redis"
PASSWORDS = {"web": "web-pass-0123456789abcdef", "worker": "worker-pass-0123456789ab",
             "rasa": "rasa-pass-0123456789abcd"}
APP_SECRET = "acl-test-app-secret"


def render_acl(out, passwords=PASSWORDS) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"],
           **{f"REDIS_{user.upper()}_PASSWORD": pw for user, pw in passwords.items()}}
    return subprocess.run(["sh", str(REDIS_DIR / "render-acl.sh"),
                           str(REDIS_DIR / "users.acl.template"), str(out)],
                          env=env, capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def acl_redis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("acl-redis")
    assert render_acl(folder / "users.acl").returncode == 0
    server = EmbeddedRedis(folder / "data", config_file=REDIS_DIR / "redis.conf",
                           extra_args=("--aclfile", str(folder / "users.acl")))
    with server:
        yield server


def url(server, user: str) -> str:
    return f"redis://{user}:{quote(PASSWORDS[user])}@127.0.0.1:{server.port}/0"


def test_the_acl_file_keeps_no_password_and_refuses_short_ones(tmp_path):
    assert render_acl(tmp_path / "users.acl").returncode == 0
    rendered = (tmp_path / "users.acl").read_text()
    assert not any(password in rendered for password in PASSWORDS.values())
    assert (tmp_path / "users.acl").stat().st_mode & 0o077 == 0
    short = render_acl(tmp_path / "short.acl", {**PASSWORDS, "rasa": "short"})
    assert short.returncode == 2 and "REDIS_RASA_PASSWORD" in short.stderr


def test_nobody_gets_in_without_a_user_and_password(acl_redis):
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=acl_redis.port).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=acl_redis.port, username="web", password="wrong-password").ping()


def test_the_rasa_user_reaches_rasas_keys_only(acl_redis):
    web = redis.Redis.from_url(url(acl_redis, "web"))
    web.hset(account_key("admin1"), "role", "admin")
    rasa = redis.Redis.from_url(url(acl_redis, "rasa"))
    rasa.set("rasa:tracker:u1", "{}")
    assert rasa.get("rasa:tracker:u1") == b"{}"
    for attempt in (lambda: rasa.hgetall(account_key("admin1")),
                    lambda: rasa.hset(account_key("evil"), "role", "admin"),
                    lambda: rasa.xrange(keys.inbox(0)),
                    lambda: rasa.publish(keys.console_events(), "x")):
        with pytest.raises(redis.exceptions.NoPermissionError):
            attempt()


@pytest.mark.parametrize("user", ["web", "worker", "rasa"])
def test_no_user_can_flush_reconfigure_or_list_keys(acl_redis, user):
    client = redis.Redis.from_url(url(acl_redis, user))
    for attempt in (client.flushall, client.flushdb, lambda: client.config_get("*"),
                    lambda: client.config_set("maxmemory", "0"), lambda: client.keys("*"),
                    lambda: client.execute_command("ACL", "LIST"), client.shutdown):
        with pytest.raises(redis.exceptions.NoPermissionError):
            attempt()


def test_the_app_works_with_user_and_password_urls(acl_redis):
    app = create_app({"APP_ENV": "development", "REDIS_URL": url(acl_redis, "web"),
                      "FB_APP_SECRET": APP_SECRET, "INBOX_SHARDS": 2,
                      "RASA_URL": "http://127.0.0.1:9"})
    web = app.test_client()
    raw, headers = payloads.encode(payloads.body(payloads.text("acl-user", "hello")), APP_SECRET)
    assert web.post("/webhook", data=raw, headers=headers).status_code == 200
    assert "redis" not in web.get("/healthz").get_json()["problems"]
    create_account(redis.Redis.from_url(url(acl_redis, "web")), "aclmod", "Mod", "moderator",
                   "a long enough passphrase")
    assert sign_in(web, "aclmod", "a long enough passphrase").status_code == 302
    worker = redis.Redis.from_url(url(acl_redis, "worker"))
    inbox = Inbox(worker, 2)
    inbox.ensure_groups()
    read = worker.xreadgroup(keys.INBOX_GROUP, "w1", {keys.inbox(s): ">" for s in range(2)})
    assert sum(len(entries) for _, entries in read) == 1
    assert worker.publish(keys.console_events(), "ping") >= 0


def test_rasas_stores_sign_in_as_the_rasa_user(acl_redis):
    from rasa.core.lock_store import RedisLockStore, TicketLock
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    settings = rasa_store_environment(url(acl_redis, "rasa"), "http://127.0.0.1:9/nlg")
    assert (settings["REDIS_USERNAME"], settings["REDIS_PASSWORD"]) == ("rasa", PASSWORDS["rasa"])
    login = {"host": settings["REDIS_HOST"], "port": int(settings["REDIS_PORT"]),
             "username": settings["REDIS_USERNAME"], "password": settings["REDIS_PASSWORD"],
             "key_prefix": "rasa"}
    store = RedisTrackerStore(Domain.empty(), **login)
    asyncio.run(store.save(DialogueStateTracker("u2", [])))
    assert asyncio.run(store.retrieve("u2")).sender_id == "u2"
    locks = RedisLockStore(**login)
    locks.save_lock(TicketLock("u2"))
    assert locks.get_lock("u2") is not None


def test_a_full_redis_refuses_writes_and_evicts_nothing(tmp_path):
    assert render_acl(tmp_path / "users.acl").returncode == 0
    server = EmbeddedRedis(tmp_path / "data", config_file=REDIS_DIR / "redis.conf",
                           extra_args=("--aclfile", str(tmp_path / "users.acl"),
                                       "--maxmemory", "3mb"))
    with server:
        web = redis.Redis.from_url(url(server, "web"))
        web.hset(account_key("admin1"), "role", "admin")
        web.xadd(keys.inbox(0), {"event": "first"})
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            for index in range(10_000):
                web.set(f"hl:filler:{index}", "x" * 2048)
        assert web.hget(account_key("admin1"), "role") == b"admin"
        assert web.xlen(keys.inbox(0)) == 1
        assert web.exists("hl:filler:0")
        server.stop()


def test_compose_runs_a_fixed_redis_with_users_and_the_conf():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    image = services["redis"]["image"]
    major, minor, patch = (int(n) for n in re.fullmatch(r"redis:(\d+)\.(\d+)\.(\d+)", image)
                           .groups())
    assert (major, minor, patch) >= (7, 4, 6) or (major, minor) == (7, 2) and patch >= 11 \
        or (major, minor) == (6, 2) and patch >= 20 or major >= 8
    assert "start.sh" in " ".join(services["redis"]["entrypoint"])
    for service in ("web", "worker"):
        assert services[service]["environment"]["REDIS_URL"].startswith(f"redis://{service}:$")
    assert services["rasa"]["environment"]["REDIS_USERNAME"] == "rasa"
    assert compose["networks"]["backend"]["internal"] is True
    assert services["redis"]["networks"] == ["backend"] == services["rasa"]["networks"]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert not any("ports" in services[name] for name in ("redis", "rasa", "worker"))
    conf = (REDIS_DIR / "redis.conf").read_text()
    for line in ("protected-mode yes", "maxmemory-policy noeviction", "appendonly yes"):
        assert re.search(rf"^{line}$", conf, re.MULTILINE)
    assert re.search(r"^maxmemory \d+[kmg]b$", conf, re.MULTILINE)
