"""Every Redis key the web app and the worker use, built in one place.

User ids (PSIDs) appear in keys because Redis must find a user's data to answer and to delete
it; they never appear in logs (see webhook.logging_setup.user_ref).
"""

from __future__ import annotations

import zlib

PREFIX = "hl"
INBOX_GROUP = "workers"


def inbox(shard: int) -> str:
    """The stream of incoming events of one shard."""
    return f"{PREFIX}:inbox:{shard}"


def inbox_pattern() -> str:
    """Matches every shard's inbox stream (for SCAN: deletion looks through all of them)."""
    return f"{PREFIX}:inbox:*"


def shard_of(psid: str, shards: int) -> int:
    """The shard a conversation belongs to: the same user always lands in the same one."""
    return zlib.crc32(psid.encode()) % shards


def shard_owner(shard: int) -> str:
    """Which worker holds the lease on a shard."""
    return f"{PREFIX}:shard-owner:{shard}"


def seen(message_key: str) -> str:
    """Marks a Facebook message id as already queued (Facebook redelivers)."""
    return f"{PREFIX}:seen:{message_key}"


def seen_postbacks_of(psid: str) -> str:
    """Matches the seen markers of a user's postbacks without a message id (for SCAN)."""
    escaped = "".join(f"\\{char}" if char in "*?[]\\" else char for char in psid)
    return seen(f"pb:{escaped}:*")


def sent_mid(mid: str) -> str:
    """A message id our own Send API calls produced (to recognise our echoes)."""
    return f"{PREFIX}:sent:{mid}"


def inbox_entry(shard: int, entry_id: str) -> str:
    """An inbox entry's id among all shards: stream ids are times, so two shards' streams can
    give the same id to events queued in the same millisecond."""
    return f"{shard}:{entry_id}"


def entry_id_of(inbox_entry_id: str) -> str:
    """The stream id part of an `inbox_entry` id."""
    return inbox_entry_id.split(":", 1)[1]


def reply_progress(entry: str) -> str:
    """The rendered reply of an inbox entry (see inbox_entry) and how much of it was sent."""
    return f"{PREFIX}:reply:{entry}"


def rate_limit(psid: str) -> str:
    """How many messages of a user the bot took in the current window (expires with it)."""
    return f"{PREFIX}:rate:{psid}"


def conversation(psid: str) -> str:
    """A conversation's state: language, owner, window times, last error."""
    return f"{PREFIX}:conv:{psid}"


def transcript(psid: str) -> str:
    """The messages of a conversation, oldest first."""
    return f"{PREFIX}:transcript:{psid}"


def workers() -> str:
    """Sorted set of live workers by last heartbeat (seconds since the epoch)."""
    return f"{PREFIX}:workers"


def handoff_queue() -> str:
    """Conversations waiting for a person, by the time they asked."""
    return f"{PREFIX}:handoff-queue"


def dead_letters() -> str:
    """Events that failed with an error, kept as a summary (no text) for staff to look at."""
    return f"{PREFIX}:dead-letters"


def conversation_ref(ref: str) -> str:
    """The user id behind a conversation reference (console URLs never carry user ids)."""
    return f"{PREFIX}:ref:{ref}"


def notes(psid: str) -> str:
    """Moderators' internal notes on a conversation (never sent to the user)."""
    return f"{PREFIX}:notes:{psid}"


def labels(psid: str) -> str:
    """Labels moderators put on a conversation."""
    return f"{PREFIX}:labels:{psid}"


def handoff_waits() -> str:
    """Recent waits (seconds) from asking for a person to a claim, for the expected wait."""
    return f"{PREFIX}:handoff-waits"


def console_events() -> str:
    """Pub/sub channel the console's live updates listen to."""
    return f"{PREFIX}:console-events"


def maintenance_lock() -> str:
    """Held by the one worker running periodic jobs (handback after silence)."""
    return f"{PREFIX}:maintenance-lock"


def owned_by_person() -> str:
    """Conversations a person owns now (kept in step with each conversation's `owner`)."""
    return f"{PREFIX}:owned-by-person"


def audit_actions() -> str:
    """The audit log of what staff did (trimmed by age only; see webhook.console.audit)."""
    return f"{PREFIX}:audit"


def audit_signin() -> str:
    """Failed console sign-ins, apart from the actions: anyone can cause them."""
    return f"{PREFIX}:audit:signin"


def audit_read_mark(actor: str, ref: str) -> str:
    """Marks that a background transcript read of `ref` by `actor` was audited recently."""
    return f"{PREFIX}:audit:read:{actor}:{ref}"


def login_failures_user(name_hash: str) -> str:
    """Failed sign-ins for one typed username (hashed: the text is anyone's to choose)."""
    return f"{PREFIX}:login-failures:user:{name_hash}"


def login_failures_ip(address: str) -> str:
    """Failed sign-ins from one client address, and when its next attempt may come."""
    return f"{PREFIX}:login-failures:ip:{address}"


def totp_pending(username: str) -> str:
    """A second-factor secret waiting for its first code (enrolment), short-lived."""
    return f"{PREFIX}:totp-pending:{username}"


def login_refused(day: str) -> str:
    """Hash of sign-ins refused while paused on one UTC day: account (or `unknown`) -> count."""
    return f"{PREFIX}:login-refused:{day}"


def rasa_tracker(psid: str) -> str:
    """Rasa's tracker of a conversation (RedisTrackerStore with key_prefix `rasa`)."""
    return f"rasa:tracker:{psid}"


def rasa_lock(psid: str) -> str:
    """Rasa's lock of a conversation (RedisLockStore with key_prefix `rasa`)."""
    return f"rasa:lock:{psid}"


def content_revision(store: str = "content") -> str:
    """The content store's revision: raised by one on every published change.

    `store` names a versioned store: "content" (answers and settings), "scamalerts" (the scam
    check's alert library) use the same layout under their own prefix.
    """
    return f"{PREFIX}:{store}:rev"


def content_published(store: str = "content") -> str:
    """Hash: content item (an answer's name, or `settings`) → its published data (JSON)."""
    return f"{PREFIX}:{store}:published"


def content_item_revisions(store: str = "content") -> str:
    """Hash: content item → the revision that last changed it."""
    return f"{PREFIX}:{store}:item-rev"


def content_version_prefix(store: str = "content") -> str:
    """Prefix of one version's record (`<prefix><revision>`): who, when, why, and the data."""
    return f"{PREFIX}:{store}:version:"


def content_history(item: str, store: str = "content") -> str:
    """List of the revisions that changed an item, newest first."""
    return f"{PREFIX}:{store}:history:{item}"


def content_language_revisions(item: str, store: str = "content") -> str:
    """Hash: language → the revision that last changed that language of an item."""
    return f"{PREFIX}:{store}:lang-rev:{item}"


def content_draft(item: str, store: str = "content") -> str:
    """An item's unpublished draft: data, the revision it started from, author, time, stamp."""
    return f"{PREFIX}:{store}:draft:{item}"


def content_topics(store: str = "content") -> str:
    """Hash: topic → what the topic file is about (kept for export)."""
    return f"{PREFIX}:{store}:topics"


def content_channel(store: str = "content") -> str:
    """Pub/sub channel announcing each published revision."""
    return f"{PREFIX}:{store}:published-events"


def content_seed_lock(store: str = "content") -> str:
    """Held while one process adds answers from responses/ that the store does not have yet."""
    return f"{PREFIX}:{store}:seed-lock"


def content_order(store: str = "content") -> str:
    """The answers' order in their files (JSON list), so exports read like the originals."""
    return f"{PREFIX}:{store}:order"


# --- insights (webhook/insights): aggregates per day and unanswered questions, no user ids ---

def insights_day(day: str) -> str:
    """Counters of one day (Phnom Penh date): messages, turns, intents, fallbacks, handoffs."""
    return f"{PREFIX}:insights:day:{day}"


def insights_users(day: str) -> str:
    """HyperLogLog of the day's users, each added as a hash under the day's salt."""
    return f"{PREFIX}:insights:users:{day}"


def insights_salt(day: str) -> str:
    """The random salt of one day's user hashes (expires soon after the day)."""
    return f"{PREFIX}:insights:salt:{day}"


def insights_waits(day: str) -> str:
    """Waits for a person (seconds) of claims made that day, newest first, capped."""
    return f"{PREFIX}:insights:waits:{day}"


def insights_once(kind: str, message_id: str) -> str:
    """Marks that something was already counted for one Rasa message id (short-lived)."""
    return f"{PREFIX}:insights:once:{kind}:{message_id}"


def unanswered(day: str) -> str:
    """Unanswered questions recorded on one day: id -> JSON (masked text, language, kind)."""
    return f"{PREFIX}:insights:unanswered:{day}"


def training_examples() -> str:
    """Examples staff assigned to an intent: id -> JSON, until exported to nlu_data/."""
    return f"{PREFIX}:insights:examples"


def referral_starts() -> str:
    """Where each campaign `ref` (link, QR code, advert) starts a conversation (a hash)."""
    return f"{PREFIX}:ref:starts"


def referral_counts(day: str) -> str:
    """How many conversations each `ref` opened on a day (a hash; no user ids)."""
    return f"{PREFIX}:ref:count:{day}"


def feedback_counts(day: str) -> str:
    """Per answer and language, how often it was shown and rated on a day (a hash)."""
    return f"{PREFIX}:fb:count:{day}"


def feedback_asked(psid: str) -> str:
    """Set when a user was asked "Did this help?" (expires at the end of the day)."""
    return f"{PREFIX}:fb:asked:{psid}"


def feedback_missing(psid: str) -> str:
    """Set after a 👎: the user's next message says what was missing (expires soon)."""
    return f"{PREFIX}:fb:missing:{psid}"

def error_counts() -> str:
    """Hash: error kind (e.g. `no_answer`) → how many since the start (webhook.insights.errors)."""
    return f"{PREFIX}:errors"

def burst_window_override() -> str:
    """The quiet window of bursts (seconds) tests set outside production (see bursts.py)."""
    return f"{PREFIX}:test-burst-window"


def guide_position(psid: str) -> str:
    """Where a user is in guided steps: the tree, the steps taken and the answers given
    (expires after a day, or sooner with a shorter retention; erased with the user's data)."""
    return f"{PREFIX}:guide:{psid}"


# --- scam check (webhook/scamcheck): alert library counts and unmatched checks, no user ids ---

SCAM_ALERTS_STORE = "scamalerts"  # the alert library: a versioned store (content_*(store=…))


def scamcheck_matches(day: str) -> str:
    """Hash: alert id → how many checked messages matched it that day."""
    return f"{PREFIX}:scamcheck:matches:{day}"


def scamcheck_unmatched(day: str) -> str:
    """List of the day's checked messages (masked) that showed signs but matched no alert."""
    return f"{PREFIX}:scamcheck:unmatched:{day}"


def scamcheck_checked_image(psid: str) -> str:
    """The last picture the scam check read, briefly: kept as evidence if a person is asked."""
    return f"{PREFIX}:scamcheck:checked-image:{psid}"


def scamcheck_pending_image(psid: str) -> str:
    """A picture's attachment URL the user was asked about ("check this picture?"), briefly."""
    return f"{PREFIX}:scamcheck:image:{psid}"


def evidence(psid: str) -> str:
    """The manifest of a conversation's evidence files (hash: file id -> JSON record)."""
    return f"{PREFIX}:evidence:{psid}"


def evidence_user_told(psid: str) -> str:
    """Set for a minute after the user was told a file did not reach us (told once per burst)."""
    return f"{PREFIX}:evidence-told:{psid}"


def evidence_expiry() -> str:
    """Evidence files by the time retention removes them (sorted set: file id -> time)."""
    return f"{PREFIX}:evidence-expiry"


def evidence_owner(file_id: str) -> str:
    """Which conversation an evidence file belongs to (for the retention sweep)."""
    return f"{PREFIX}:evidence-owner:{file_id}"


def moderator_teams(username: str) -> str:
    """The teams a console account is in (set of team ids)."""
    return f"{PREFIX}:moderator-teams:{username}"


def team_waits(team: str) -> str:
    """Recent waits (seconds) of one team's cases, for the expected wait told to users."""
    return f"{PREFIX}:handoff-waits:{team}"
