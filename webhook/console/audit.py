"""The audit log: what each moderator did in the console, and when.

Actions go to the Redis stream `hl:audit`, newest last, trimmed by age only: an entry is
dropped when it is older than AUDIT_RETENTION_DAYS (default 90), never to make room, so no
amount of traffic can push a recent action out. Only signed-in staff and the command line
write there. Failed sign-ins, which anyone can cause, go to their own stream
(`hl:audit:signin`), capped at about 100,000 entries and trimmed by the same age; attempts
refused while sign-in is paused are not written one by one but counted per day and account
(`refused_counts`). Each entry holds the actor (a username, or `cli` for the command line),
one of ACTIONS, the conversation's console reference (random, never the user's id; see
decisions 20) and a short `detail` code such as a label name or a target moderator's
username. Message text never goes in: record() refuses a detail longer than 64 characters
or with line breaks.

`GET /console/audit` (admins only) shows the latest entries, optionally of one action.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import redis
from flask import Blueprint, current_app, render_template, request

from webhook import keys
from webhook.console import auth


def audit_stream() -> str:
    """The stream of audited actions (failed sign-ins are in keys.audit_signin)."""
    return keys.audit_actions()


ACTIONS = (
    "claim", "assign", "release", "reply", "note", "labels", "resolve", "view_transcript",
    "login", "logout", "login_failed", "totp_enrolled", "totp_reset",
    "account_created", "account_disabled", "account_enabled", "password_set",
    "delete_data", "keep_evidence", "release_evidence", "download_bundle",
    "hand_to_team", "set_teams",
    "content_publish", "content_restore", "examples_assigned", "questions_dismissed",
    "referral_set", "referral_deleted",
    "scam_alert_saved", "scam_alert_restored",
)
SIGNIN_ACTIONS = ("login_failed",)  # anyone can cause these: kept apart from the actions
SIGNIN_MAX_ENTRIES = 100_000
DEFAULT_RETENTION_DAYS = 90
READ_AUDIT_EVERY_S = 300  # transcript.json is fetched on every live update: one entry per 5 min
MAX_DETAIL_LENGTH = 64
MAX_ACTOR_LENGTH = 64
SCAN_PAGE = 1000

bp = Blueprint("audit", __name__, url_prefix="/console", template_folder="templates")


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action; `time` is in UTC, taken from the stream entry's id."""

    id: str
    time: datetime
    actor: str
    action: str
    conversation_ref: str
    detail: str


def record(client: redis.Redis, actor: str, action: str, conversation: str | None = None,
           detail: str = "") -> str:
    """Append one entry and return its id.

    `conversation` is the console's random reference of the conversation (never the user's
    Facebook id), stored as it is so an admin can open the conversation it names.
    ValueError for an unknown action or a detail that is not a short one-line code.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if len(detail) > MAX_DETAIL_LENGTH or not detail.isprintable():
        raise ValueError("an audit detail is a short code on one line, never message text")
    fields = {"actor": actor[:MAX_ACTOR_LENGTH], "action": action,
              "conv": conversation or "", "detail": detail}
    oldest = f"{int((time.time() - retention_seconds()) * 1000)}-0"
    if action in SIGNIN_ACTIONS:
        entry_id = client.xadd(keys.audit_signin(), fields, maxlen=SIGNIN_MAX_ENTRIES,
                               approximate=True)
        client.xtrim(keys.audit_signin(), minid=oldest, approximate=True)
    else:
        entry_id = client.xadd(audit_stream(), fields, minid=oldest, approximate=True)
    return entry_id.decode()


def record_read(client: redis.Redis, actor: str, conversation: str) -> None:
    """Audit a background read of a transcript (live refresh): one entry per actor and
    conversation every READ_AUDIT_EVERY_S, so the reads are all covered without a flood."""
    if client.set(keys.audit_read_mark(actor, conversation), "1", nx=True,
                  ex=READ_AUDIT_EVERY_S):
        record(client, actor, "view_transcript", conversation=conversation, detail="json")


def count_refused(client: redis.Redis, actor: str) -> None:
    """Count one sign-in refused while paused (never one entry each: see the module doc)."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    pipe = client.pipeline()
    pipe.hincrby(keys.login_refused(day), actor[:MAX_ACTOR_LENGTH], 1)
    pipe.expire(keys.login_refused(day), retention_seconds())
    pipe.execute()


def refused_counts(client: redis.Redis, day: str | None = None) -> dict[str, int]:
    """Sign-ins refused while paused on `day` (UTC, default today), by account."""
    day = day or time.strftime("%Y-%m-%d", time.gmtime())
    raw = client.hgetall(keys.login_refused(day))
    return {key.decode(): int(value) for key, value in raw.items()}


def short_detail(text: str) -> str:
    """`text` cut to a valid detail (one printable line of at most MAX_DETAIL_LENGTH)."""
    return "".join(char for char in text if char.isprintable())[:MAX_DETAIL_LENGTH]


def retention_seconds() -> int:
    """How long entries are kept: AUDIT_RETENTION_DAYS from the environment (default 90)."""
    return int(os.environ.get("AUDIT_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS) * 86400


def recent(client: redis.Redis, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    """The latest `limit` entries, newest first; only those of `action` when it is given."""
    stream = keys.audit_signin() if action in SIGNIN_ACTIONS else audit_stream()
    if action is None:
        return [_entry(*item) for item in client.xrevrange(stream, count=limit)]
    found: list[AuditEntry] = []
    upper = "+"
    while len(found) < limit:
        page = client.xrevrange(stream, max=upper, count=SCAN_PAGE)
        found += [_entry(*item) for item in page if item[1].get(b"action") == action.encode()]
        if len(page) < SCAN_PAGE:
            break
        upper = "(" + page[-1][0].decode()  # exclusive range: Redis 6.2 or newer
    return found[:limit]


@bp.get("/audit")
@auth.role_required("admin")
def index() -> str:
    """The latest entries as a table; `?action=` keeps one kind."""
    action = request.args.get("action") or None
    if action not in ACTIONS:
        action = None
    client = current_app.extensions["redis"]
    return render_template("console/audit.html", entries=recent(client, action=action),
                           actions=ACTIONS, action=action, refused=refused_counts(client))


def _entry(entry_id: bytes, fields: dict[bytes, bytes]) -> AuditEntry:
    text = {key.decode(): value.decode() for key, value in fields.items()}
    millis = int(entry_id.split(b"-")[0])
    return AuditEntry(id=entry_id.decode(),
                      time=datetime.fromtimestamp(millis / 1000, timezone.utc),
                      actor=text.get("actor", ""), action=text.get("action", ""),
                      conversation_ref=text.get("conv", ""), detail=text.get("detail", ""))
