"""The handoff service against real Redis and the Graph API stand-in."""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.project import RESPONSES
from webhook import keys
from webhook.clock import Clock
from webhook.content.loader import FolderContent
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.handoff.service import PAGE_INBOX_APP_ID, Handoffs
from webhook.handoff.window import WindowClosed
from webhook.messenger.send_api import SendApi
from webhook.simulator.graph_standin import GraphStandIn

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
USER = "psid-handoff-1"


@pytest.fixture(scope="module")
def graph():
    with GraphStandIn(app_secret="secret") as standin:
        yield standin


@pytest.fixture
def clock(redis_db):
    clock = Clock(redis_db, adjustable=True)
    yield clock
    clock.reset()


def set_time(clock, year, month, day, hour, minute=0):
    """Move the test clock to a local time in Phnom Penh."""
    clock.reset()
    target = datetime(year, month, day, hour, minute, tzinfo=PHNOM_PENH).timestamp()
    clock.advance(target - time.time())


@pytest.fixture
def service(redis_db, graph, clock):
    graph.reset()
    conversations = Conversations(redis_db, 86400)
    return Handoffs(
        client=redis_db, conversations=conversations, transcript=Transcript(redis_db, 86400),
        send_api=SendApi(graph.url, "v21.0", "token", "secret", sleep=lambda _: None),
        content=FolderContent(RESPONSES), clock=clock)


def user_wrote(service, psid=USER, language="en"):
    service.conversations.update(psid, last_user_at=int(service.clock.now() * 1000),
                                 language=language)


def sent(graph, psid=USER):
    return [r["json"] for r in graph.requests_for(psid) if "message" in (r["json"] or {})]


def test_escalating_queues_and_tells_the_place_and_wait(service, clock):
    set_time(clock, 2026, 11, 30, 10)  # a Monday, 10:00 in Phnom Penh
    user_wrote(service)
    [message] = service.escalate(USER, "scam_victim", "en")
    assert message["text"].startswith("You are number 1 in line")
    assert "about 10 minutes" in message["text"]  # no waits measured yet: the default
    assert message["quick_replies"][0]["payload"] == "/cancel_handoff"
    state = service.conversations.get(USER)
    assert state["owner"] == "queued" and state["handoff_reason"] == "scam_victim"
    [item] = service.queue()
    assert item["reason"] == "scam_victim" and item["language"] == "en"
    assert service.escalate(USER, "again", "en") == []  # already waiting: nothing new


def test_outside_office_hours_the_user_hears_when_the_team_is_back(service, clock):
    set_time(clock, 2026, 11, 28, 21)  # a Saturday evening
    [closed] = service.escalate(USER, "user_request", "km")
    assert "ថ្ងៃច័ន្ទ ម៉ោង ០៨:០០" in closed["text"]
    assert service.conversations.get(USER)["owner"] == "queued"


def test_two_moderators_claim_at_once_and_one_wins(service):
    service.escalate(USER, "user_request", "en")
    ref = service.conversations.ref(USER)
    results = []
    barrier = threading.Barrier(2)

    def claim(name):
        barrier.wait()
        results.append((name, service.claim(ref, name)))

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("dara", "sokha")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    winners = [name for name, won in results if won]
    assert len(winners) == 1
    assert service.conversations.get(USER)["claimed_by"] == winners[0]
    assert service.queue() == []


def test_replies_follow_messengers_window(service, clock, graph):
    set_time(clock, 2026, 11, 30, 10)
    user_wrote(service)
    service.escalate(USER, "user_request", "en")
    ref = service.conversations.ref(USER)
    service.claim(ref, "dara")
    service.reply(ref, "dara", "Hello, I am Dara")
    clock.advance(25 * 3600)
    service.reply(ref, "dara", "Are you still there?")
    first, second = sent(graph)[-2:]
    assert first["messaging_type"] == "RESPONSE" and "tag" not in first
    assert second["messaging_type"] == "MESSAGE_TAG" and second["tag"] == "HUMAN_AGENT"
    clock.advance(6 * 86400)
    with pytest.raises(WindowClosed, match="7 days"):
        service.reply(ref, "dara", "too late")
    assert len(sent(graph)) == 2, "nothing is sent after the 7-day window"
    details = service.details(ref)
    assert details["window"]["open"] is False
    assert [e["author"] for e in details["transcript"] if e["role"] == "person"] == ["dara"] * 2


def test_resolving_hands_back_and_tells_the_user(service, graph):
    user_wrote(service)
    service.escalate(USER, "user_request", "en")
    ref = service.conversations.ref(USER)
    service.claim(ref, "dara")
    service.resolve(ref, by="dara")
    assert service.conversations.get(USER)["owner"] == "bot"
    last = sent(graph)[-1]
    assert last["message"]["text"].startswith("Hello again! The automatic assistant is back")
    assert last["messaging_type"] == "RESPONSE"


def test_releasing_puts_the_case_back_at_its_place(service):
    other = "psid-other"
    service.escalate(USER, "user_request", "en")
    service.escalate(other, "user_request", "en")
    ref = service.conversations.ref(USER)
    service.claim(ref, "dara")
    assert [i["ref"] for i in service.queue()] == [service.conversations.ref(other)]
    service.release(ref)
    assert [i["ref"] for i in service.queue()][0] == ref


def test_silence_hands_the_conversation_back(service, clock):
    user_wrote(service)
    service.escalate(USER, "user_request", "en")
    service.claim(service.conversations.ref(USER), "dara")
    assert service.expire_idle(3600) == 0
    clock.advance(3601)
    assert service.expire_idle(3600) == 1
    assert service.conversations.get(USER)["owner"] == "bot"


def test_expected_wait_is_the_median_of_recent_claims(service, clock, redis_db):
    for minutes in (4, 6, 30):
        redis_db.lpush(keys.handoff_waits(), minutes * 60)
    assert service.expected_wait() == 6


def test_page_inbox_mode_passes_and_takes_thread_control(service, graph):
    service.mode = "page_inbox"
    user_wrote(service)
    service.escalate(USER, "online_harassment", "en")
    service.resolve(service.conversations.ref(USER), by="dara")
    passed = graph.requests_for(USER, path_contains="pass_thread_control")
    taken = graph.requests_for(USER, path_contains="take_thread_control")
    assert passed[0]["json"]["target_app_id"] in (PAGE_INBOX_APP_ID, int(PAGE_INBOX_APP_ID))
    assert "online_harassment" in passed[0]["json"]["metadata"]
    assert len(taken) == 1


def test_notes_and_labels_are_kept_apart_from_the_user(service, graph):
    service.escalate(USER, "user_request", "en")
    ref = service.conversations.ref(USER)
    before = len(sent(graph))
    service.add_note(ref, "dara", "called the bank with her")
    service.set_labels(ref, ["scam", "bank"])
    details = service.details(ref)
    assert details["notes"][0]["text"] == "called the bank with her"
    assert details["labels"] == ["bank", "scam"]
    assert len(sent(graph)) == before


def test_unknown_references_are_refused(service):
    with pytest.raises(LookupError):
        service.claim("no-such-ref", "dara")


def test_staff_are_notified_without_any_message_content(service):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from webhook.handoff.notify import Notifier

    received = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        service.notifier = Notifier(f"http://127.0.0.1:{server.server_port}/hook",
                                    "https://helpline.example/console/")
        service.transcript.add(USER, "user", "my secret story", "en")
        service.escalate(USER, "online_harassment", "en")
        assert arrived.wait(5)
    finally:
        server.shutdown()
    [body] = received
    assert body == {"event": "handoff_queued", "reason": "online_harassment", "language": "en",
                    "waiting": 1, "console": "https://helpline.example/console/"}
    assert USER not in json.dumps(body) and "secret" not in json.dumps(body)


def test_the_list_of_owned_conversations_follows_claims_and_resolves(service, redis_db):
    service.escalate(USER, "user_request", "en")
    ref = service.conversations.ref(USER)
    assert service.mine_and_others() == []
    service.claim(ref, "dara")
    assert [item["ref"] for item in service.mine_and_others()] == [ref]
    assert service.mine_and_others()[0]["claimed_by"] == "dara"
    service.resolve(ref, by="dara")
    assert service.mine_and_others() == []
    assert redis_db.scard(keys.owned_by_person()) == 0


def test_queue_entries_go_with_their_conversation_or_after_the_retention_period(
        service, clock, redis_db):
    for psid in ("psid-old", "psid-gone", "psid-waiting"):
        user_wrote(service, psid)
        service.escalate(psid, "user_request", "en")
    redis_db.zadd("hl:handoff-queue", {"psid-old": clock.now() - 86400 - 60})  # 1-day retention
    redis_db.delete("hl:conv:psid-gone")  # expired, or erased on request
    assert service.forget_expired() == 2
    assert [member.decode() for member in redis_db.zrange("hl:handoff-queue", 0, -1)] == [
        "psid-waiting"]
