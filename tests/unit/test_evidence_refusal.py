"""A file that does not reach us: the moderator gets a note and the user a kind message, once."""

from pathlib import Path

from tests.unit.test_evidence import DAY, USER, upload
from webhook import keys
from webhook.content.loader import FolderContent
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.evidence.collector import EvidenceCollector, answer_for
from webhook.evidence.store import EvidenceStore
from webhook.simulator.graph_standin import GraphStandIn


def test_refused_files_tell_the_user_once_in_plain_words(redis_db, tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    told = []
    collector = EvidenceCollector(EvidenceStore(redis_db, 30 * DAY),
                                  Conversations(redis_db, 30 * DAY),
                                  Transcript(redis_db, 30 * DAY), ("127.0.0.1",), timeout_s=2.0,
                                  tell_user=lambda psid, name: told.append((psid, name)))
    with GraphStandIn() as graph:
        big = upload(graph, b"\0" * 25 * 2**20, "video/mp4")
        fake = upload(graph, b"<html>x</html>", "image/png")
        event = {"psid": USER, "mid": "m-1",
                 "attachment_urls": [["video", big], ["image", fake]]}
        assert [f.result(timeout=20) for f in collector.collect(event)] == [None, None]
    collector.shutdown()
    assert len(told) == 1 and told[0][0] == USER  # two refusals together: one message
    assert told[0][1] in {"utter_evidence_too_large", "utter_evidence_not_received"}
    assert redis_db.ttl(keys.evidence_user_told(USER)) > 0
    notes = [e for e in redis_db.lrange(keys.transcript(USER), 0, -1) if b"not kept" in e]
    assert len(notes) == 2  # the moderator still sees each file


def test_the_answers_exist_in_both_languages_and_name_no_limit():
    content = FolderContent(Path("responses"))
    for reason in ("too large", "too slow", "HTTP 404", "not what it claims"):
        name = answer_for(reason)
        for language in ("en", "km"):
            text = content.reply(name, language)["text"]
            assert "{" not in text and len(text) < 400
    assert answer_for("too large") == "utter_evidence_too_large"
    assert answer_for("HTTP 404") == "utter_evidence_not_received"
