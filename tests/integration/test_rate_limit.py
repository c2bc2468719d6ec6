"""One user flooding the Page: one polite notice in their language, the rest recorded and not
answered, and everyone else (users of the flooder's inbox shard too) still answered promptly."""

import random
import threading

import pytest
import redis
import requests

from tests.resilience.flow import settle
from tests.resilience.ledger import GraphLog, Notices
from tests.resilience.texts import checked_phrases
from tests.resilience.traffic import MetaSender, SimUser
from webhook import keys

FLOOD = 200
LIMIT = 15  # RATE_LIMIT_MESSAGES of the test stack (the default)
PER_POST = 10


@pytest.fixture(scope="module")
def phrases(stack):
    return checked_phrases(stack.rasa_url, stack.rasa_auth)


def user_on(shard, shards, language, phrases, rng):
    """A new user whose messages land in inbox shard `shard`."""
    while True:
        psid = f"flood-{rng.getrandbits(48):012x}"
        if keys.shard_of(psid, shards) == shard:
            return SimUser(psid, language, phrases[language], rng)


def others(shard, shards, phrases, rng):
    """Two users on the flooder's shard and three elsewhere, Khmer and English."""
    near = [user_on(shard, shards, lang, phrases, rng) for lang in ("en", "km")]
    far = [user_on((shard + k) % shards, shards, lang, phrases, rng)
           for k, lang in ((1, "km"), (3, "en"), (5, "km"))]
    return near + far


def converse(sender, users, rounds=2):
    for _ in range(rounds):
        sender.deliver([user.next_message() for user in users])


def waits(users, tally):
    return [tally.answer_times[m.mid] - m.posted for u in users for m in u.sent
            if m.mid in tally.answer_times]


def flood(sender, flooder):
    for _ in range(FLOOD // PER_POST):
        sender.deliver([flooder.next_message() for _ in range(PER_POST)])


def test_a_flooding_user_gets_one_notice_and_others_are_still_answered(stack, phrases,
                                                                        burst_window):
    burst_window(0)  # the limit counts messages: here each is its own, not joined in bursts
    rng = random.Random(8)
    shards = int(stack.environment().get("INBOX_SHARDS", "8"))
    client = redis.Redis.from_url(stack.redis_url)
    sender, notices = MetaSender(stack), Notices(("utter_delayed", "utter_rate_limited"))
    shard = rng.randrange(shards)

    calm = others(shard, shards, phrases, rng)
    graph = GraphLog(stack.graph_url)
    converse(sender, calm)
    baseline = settle(graph, client, calm, notices, timeout=60)
    assert baseline.clean and baseline.answered == 2 * len(calm), baseline.problems

    flooder = user_on(shard, shards, "km", phrases, rng)
    busy = others(shard, shards, phrases, rng)
    graph = GraphLog(stack.graph_url)
    flooding = threading.Thread(target=flood, args=(sender, flooder))
    flooding.start()
    converse(sender, busy)
    flooding.join()
    for index, message in enumerate(flooder.sent):
        message.expect_answer = index < LIMIT
    during = settle(graph, client, [flooder, *busy], notices, timeout=120)

    assert during.clean, during.problems
    assert during.answered == LIMIT + 2 * len(busy), "everyone else answered, in order, once"
    assert [kind for kind, _ in during.notices[flooder.psid]] == ["utter_rate_limited:km"]
    tracker = requests.get(f"{stack.rasa_url}/conversations/{flooder.psid}/tracker",
                           params=stack.rasa_auth, timeout=30).json()
    seen = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    # Rasa keeps the last turns only (bot/tracker_store.py): the last one it saw must be the
    # flooder's LIMIT-th message, not a later one
    assert seen and seen[-1] == flooder.sent[LIMIT - 1].phrase.text, \
        "Rasa never saw the messages over the limit"
    assert max(waits(busy, during)) <= max(waits(calm, baseline)) + 5.0, \
        "a flood delays the others by a few Redis calls per message, not seconds"
