"""The handoff service: the worker and the console call these to move a conversation between
the bot, the queue and a person. Views stay thin; only this module changes ownership.

States (`owner` in the conversation hash): bot -> queued -> person -> bot.
"""

from __future__ import annotations

import json
import logging
import statistics
from dataclasses import dataclass
from typing import Any

import redis

from webhook import keys, metrics
from webhook.clock import Clock
from webhook.content.model import Content
from webhook.conversations.state import BOT, PERSON, QUEUED, Conversations, last_user_seconds
from webhook.conversations.transcript import Transcript
from webhook.handoff import access, office_hours, window
from webhook.handoff.access import Actor, NotAllowed
from webhook.handoff.notify import Notifier
from webhook.insights import hooks as insights
from webhook.logging_setup import user_ref
from webhook.messenger.send_api import SendApi, SendError
from webhook.pipeline.language import message_language
from webhook.pipeline.render import render
from webhook.redis_text import as_text
from webhook.routing import teams

log = logging.getLogger(__name__)
PAGE_INBOX_APP_ID = "263902037430900"
DEFAULT_WAIT_MINUTES = 10

_CLAIM = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'owner', 'person', 'claimed_by', ARGV[1], 'claimed_at', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""
# Move a case to a colleague only if nobody changed its owner since it was checked.
# ARGV: target, now, psid, expected owner, expected claimed_by ('' for none).
_ASSIGN = """
local owner = redis.call('HGET', KEYS[1], 'owner') or ''
local by = redis.call('HGET', KEYS[1], 'claimed_by') or ''
if owner ~= ARGV[4] or by ~= ARGV[5] then return 0 end
redis.call('HSET', KEYS[1], 'owner', 'person', 'claimed_by', ARGV[1], 'claimed_at', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""


@dataclass
class Handoffs:
    """Ownership changes, queue views and moderator messages."""

    client: redis.Redis
    conversations: Conversations
    transcript: Transcript
    send_api: SendApi
    content: Content
    clock: Clock
    mode: str = "console"          # or "page_inbox": Meta's Page Inbox answers
    notifier: Notifier | None = None

    def __post_init__(self) -> None:
        self._claim = self.client.register_script(_CLAIM)
        self._assign = self.client.register_script(_ASSIGN)

    # --- the worker's side ------------------------------------------------------------
    def escalate(self, psid: str, reason: str, language: str,
                 topic: str = "") -> list[dict[str, Any]]:
        """Queue the conversation for a person (routed by reason, language and the topic
        they wrote about); the Messenger messages that tell the user their place and the
        expected wait (or when the team is back)."""
        state = self.conversations.get(psid)
        if state.get("owner") in (QUEUED, PERSON):
            return []
        now = self.clock.now()
        team = teams.team_for(reason, language or state.get("language", ""), topic)
        self.conversations.update(psid, owner=QUEUED, handoff_reason=reason,
                                  handoff_topic=topic or None,
                                  handoff_requested_at=now, claimed_by=None, team=team)
        ref = self.conversations.ref(psid)
        self.client.zadd(keys.handoff_queue(), {psid: now})
        self._publish("queued", ref)
        insights.handoff_queued(self.client, reason, now)
        if self.notifier:
            self.notifier.queued(reason, language, self.client.zcard(keys.handoff_queue()))
        if self.mode == "page_inbox":
            self._pass_to_page_inbox(psid, reason)
        log.info("handoff queued", extra={"user": user_ref(psid), "reason": reason})
        return self._queue_message(psid, language, now)

    def cancel(self, psid: str) -> None:
        """The user went back to the bot before a person took the case."""
        if self.conversations.get(psid).get("owner") == QUEUED:
            self._back_to_bot(psid, by="user", tell_user=False)  # the answer already says so

    def user_wrote(self, psid: str) -> None:
        """A user wrote while waiting or talking to a person: the console shows it live."""
        self._publish("message", self.conversations.ref(psid))

    def page_inbox_done(self, psid: str) -> None:
        """Meta's Page Inbox passed the thread back to us: the bot answers again."""
        if self.conversations.get(psid).get("owner") in (QUEUED, PERSON):
            self._back_to_bot(psid, by="page_inbox", take_thread=False)

    def page_inbox_took(self, psid: str) -> None:
        """A person took the thread in Meta's Page Inbox."""
        self.client.zrem(keys.handoff_queue(), psid)
        self.conversations.update(psid, owner=PERSON, claimed_by="page_inbox",
                                  claimed_at=self.clock.now())
        self._publish("claimed", self.conversations.ref(psid))

    def expire_idle(self, silence_seconds: float) -> int:
        """Hand back to the bot conversations a person left silent too long; how many."""
        now, count = self.clock.now(), 0
        for psid in self._owned_by_person():
            state = self.conversations.get(psid)
            last = max(float(state.get("claimed_at") or 0),
                       float(state.get("last_person_at") or 0),
                       last_user_seconds(state) or 0)
            if now - last > silence_seconds:
                self._back_to_bot(psid, by="timeout")
                count += 1
        return count

    def forget_expired(self) -> int:
        """Drop queue entries older than the retention period, or whose conversation has
        expired or been deleted (the queue holds user ids); how many."""
        cutoff = self.clock.now() - self.conversations.retention
        dropped = self.client.zremrangebyscore(keys.handoff_queue(), "-inf", cutoff)
        for member in self.client.zrange(keys.handoff_queue(), 0, -1):
            if not self.client.exists(keys.conversation(as_text(member))):
                dropped += self.client.zrem(keys.handoff_queue(), member)
        return dropped

    # --- the console's side -----------------------------------------------------------
    def claim(self, ref: str, moderator: str) -> bool:
        """Take a waiting case; False when someone else was first (or it is not waiting)."""
        psid = self._psid(ref)
        now = self.clock.now()
        won = bool(self._claim(keys=[keys.conversation(psid), keys.handoff_queue(),
                                     keys.owned_by_person()], args=[moderator, now, psid]))
        if won:
            state = self.conversations.get(psid)
            requested = float(state.get("handoff_requested_at") or now)
            metrics.HANDOFF_WAIT_SECONDS.labels(language=state.get("language") or "").observe(
                now - requested)
            pipe = self.client.pipeline()
            for waits in (keys.handoff_waits(), keys.team_waits(state.get("team", ""))):
                pipe.lpush(waits, now - requested)
                pipe.ltrim(waits, 0, 49)
            pipe.execute()
            insights.handoff_claimed(self.client, now - requested, now)
            self._publish("claimed", ref)
        return won

    def assign(self, ref: str, target: str, actor: Actor) -> None:
        """Give the case to a colleague (it stays with a person); NotAllowed when the actor
        may not (see webhook.handoff.access) or the case changed hands meanwhile."""
        psid = self._psid(ref)
        state = self.conversations.get(psid)
        access.check_assign(state, actor, target)
        moved = self._assign(keys=[keys.conversation(psid), keys.handoff_queue(),
                                   keys.owned_by_person()],
                             args=[target, self.clock.now(), psid, state.get("owner", ""),
                                   state.get("claimed_by", "")])
        if not moved:
            raise NotAllowed("The conversation changed hands meanwhile: reload and try again.")
        self._publish("assigned", ref)

    def release(self, ref: str, actor: Actor | None = None) -> None:
        """Put the case back in the queue, at its original place (its owner or an admin;
        `actor` None: a trusted caller, not checked)."""
        psid = self._psid(ref)
        state = self._acting_on(psid, actor)
        if state.get("owner") != PERSON:
            raise NotAllowed("Only a claimed conversation can go back to the queue.")
        requested = float(state.get("handoff_requested_at") or self.clock.now())
        self.conversations.update(psid, owner=QUEUED, claimed_by=None)
        self.client.zadd(keys.handoff_queue(), {psid: requested})
        self._publish("released", ref)

    def resolve(self, ref: str, by: str, actor: Actor | None = None) -> None:
        """Done: the assistant takes the conversation back and tells the user (NotAllowed
        unless `actor` owns it or is an admin; None: a trusted caller)."""
        psid = self._psid(ref)
        self._acting_on(psid, actor)
        self._back_to_bot(psid, by=by)

    def reply(self, ref: str, moderator: str, text: str, actor: Actor | None = None) -> str:
        """Send a moderator's message within Messenger's rules; its message id.

        Raises NotAllowed (not the owner), window.WindowClosed (with the reason to show) or
        SendError.
        """
        psid = self._psid(ref)
        state = self._acting_on(psid, actor)
        last_user = last_user_seconds(state)
        allowed = window.for_person(last_user, self.clock.now())
        mid = self.send_api.send_message(psid, {"text": text},
                                         messaging_type=allowed.messaging_type, tag=allowed.tag)
        self.client.set(keys.sent_mid(mid), "1", ex=86400)
        self.transcript.add(psid, "person", text, state.get("language"), author=moderator,
                            mid=mid, tag=allowed.tag or "")
        self.conversations.update(psid, last_person_at=self.clock.now())
        self._publish("message", ref)
        return mid

    def hand_to_team(self, ref: str, team: str, by: str, note: str,
                     actor: Actor | None = None) -> None:
        """Move the case to another team's queue (back to waiting), with a note saying why; a
        claimed case only by its owner or an admin (NotAllowed)."""
        if team not in teams.names():
            raise ValueError(f"unknown team {team!r}")
        psid = self._psid(ref)
        if self.conversations.get(psid).get("owner") == PERSON:
            self.release(ref, actor)
        self.conversations.update(psid, team=team)
        self.add_note(ref, by, f"Handed to {teams.names()[team]}: {note}")

    def add_note(self, ref: str, moderator: str, text: str, actor: Actor | None = None) -> None:
        """An internal note, never sent to the user (its owner or an admin; NotAllowed)."""
        psid = self._psid(ref)
        self._acting_on(psid, actor)
        entry = json.dumps({"t": self.clock.now(), "author": moderator, "text": text},
                           ensure_ascii=False)
        pipe = self.client.pipeline()
        pipe.rpush(keys.notes(psid), entry)
        pipe.expire(keys.notes(psid), self.conversations.retention)
        pipe.execute()
        self._publish("note", ref)

    def set_labels(self, ref: str, labels: list[str], actor: Actor | None = None) -> None:
        """Replace the conversation's labels (its owner or an admin; NotAllowed)."""
        psid = self._psid(ref)
        self._acting_on(psid, actor)
        pipe = self.client.pipeline()
        pipe.delete(keys.labels(psid))
        if labels:
            pipe.sadd(keys.labels(psid), *labels)
            pipe.expire(keys.labels(psid), self.conversations.retention)
        pipe.execute()

    def queue(self) -> list[dict[str, Any]]:
        """Waiting conversations, oldest first."""
        now = self.clock.now()
        items = []
        for psid, requested in self.client.zrange(keys.handoff_queue(), 0, -1, withscores=True):
            psid = psid.decode() if isinstance(psid, bytes) else psid
            state = self.conversations.get(psid)
            last = self._last_user_message(psid)
            items.append({"ref": self.conversations.ref(psid), "waiting_s": now - requested,
                          "language": state.get("language", ""),
                          "reason": state.get("handoff_reason", ""),
                          "team": state.get("team", ""),
                          "last_message": last, "claimed_by": state.get("claimed_by", "")})
        return items

    def mine_and_others(self) -> list[dict[str, Any]]:
        """Conversations a person owns now."""
        return [{"ref": self.conversations.ref(psid),
                 **{k: v for k, v in self.conversations.get(psid).items()
                    if k in ("claimed_by", "language", "handoff_reason")}}
                for psid in self._owned_by_person()]

    def details(self, ref: str, reader: Actor | None = None) -> dict[str, Any]:
        """Everything the conversation page shows; NotAllowed for a closed conversation the
        reader is neither admin nor last owner of (LookupError when it is gone)."""
        psid = self._psid(ref)
        state = self.conversations.get(psid)
        if reader is not None and not access.may_read(state, reader):
            raise NotAllowed("This conversation is closed: only admins and its last "
                             "moderator can read it.")
        last_user = last_user_seconds(state)
        try:
            allowed = window.for_person(last_user, self.clock.now())
            window_state = {"open": True, "tag": allowed.tag}
        except window.WindowClosed as closed:
            window_state = {"open": False, "reason": str(closed), "reason_text": closed.text,
                            "reason_values": closed.values}
        return {"ref": ref, "state": state, "transcript": self.transcript.read(psid),
                "notes": [json.loads(n) for n in self.client.lrange(keys.notes(psid), 0, -1)],
                "labels": sorted(as_text(x) for x in self.client.smembers(keys.labels(psid))),
                "window": window_state, "last_user_at": last_user}

    # --- inside ----------------------------------------------------------------------
    def _back_to_bot(self, psid: str, by: str, take_thread: bool = True,
                     tell_user: bool = True) -> None:
        state = self.conversations.get(psid)
        self.client.zrem(keys.handoff_queue(), psid)
        self.conversations.update(psid, owner=BOT, claimed_by=None, handoff_reason=None,
                                  handoff_topic=None,
                                  handoff_requested_at=None, claimed_at=None,
                                  last_owner=state.get("claimed_by") or state.get("last_owner"),
                                  case_summary=None)  # guided steps' summary (webhook.guides)
        if self.mode == "page_inbox" and take_thread:
            self._take_back(psid)
        if tell_user:
            self._tell_user_bot_is_back(psid, state)
        self._publish("resolved", self.conversations.ref(psid))
        log.info("handed back", extra={"user": user_ref(psid), "by": by})

    def _tell_user_bot_is_back(self, psid: str, state: dict[str, str]) -> None:
        last_user = last_user_seconds(state)
        if window.for_bot(last_user, self.clock.now()) is None:
            return
        language = message_language("", state, self.content.settings().default_language)
        for message in self._content_messages("utter_handback", language):
            try:
                mid = self.send_api.send_message(psid, message, messaging_type="RESPONSE")
            except SendError as error:
                log.warning("handback message failed", extra={"code": error.code})
                return
            self.transcript.add(psid, "bot", message.get("text", ""), language, mid=mid)

    def _queue_message(self, psid: str, language: str, now: float) -> list[dict[str, Any]]:
        schedule = self.content.settings().office_hours_schedule
        if office_hours.is_open(now, schedule):
            position = (self.client.zrank(keys.handoff_queue(), psid) or 0) + 1
            team = self.conversations.get(psid).get("team", "")
            values = {"queue_position": str(position),
                      "wait_minutes": str(self.expected_wait(team))}
            return self._content_messages("utter_handoff_wait", language, values)
        opening = office_hours.next_opening(now, schedule)
        values = {"next_open": office_hours.describe(opening, language) if opening else ""}
        return self._content_messages("utter_handoff_closed", language, values)

    def expected_wait(self, team: str = "") -> int:
        """Minutes: the median of the team's recent waits (of all teams' before the team has
        any), or a default before there are any."""
        waits = [float(w) for w in self.client.lrange(keys.team_waits(team), 0, -1)] if team \
            else []
        waits = waits or [float(w) for w in self.client.lrange(keys.handoff_waits(), 0, -1)]
        if not waits:
            return DEFAULT_WAIT_MINUTES
        return max(1, round(statistics.median(waits) / 60))

    def _content_messages(self, name: str, language: str,
                          values: dict[str, str] | None = None) -> list[dict[str, Any]]:
        return render([self.content.reply(name, language, values)]).messages

    def _pass_to_page_inbox(self, psid: str, reason: str) -> None:
        try:
            self.send_api.pass_thread_control(psid, PAGE_INBOX_APP_ID, f"handoff:{reason}")
        except SendError as error:
            log.warning("pass_thread_control failed", extra={"code": error.code})

    def _take_back(self, psid: str) -> None:
        try:
            self.send_api.take_thread_control(psid, "handback")
        except SendError as error:
            log.warning("take_thread_control failed", extra={"code": error.code})

    def _owned_by_person(self) -> list[str]:
        """From the index; entries whose conversation expired or changed are dropped."""
        found = []
        for member in self.client.smembers(keys.owned_by_person()):
            psid = as_text(member)
            if as_text(self.client.hget(keys.conversation(psid), "owner")) == PERSON:
                found.append(psid)
            else:
                self.client.srem(keys.owned_by_person(), psid)
        return sorted(found)

    def _last_user_message(self, psid: str) -> str:
        for entry in reversed(self.transcript.read(psid)):
            if entry.get("role") == "user":
                return entry.get("text", "")
        return ""

    def _acting_on(self, psid: str, actor: Actor | None) -> dict[str, str]:
        """The state, after checking the actor may act on it (None: a trusted caller)."""
        state = self.conversations.get(psid)
        if actor is not None:
            access.check_act(state, actor)
        return state

    def _psid(self, ref: str) -> str:
        psid = self.conversations.psid_for(ref)
        if psid is None:
            raise LookupError("no such conversation (it may have expired or been deleted)")
        return psid

    def _publish(self, kind: str, ref: str) -> None:
        self.client.publish(keys.console_events(), json.dumps({"type": kind, "ref": ref}))
