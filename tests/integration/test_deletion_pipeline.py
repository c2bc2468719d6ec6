"""Issue 10, finding 7, through the real pipeline (webhook, Redis, workers, Rasa, the Graph
stand-in): a confirmed deletion happens even when the confirmation cannot be sent."""

from tests.integration.test_messenger_pipeline import ask_to_delete, transcript, wait_until
from webhook import keys
from webhook.simulator import payloads

PAGE_BLOCKED = 551  # Graph: "This person isn't available right now" (permanent)


def test_a_confirmed_deletion_runs_when_facebook_refuses_the_reply_for_good(fb, db):
    user, confirm = ask_to_delete(fb)
    mids = {entry["mid"] for entry in transcript(db, user) if entry.get("mid")}
    assert mids and all(db.exists(keys.seen(m)) or db.exists(keys.sent_mid(m)) for m in mids)
    fb.fault(PAGE_BLOCKED, recipient=user, times=20)  # the user blocked the Page meanwhile
    fb.deliver(payloads.quick_reply(user, "Yes, delete", "/affirm"))
    wait_until(lambda: not [k for k in db.scan_iter(f"*{user}*")], timeout=30)
    assert len(fb.texts(user)) == confirm, "nothing more could be sent"
    assert not [m for m in mids if db.exists(keys.seen(m), keys.sent_mid(m))]
    assert any(f.get("action") == "delete_data" for _, f in db.xrange("hl:audit"))
