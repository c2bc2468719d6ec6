"""Property-based tests of POST /webhook (views, events, signature) against a real Redis.

Random and mutated Meta payloads, odd Unicode, bad signatures. The app runs with TESTING on,
so an unhandled exception fails the test instead of becoming a 500.
"""

import hashlib
import hmac
import json
from collections import Counter
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webhook import create_app, keys
from webhook.messenger.events import dedup_key, parse
from webhook.messenger.signature import sign
from webhook.simulator import payloads

SECRET = "fuzz-app-secret"
SHARDS = 4
MAX_BYTES = 64 * 1024
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff"]
EMOJI = ["😢", "👍🏽", "👩\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🇰🇭", "🏳️\u200d🌈", "❤️"]
KHMER = [chr(code) for code in range(0x1780, 0x17FA)]
ODD = ["\x00", "\x07", "\u0301", "\u202e", "\u2028", "\ufffd", "\U0010ffff", '"', "\\", "\n"]
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]

# pieces of text: single characters, or emoji sequences of several code points
odd_piece = st.one_of(st.sampled_from(ZERO_WIDTH + EMOJI + KHMER + ODD),
                      st.characters(codec="utf-8"))


def pieces(piece: st.SearchStrategy[str], min_size: int = 0,
           max_size: int = 300) -> st.SearchStrategy[str]:
    return st.lists(piece, min_size=min_size, max_size=max_size).map("".join)



long_word = st.builds(lambda c, n: c * n, st.sampled_from(["a", "ស", "😢", "\u200b", "x\u200d"]),
                      st.integers(200, 3000))
odd_text = st.one_of(
    pieces(odd_piece),
    st.lists(st.one_of(st.text(st.sampled_from(KHMER), min_size=1, max_size=8),
                       st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
                       st.sampled_from(ZERO_WIDTH + EMOJI)), max_size=40).map(" ".join),
    long_word,
)
surrogate_text = pieces(st.one_of(odd_piece, st.sampled_from(LONE_SURROGATES)), 1, 50)
psid = st.one_of(st.from_regex(r"[1-9][0-9]{5,19}", fullmatch=True), odd_text.filter(bool))
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30),
              st.floats(allow_nan=False, allow_infinity=False), odd_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(odd_text, inner, max_size=4)),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def client(redis_server):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": SECRET,
                      "FB_VERIFY_TOKEN": "verify", "FB_PAGE_ACCESS_TOKEN": "token",
                      "INBOX_SHARDS": SHARDS, "MAX_WEBHOOK_BYTES": MAX_BYTES})
    return app.test_client()


@pytest.fixture(scope="module")
def db(redis_server):
    return redis.Redis.from_url(redis_server)


def queued(db) -> list[dict[str, Any]]:
    return [json.loads(fields[b"event"]) for shard in range(SHARDS)
            for _, fields in db.xrange(keys.inbox(shard))]


def post(client, raw: bytes, header: str | None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    return client.post("/webhook", data=raw, headers=headers)


# --- authentic, well-formed messages ----------------------------------------------------------

@st.composite
def message_events(draw) -> list[dict[str, Any]]:
    """Messages of every kind Meta sends, each with its own mid, from a few users."""
    users = draw(st.lists(psid, min_size=1, max_size=3, unique=True))
    count = draw(st.integers(1, 6))
    events = []
    for index in range(count):
        user, mid = draw(st.sampled_from(users)), f"m_fuzz_{index}"
        kind = draw(st.sampled_from(["text", "quick_reply", "postback", "image"]))
        text = draw(odd_text.filter(bool))
        stamp = draw(st.integers(1, 2**53))
        if kind == "text":
            event = payloads.text(user, text, mid=mid, timestamp=stamp)
        elif kind == "quick_reply":
            event = payloads.quick_reply(user, text, draw(odd_text.filter(bool)), mid=mid)
        elif kind == "postback":
            event = payloads.postback(user, text, draw(odd_text), mid=mid)
        else:
            event = payloads.attachment(user, "image", mid=mid)
        events.append(event)
    return events


@FUZZ
@given(events=message_events(), entries=st.integers(1, 3), ascii_only=st.booleans())
def test_every_authentic_message_is_queued_exactly_once(client, db, events, entries,
                                                        ascii_only):
    db.flushdb()
    raw, headers = payloads.encode(payloads.body(*events, entries=entries), SECRET,
                                   ascii_only=ascii_only)
    if len(raw) > MAX_BYTES:
        assert client.post("/webhook", data=raw, headers=headers).status_code == 413
        return
    for _ in range(2):  # Facebook redelivers: the second delivery adds nothing
        assert client.post("/webhook", data=raw, headers=headers).status_code == 200
    got = queued(db)
    assert Counter(event["mid"] for event in got) == Counter(expected(events).keys())
    assert {event["mid"]: event["text"] for event in got} == expected(events)
    assert {event["psid"] for event in got} == {e["sender"]["id"] for e in events}


def expected(events: list[dict[str, Any]]) -> dict[str, str]:
    """Each event's mid and the text the worker should get."""
    found = {}
    for event in events:
        if "postback" in event:
            found[event["postback"]["mid"]] = event["postback"]["title"]
        else:
            found[event["message"]["mid"]] = event["message"].get("text", "")
    return found


@FUZZ
@given(text=surrogate_text, user=st.from_regex(r"[1-9][0-9]{5,19}", fullmatch=True))
def test_lone_surrogates_escaped_in_json_are_queued_not_a_500(client, db, text, user):
    db.flushdb()
    body = payloads.body(payloads.text(user, text, mid="m_surrogate"))
    raw = json.dumps(body, ensure_ascii=True).encode()  # "\ud800" as Meta's escapes would be
    assert post(client, raw, sign(raw, SECRET)).status_code == 200
    [event] = queued(db)
    assert event["mid"] == "m_surrogate" and event["psid"] == user
    assert not any("\ud800" <= char <= "\udfff" for char in event["text"])


# --- authentic but mutated payloads -----------------------------------------------------------

def _slots(node: Any, found: list) -> list:
    """Every (container, key) pair of a JSON tree, for mutations to pick from."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else []
    for key, value in items:
        found.append((node, key))
        _slots(value, found)
    return found


@st.composite
def mutated_bodies(draw) -> Any:
    """A valid body with a few fields dropped, replaced by junk, or wrapped."""
    body = payloads.body(*draw(message_events()), entries=draw(st.integers(1, 2)))
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(body, [])
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["drop", "junk", "wrap", "null", "huge"]))
        if action == "drop" and isinstance(container, dict):
            del container[key]
        elif action == "wrap":
            container[key] = draw(st.sampled_from([[container[key]], {"x": container[key]}]))
        elif action == "null":
            container[key] = None
        elif action == "huge":
            container[key] = draw(st.sampled_from([10**40, -(10**40), 2**63, 1.7e308, -0.0]))
        else:
            container[key] = draw(junk)
    return body


junk_bodies = st.one_of(junk, st.builds(lambda entry: {"object": "page", "entry": entry}, junk))


def assert_no_server_error(client, raw: bytes) -> int:
    answer = post(client, raw, sign(raw, SECRET))
    assert answer.status_code in (200, 400, 413), answer.status_code
    assert answer.is_json or answer.data == b"EVENT_RECEIVED"
    return answer.status_code


@FUZZ
@given(body=st.one_of(mutated_bodies(), junk_bodies), ascii_only=st.booleans())
def test_mutated_payloads_never_give_a_server_error(client, db, body, ascii_only):
    db.flushdb()
    raw = json.dumps(body, ensure_ascii=ascii_only).encode()
    if assert_no_server_error(client, raw) == 200:  # what the parser kept is queued, once
        found = [dedup_key(event) for event in parse(json.loads(raw))]
        assert len(queued(db)) == len({key for key in found if key}) + found.count("")


SPECIAL_JSON = [
    b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, "recipient": '
    b'{"id": "2"}, "timestamp": %s, "message": {"mid": "m", "text": "hi"}}]}]}' % number
    for number in (b"Infinity", b"-Infinity", b"NaN", b"1e400", b"-1e400", b"1" * 5000,
                   b"1.5", b"-1", b"true", b"null", b'"123"', b"[]")
] + [
    b"[" * 30000 + b"]" * 30000,
    b'{"object": "page", "entry": ' + b"[" * 20000 + b"]" * 20000 + b"}",
    b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "\\ud800"}, '
    b'"recipient": {"id": "2"}, "message": {"mid": "\\udfff", "text": "\\u0000"}}]}]}',
    b'{"object": "page", "object": "user", "entry": []}',
    b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b'{"object": "page", "entry": [] }\x00',
    b"", b"null", b'"page"', b"\x80\x81",
]


@pytest.mark.parametrize("raw", SPECIAL_JSON, ids=range(len(SPECIAL_JSON)))
def test_special_json_never_gives_a_server_error(client, db, raw):
    db.flushdb()
    assert_no_server_error(client, raw)


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_random_and_flipped_bytes_never_give_a_server_error(client, db, raw):
    db.flushdb()
    valid = json.dumps(payloads.body(payloads.text("123", "សួស្តី hello", mid="m1"))).encode()
    assert_no_server_error(client, raw)
    cut = len(raw) % len(valid)
    assert_no_server_error(client, valid[:cut] + raw[:8] + valid[cut + 8:])


# --- signatures -------------------------------------------------------------------------------

def _flip(hexdigest: str, position: int) -> str:
    char = hexdigest[position]
    return hexdigest[:position] + ("0" if char != "0" else "1") + hexdigest[position + 1:]


# Header values cannot hold line breaks (the client refuses them before sending)
header_text = pieces(odd_piece.filter(lambda piece: piece not in "\r\n"), max_size=80)


@st.composite
def wrong_signatures(draw, raw: bytes) -> str | None:
    good = sign(raw, SECRET).removeprefix("sha256=")
    other = hmac.new(b"another-secret", raw, hashlib.sha256).hexdigest()
    return draw(st.one_of(
        st.none(), st.just(""), st.just("sha256="), st.just("sha256=" + good[:-1]),
        st.just("sha1=" + good), st.just(good), st.just("sha256=" + good.upper()),
        st.just("sha256=" + other), st.just("sha256=" + sign(raw + b" ", SECRET)[7:]),
        st.integers(0, 63).map(lambda i: "sha256=" + _flip(good, i)),
        header_text, header_text.map(lambda text: "sha256=" + text),
    ))


@FUZZ
@given(data=st.data(), events=message_events())
def test_a_wrong_or_missing_signature_is_403_and_nothing_is_queued(client, db, data, events):
    db.flushdb()
    raw = json.dumps(payloads.body(*events), ensure_ascii=False).encode()
    header = data.draw(wrong_signatures(raw))
    answer = post(client, raw, header)
    assert answer.status_code == (413 if len(raw) > MAX_BYTES else 403)
    assert queued(db) == []


@FUZZ
@given(body=mutated_bodies(), header=st.one_of(st.none(), header_text))
def test_mutated_payloads_with_junk_signatures_are_refused(client, db, body, header):
    db.flushdb()
    raw = json.dumps(body).encode()
    assert post(client, raw, header).status_code in (403, 413)
    assert queued(db) == []
