"""Issue 10, finding 7: a deletion removes every trace of the user, in every Redis structure
that can hold one (real Redis). The pipeline path is tested in
tests/integration/test_deletion_pipeline.py."""

import json

from webhook import keys
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.inbox import Inbox
from webhook.logging_setup import user_ref
from webhook.pipeline.replies import ReplyProgress
from webhook.privacy.erase import erase_user

USER, OTHER = "psid-erase-1", "psid-keep-2"


def seed(redis_db, psid, mid):
    conversations, transcript = Conversations(redis_db, 3600), Transcript(redis_db, 3600)
    conversations.update(psid, owner="bot", language="en")
    conversations.ref(psid)
    transcript.add(psid, "user", "hello", "en", mid=mid)
    transcript.add(psid, "bot", "hi", "en", mid=f"bot-{mid}")
    redis_db.set(keys.sent_mid(f"bot-{mid}"), "1")
    redis_db.set(keys.rasa_lock(psid), "{}")
    Inbox(redis_db, 4).append([{"kind": "text", "psid": psid, "mid": f"{mid}-later",
                                "text": "still queued", "timestamp": 1}])
    redis_db.set(keys.seen(f"pb:{psid}:1:/greet"), "1")
    shard = keys.shard_of(psid, 4)
    [(entry_id, _)] = [(i, f) for i, f in redis_db.xrange(keys.inbox(shard))
                       if json.loads(f[b"event"])["psid"] == psid]
    ReplyProgress(redis_db, keys.inbox_entry(shard, entry_id.decode())).mark("recorded")
    redis_db.xadd(keys.dead_letters(), {"entry": "1-0", "kind": "text", "t": 1,
                                        "user": user_ref(psid)})


def test_a_deletion_leaves_no_marker_queued_event_progress_dead_letter_or_lock(redis_db):
    seed(redis_db, USER, "m-user")
    seed(redis_db, OTHER, "m-other")
    erase_user(redis_db, USER, actor="user")
    every = [key.decode() for key in redis_db.scan_iter()]
    assert not [k for k in every if USER in k or "m-user" in k], every
    for stream in (k for k in every if k.startswith("hl:inbox:")):
        assert all(json.loads(f[b"event"])["psid"] != USER
                   for _, f in redis_db.xrange(stream))
    dead = [f[b"user"].decode() for _, f in redis_db.xrange(keys.dead_letters())]
    assert dead == [user_ref(OTHER)]
    progress = [k for k in every if k.startswith("hl:reply:")]
    assert len(progress) == 1, "the other user's progress stays"
    assert redis_db.exists(keys.rasa_lock(OTHER), keys.sent_mid("bot-m-other"),
                           keys.seen("m-other-later")) == 3
