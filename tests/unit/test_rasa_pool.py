"""Several Rasa replicas: a user's turns stay on one replica; failover only past the patience."""

import pytest

from webhook import keys
from webhook.pipeline import rasa_client
from webhook.pipeline.rasa_client import RasaClient, RasaPool, RasaUnavailable


class Replica:
    def __init__(self, name):
        self.name, self.down, self.calls = name, False, []

    def send(self, sender, text, metadata):
        self.calls.append(sender)
        if self.down:
            raise RasaUnavailable("ConnectionError")
        return [{"text": self.name}]


@pytest.fixture
def pool(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(rasa_client.time, "monotonic", lambda: clock["now"])
    pool = RasaPool(["http://a", "http://b"], "t0k", shards=8, failover_seconds=10)
    pool.replicas = [Replica("a"), Replica("b")]
    pool.clock = clock
    return pool


def users_of(pool, replica):
    return [f"user-{n}" for n in range(40) if pool.replica_of(f"user-{n}") == replica]


def test_the_inbox_shard_decides_the_replica(pool):
    for n in range(40):
        sender = f"user-{n}"
        assert pool.replica_of(sender) == keys.shard_of(sender, 8) % 2
        assert pool.send(sender, "hi", {}) == [{"text": "ab"[pool.replica_of(sender)]}]
    assert users_of(pool, 0) and users_of(pool, 1)


def test_a_down_replica_waits_then_fails_over_and_comes_back(pool):
    user = users_of(pool, 0)[0]
    pool.replicas[0].down = True
    with pytest.raises(RasaUnavailable):
        pool.send(user, "hi", {})  # within the patience: the user waits for their replica
    assert pool.replicas[1].calls == []
    pool.clock["now"] += 10
    assert pool.send(user, "hi", {}) == [{"text": "b"}]
    pool.replicas[0].down = False
    assert pool.send(user, "hi", {}) == [{"text": "a"}]  # back home as soon as it answers


def test_failover_can_be_switched_off(pool):
    pool.failover_seconds = 0
    user = users_of(pool, 0)[0]
    pool.replicas[0].down = True
    pool.clock["now"] += 3600
    with pytest.raises(RasaUnavailable):
        pool.send(user, "hi", {})
    assert pool.replicas[1].calls == []


def test_settings_choose_one_client_or_a_pool():
    one = rasa_client.from_settings({"RASA_URL": "http://r:5005", "RASA_URLS": "",
                                     "INBOX_SHARDS": 8, "RASA_TOKEN": "t0k"})
    several = rasa_client.from_settings({"RASA_URL": "x", "RASA_URLS": "http://a, http://b",
                                         "INBOX_SHARDS": 8, "RASA_FAILOVER_SECONDS": 5,
                                         "RASA_TOKEN": "t0k"})
    assert isinstance(one, RasaClient) and one.url == "http://r:5005"
    assert isinstance(several, RasaPool) and [r.url for r in several.replicas] == \
        ["http://a", "http://b"] and several.failover_seconds == 5
    assert all(r.session.params == {"token": "t0k"} for r in [one, *several.replicas])
