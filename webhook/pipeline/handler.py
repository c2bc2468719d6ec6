"""Handle one queued event: record it, decide whether the bot answers, answer, carry out commands.

Outcomes: DONE (acknowledge) or RETRY (leave it queued; the worker tries again later, in order),
or WAIT_FOR_RASA (a RETRY because Rasa is down).
"""

from __future__ import annotations

import enum
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis

from bot.language import detect
from webhook import keys
from webhook.content.model import Content
from webhook.conversations.state import BOT, QUEUED, Conversations
from webhook.conversations.transcript import Transcript
from webhook.evidence.collector import EvidenceCollector
from webhook.guides.walker import Walker
from webhook.handoff.service import Handoffs
from webhook.insights import hooks as insights
from webhook.logging_setup import user_ref
from webhook.messenger.send_api import PermanentSendError, SendApi, TransientSendError
from webhook.pipeline import commands
from webhook.pipeline.language import chosen_language, message_language
from webhook.pipeline.rasa_client import RasaClient, RasaPool, RasaUnavailable
from webhook.pipeline.rate_limit import RateLimit, Verdict
from webhook.pipeline.redis_wait import until_written
from webhook.pipeline.render import render
from webhook.pipeline.replies import ReplyProgress
from webhook.privacy.redact import redact
from webhook.scamcheck.conversation import take_checked_image
from webhook.scamcheck.turns import ScamCheckTurns

log = logging.getLogger(__name__)
USER_KINDS = ("text", "quick_reply", "postback", "attachment")
GET_STARTED = "GET_STARTED"
CANCEL_HANDOFF = "/cancel_handoff"
RASA_DOWN = "rasa_unavailable"
SENT_MID_TTL = 86400


class Outcome(enum.Enum):
    """What the worker does with the entry after handling."""

    DONE = "done"
    RETRY = "retry"
    WAIT_FOR_RASA = "wait_for_rasa"  # RETRY because Rasa is down: see tell_waiting


@dataclass
class Handler:
    """Everything one event may need."""

    client: redis.Redis
    rasa: RasaClient | RasaPool
    send_api: SendApi
    content: Content
    conversations: Conversations
    transcript: Transcript
    handoffs: Handoffs
    app_id: str = ""
    rasa_patience_seconds: float = 15.0
    rate_limit: RateLimit | None = None
    guides: Walker | None = None
    scam_turns: ScamCheckTurns | None = None
    evidence: EvidenceCollector | None = None
    _actions: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="typing"))

    def handle(self, entry_id: str, event: dict[str, Any]) -> Outcome:
        """Handle one event of any kind."""
        kind, psid = event.get("kind"), event.get("psid", "")
        if kind in ("read", "delivery"):
            self.conversations.update(psid, **{f"{kind}_watermark": event.get("watermark", 0)})
            return Outcome.DONE
        if kind == "echo":
            self._echo(event)
            return Outcome.DONE
        if kind == "handover":
            self._handover(event)
            return Outcome.DONE
        if kind not in USER_KINDS:
            log.info("skipped unknown event", extra={"kind": kind, "user": user_ref(psid)})
            return Outcome.DONE
        return self._user_message(entry_id, event)

    def _echo(self, event: dict[str, Any]) -> None:
        psid = event["psid"]
        ours = (self.app_id and event.get("app_id") == self.app_id) or (
            event.get("mid") and self.client.exists(keys.sent_mid(event["mid"])))
        if ours:
            return
        self.transcript.add(psid, "person", event.get("text") or "[attachment]",
                            source="page_inbox", author="page_inbox")
        self.conversations.mark_person(psid, "page_inbox")
        self.handoffs.user_wrote(psid)

    def _handover(self, event: dict[str, Any]) -> None:
        """Thread control moved (Page Inbox mode): to us means the bot answers again."""
        psid = event["psid"]
        if event["action"] == "pass" and (not self.app_id or event["app_id"] == self.app_id):
            self.handoffs.page_inbox_done(psid)
        elif event["action"] == "take":
            self.handoffs.page_inbox_took(psid)

    def _user_message(self, entry_id: str, event: dict[str, Any]) -> Outcome:
        event = _with_secrets_masked(event)
        psid = event["psid"]
        progress = ReplyProgress(self.client, entry_id)
        state = self.conversations.get(psid)
        if not progress.flag("recorded"):
            self._record_user(event, progress)
            state = self.conversations.get(psid)
        if event.get("standby") or not self._bot_may_answer(event, state):
            if self.evidence is not None and event.get("attachment_urls"):
                self.evidence.collect(event)  # the moderator sees what the user sent
            self.handoffs.user_wrote(psid)
            return Outcome.DONE  # a person is answering or about to: the bot stays silent
        plan = progress.plan()
        if plan is None:
            verdict = self._rate_verdict(psid, progress)
            if verdict is Verdict.SILENT:
                return Outcome.DONE  # over the limit: recorded above, not answered
            if verdict is Verdict.NOTICE:
                plan = self._notice_plan("utter_rate_limited", event, state)
                progress.set_plan(plan)
        if plan is None:
            if event["kind"] != "attachment":  # attachments are answered at once, no Rasa
                self._actions.submit(self._typing, psid)  # shown while Rasa thinks
            try:
                plan = self._plan(event, state)
            except RasaUnavailable:
                return self._rasa_down(event, state, progress)
            progress.set_plan(plan)
            if state.get("handoff_reason") == RASA_DOWN:
                self.handoffs.cancel(psid)  # Rasa is back before a person took the case
        return self._deliver(psid, plan, progress)

    def _rate_verdict(self, psid: str, progress: ReplyProgress) -> Verdict:
        """Counted once per entry: one retried while Rasa is down keeps its place."""
        if self.rate_limit is None or progress.flag("counted"):
            return Verdict.ANSWER
        verdict = self.rate_limit.take(psid)
        if verdict is Verdict.ANSWER:
            progress.mark("counted")
        return verdict

    def _notice_plan(self, name: str, event: dict[str, Any],
                     state: dict[str, str]) -> dict[str, Any]:
        """A plan of one system answer (a notice) in the user's language, with no commands."""
        language = message_language(_typed(event), state, self._default_language())
        rendered = render([self.content.reply(name, language)])
        return {"messages": rendered.messages, "commands": [], "language": language}

    @staticmethod
    def _bot_may_answer(event: dict[str, Any], state: dict[str, str]) -> bool:
        owner = state.get("owner") or BOT
        if owner == QUEUED and event.get("payload") == CANCEL_HANDOFF:
            return True  # the user tapped "back to the bot" while waiting
        if owner == QUEUED and state.get("handoff_reason") == RASA_DOWN:
            return True  # queued only because Rasa was down: answer if it is back
        return owner == BOT

    def _record_user(self, event: dict[str, Any], progress: ReplyProgress) -> None:
        psid, text = event["psid"], event.get("text") or ""
        shown = text or f"[{', '.join(event.get('attachments', ['attachment']))}]"
        detection = detect(_typed(event))
        chosen = chosen_language(event.get("payload", ""))
        self.conversations.user_wrote(psid, event.get("timestamp", 0), detection.reply_language)
        if chosen:
            self.conversations.update(psid, chosen_language=chosen)
        pipe = self.client.pipeline()  # one transaction: recorded once, even across a crash
        self.transcript.add(psid, "user", shown, detection.language, pipe=pipe,
                            kind=event["kind"], mid=event.get("mid"))
        progress.mark("recorded", pipe=pipe)
        pipe.execute()
        insights.message_received(self.client, psid)

    def _plan(self, event: dict[str, Any], state: dict[str, str]) -> dict[str, Any]:
        language = message_language(_typed(event), state, self._default_language())
        scam = self.scam_turns.answer(event, state, language) if self.scam_turns else None
        if scam is not None:
            answer = scam
        elif event["kind"] == "attachment":
            name = "utter_voice_note" if "audio" in event["attachments"] else "utter_attachment"
            answer = [self.content.reply(name, language)]
        else:
            answer = self._answer(event, language)
        if event.get("secrets"):
            answer = [self.content.reply("utter_secret_warning", language), *answer]
        rendered = render(answer)
        return {"messages": rendered.messages, "commands": rendered.commands,
                "language": language}

    def _answer(self, event: dict[str, Any], language: str) -> list[dict[str, Any]]:
        """Rasa's answer, or the guided steps' (webhook.guides) when the event is a step."""
        guided = self.guides.before_rasa(event, language) if self.guides else None
        if guided is not None:
            return guided
        answer = self.rasa.send(event["psid"], _rasa_text(event), {"language": language})
        if self.guides is None:
            return answer
        return self.guides.after_rasa(event["psid"], answer, language, event["kind"] == "text")

    def _default_language(self) -> str:
        return self.content.settings().default_language

    def _rasa_down(self, event: dict[str, Any], state: dict[str, str],
                   progress: ReplyProgress) -> Outcome:
        waited = time.time() - progress.first_failure()
        log.warning("rasa unavailable", extra={"user": user_ref(event["psid"]),
                                               "waited_s": round(waited, 1)})
        if waited >= self.rasa_patience_seconds and not progress.flag("delay_notified"):
            progress.mark("delay_notified")
            self._tell_delayed(event, state)
        return Outcome.WAIT_FOR_RASA

    def tell_waiting(self, entry: str, event: dict[str, Any], waited_s: float) -> None:
        """A message waits behind one that Rasa cannot answer yet: past the patience, its user
        hears of the delay too (once), after their message is recorded."""
        if event.get("kind") not in USER_KINDS or event.get("standby") \
                or waited_s < self.rasa_patience_seconds:
            return
        event = _with_secrets_masked(event)
        progress = ReplyProgress(self.client, entry)
        if not progress.flag("recorded"):
            self._record_user(event, progress)
        state = self.conversations.get(event["psid"])
        if self._bot_may_answer(event, state):
            self._tell_delayed(event, state)

    def _tell_delayed(self, event: dict[str, Any], state: dict[str, str]) -> None:
        """The delay notice and the place in the queue for a person, unless already told."""
        if state.get("owner") == QUEUED and state.get("handoff_reason") == RASA_DOWN:
            return  # told during this outage already
        psid = event["psid"]
        notice = self._notice_plan("utter_delayed", event, state)
        language = notice["language"]
        self._send_follow_up(psid, notice["messages"], language)
        self._send_follow_up(psid, self.handoffs.escalate(psid, RASA_DOWN, language), language)

    def _deliver(self, psid: str, plan: dict[str, Any], progress: ReplyProgress) -> Outcome:
        messages = plan["messages"][progress.sent:]
        try:
            self._send_all(psid, messages, plan["language"], progress)
        except TransientSendError as error:
            log.warning("send failed, will retry", extra={"code": error.code,
                                                          "user": user_ref(psid)})
            return Outcome.RETRY
        except PermanentSendError as error:
            log.warning("send refused", extra={"code": error.code, "user": user_ref(psid)})
            self.conversations.update(psid, last_send_error=error.code,
                                      last_send_error_at=int(time.time()))
            return Outcome.DONE
        if not progress.flag("commands_done"):
            progress.mark("commands_done")
            for command in plan["commands"]:
                follow_up = commands.carry_out(command, psid, plan["language"], self.handoffs,
                                               self.conversations)
                if command.get("command") == "handoff":
                    self._keep_checked_image(psid)
                self._send_follow_up(psid, follow_up, plan["language"])
        return Outcome.DONE

    def _keep_checked_image(self, psid: str) -> None:
        """A scam check's picture that led to a person is evidence for the moderator."""
        url = take_checked_image(self.client, psid)
        if url and self.evidence is not None:
            self.evidence.collect_url(psid, "image", url)

    def send_later(self, psid: str, answer: list[dict[str, Any]], language: str) -> None:
        """Send an answer that was ready only after the turn (a picture's scam check)."""
        self._send_follow_up(psid, render(answer).messages, language)

    def _send_follow_up(self, psid: str, messages: list[dict[str, Any]], language: str) -> None:
        try:
            self._send_all(psid, messages, language)
        except (TransientSendError, PermanentSendError) as error:
            log.warning("follow-up not sent", extra={"code": error.code, "user": user_ref(psid)})

    def _send_all(self, psid: str, messages: list[dict[str, Any]], language: str,
                  progress: ReplyProgress | None = None) -> None:
        for message in messages:
            mid = self.send_api.send_message(psid, message, messaging_type="RESPONSE")
            until_written(self._record_sent, psid, mid, _shown(message), language, progress)

    def _record_sent(self, psid: str, mid: str, shown: str, language: str,
                     progress: ReplyProgress | None) -> None:
        if progress:
            progress.sent_one()  # first: it is what keeps a retry from sending it again
        self.client.set(keys.sent_mid(mid), "1", ex=SENT_MID_TTL)
        self.transcript.add(psid, "bot", shown, language, mid=mid)

    def _typing(self, psid: str) -> None:
        """Show the typing indicator (from a thread: it must not delay the answer)."""
        try:
            self.send_api.sender_action(psid, "typing_on")
        except TransientSendError as error:
            log.info("typing indicator failed", extra={"code": error.code})
        except PermanentSendError as error:
            self.conversations.update(psid, last_send_error=error.code,
                                      last_send_error_at=int(time.time()))


def _with_secrets_masked(event: dict[str, Any]) -> dict[str, Any]:
    """The event with codes, passwords and card numbers masked in what the user typed: the
    transcript, the console and Rasa only ever see the masked text."""
    if event["kind"] != "text" or not event.get("text"):
        return event
    masked = redact(event["text"])
    if not masked.found:
        return event
    return {**event, "text": masked.text, "secrets": sorted(masked.found)}


def _typed(event: dict[str, Any]) -> str:
    """What the user wrote themselves: a tapped button's title says nothing of their language."""
    return event.get("text") or "" if event["kind"] == "text" else ""


def _rasa_text(event: dict[str, Any]) -> str:
    """What Rasa is told: typed text, or a tapped payload (unknown payloads show the menu)."""
    if event["kind"] == "text":
        return event["text"]
    payload = event.get("payload") or ""
    if payload == GET_STARTED:
        return "/greet"
    return payload if payload.startswith("/") else "/help"


def _shown(message: dict[str, Any]) -> str:
    if "text" in message:
        return message["text"]
    payload = message.get("attachment", {}).get("payload", {})
    return payload.get("text") or f"[{message.get('attachment', {}).get('type', 'message')}]"
