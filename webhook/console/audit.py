"""The audit log: what each moderator did in the console, and when.

Entries go to the Redis stream `hl:audit`, trimmed to about 100,000 entries, newest last.
Each holds the actor (a username, or `cli` for the command line), one of ACTIONS, the
conversation's console reference (random, never the user's id; see decisions 20) and a
short `detail` code such as a label name or a target moderator's username. Message text never
goes in: record() refuses a detail longer than 64 characters or with line breaks.

`GET /console/audit` (admins only) shows the latest entries, optionally of one action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import redis
from flask import Blueprint, current_app, render_template, request

from webhook.console import auth


def audit_stream() -> str:
    """The stream of audit entries."""
    return "hl:audit"


ACTIONS = (
    "claim", "assign", "release", "reply", "note", "resolve", "view_transcript",
    "login", "logout", "login_failed",
    "account_created", "account_disabled", "account_enabled", "password_set",
    "delete_data", "keep_evidence", "release_evidence", "download_bundle",
    "hand_to_team",
    "content_publish", "content_restore", "examples_assigned", "questions_dismissed",
    "scam_alert_saved", "scam_alert_restored",
)
STREAM_MAX_ENTRIES = 100_000
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
    entry_id = client.xadd(audit_stream(), fields, maxlen=STREAM_MAX_ENTRIES, approximate=True)
    return entry_id.decode()


def recent(client: redis.Redis, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    """The latest `limit` entries, newest first; only those of `action` when it is given."""
    if action is None:
        return [_entry(*item) for item in client.xrevrange(audit_stream(), count=limit)]
    found: list[AuditEntry] = []
    upper = "+"
    while len(found) < limit:
        page = client.xrevrange(audit_stream(), max=upper, count=SCAN_PAGE)
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
    entries = recent(current_app.extensions["redis"], action=action)
    return render_template("console/audit.html", entries=entries, actions=ACTIONS,
                           action=action)


def _entry(entry_id: bytes, fields: dict[bytes, bytes]) -> AuditEntry:
    text = {key.decode(): value.decode() for key, value in fields.items()}
    millis = int(entry_id.split(b"-")[0])
    return AuditEntry(id=entry_id.decode(),
                      time=datetime.fromtimestamp(millis / 1000, timezone.utc),
                      actor=text.get("actor", ""), action=text.get("action", ""),
                      conversation_ref=text.get("conv", ""), detail=text.get("detail", ""))
