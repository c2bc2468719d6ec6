"""Handle one queued event: record it, decide whether the bot answers, answer, carry out commands.

Outcomes: DONE (acknowledge) or RETRY (leave it queued; the worker tries again later, in order),
or WAIT_FOR_RASA (a RETRY because Rasa is down).
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis

from bot.language import detect
from webhook import metrics
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
from webhook.pipeline.message import (
    joined,
    rasa_text,
    shown_event,
    typed,
    with_secrets_masked,
)
from webhook.pipeline.outbox import Outbox
from webhook.pipeline.rasa_client import RasaClient, RasaPool, RasaUnavailable
from webhook.pipeline.rate_limit import RateLimit, Verdict
from webhook.pipeline.render import render
from webhook.pipeline.replies import ReplyProgress
from webhook.pipeline.side_events import RECORDED_ONLY, SideEvents
from webhook.pipeline.without_rasa import WithoutRasa
from webhook.scamcheck.conversation import take_checked_image
from webhook.scamcheck.turns import ScamCheckTurns

log = logging.getLogger(__name__)
USER_KINDS = ("text", "quick_reply", "postback", "attachment", "referral")
CANCEL_HANDOFF = "/cancel_handoff"
RASA_DOWN = "rasa_unavailable"
FALLBACK = "utter_fallback"  # the menu and "talk to a person"


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

    def __post_init__(self) -> None:
        self.own = WithoutRasa(self.client, self.content, self.conversations, self.transcript)
        self.outbox = Outbox(self.client, self.send_api, self.conversations, self.transcript)
        self.side = SideEvents(self.client, self.conversations, self.transcript, self.handoffs,
                               self.own, self.app_id)

    def handle(self, entry_id: str, event: dict[str, Any]) -> Outcome:
        """Handle one event of any kind."""
        kind, psid = event.get("kind"), event.get("psid", "")
        if kind in ("read", "delivery"):
            self.conversations.update(psid, **{f"{kind}_watermark": event.get("watermark", 0)})
            return Outcome.DONE
        if kind == "echo":
            self.side.echo(event)
            return Outcome.DONE
        if kind == "handover":
            self.side.handover(event)
            return Outcome.DONE
        if kind in RECORDED_ONLY:
            self.side.recorded_only(event)
            return Outcome.DONE
        if kind not in USER_KINDS:
            log.info("skipped unknown event", extra={"kind": kind, "user": user_ref(psid)})
            return Outcome.DONE
        return self._user_message(entry_id, event)

    def _user_message(self, entry_id: str, event: dict[str, Any]) -> Outcome:
        return self.answer([(entry_id, event)])

    def may_hold(self, event: dict[str, Any]) -> bool:
        """True when the bot answers this user now, so a burst of theirs may be held (a user
        waiting for or talking with a person is never held: their messages go on at once)."""
        return self._bot_may_answer(event, self.conversations.get(event["psid"]))

    def answer(self, fragments: list[tuple[str, dict[str, Any]]]) -> Outcome:
        """Answer one user message, or a burst of text fragments joined into one (entry ids
        and events, in order): each fragment recorded as written, the joined text answered
        once; the burst's progress is kept on its first entry."""
        event, recorded = joined([fragment for _, fragment in fragments])
        psid = event["psid"]
        progresses = [ReplyProgress(self.client, entry) for entry, _ in fragments]
        for fragment, progress in zip(recorded, progresses, strict=True):
            if not progress.flag("recorded"):
                self._record_user(fragment, progress)
        progress, state = progresses[0], self.conversations.get(psid)
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
        if plan is None:
            try:
                plan = self._planned(event, state)
            except RasaUnavailable:
                return self._rasa_down(event, state, progress)
        if progress.plan() is None:
            progress.set_plan({**plan, "members": [entry for entry, _ in fragments]})
        return self._deliver(psid, plan, progress)

    def _planned(self, event: dict[str, Any], state: dict[str, str]) -> dict[str, Any]:
        """Rasa's answer rendered (the typing indicator shown meanwhile)."""
        if event["kind"] != "attachment":  # attachments are answered at once, no Rasa
            self.outbox.show_typing(event["psid"])  # shown while Rasa thinks
        plan = self._plan(event, state)
        if state.get("handoff_reason") == RASA_DOWN:
            self.handoffs.cancel(event["psid"])  # Rasa is back before a person took the case
        return plan

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
        language = message_language(typed(event), state, self._default_language())
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
        shown = text or shown_event(event)
        detection = detect(typed(event))
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
        self.own.opened_by(event)

    def _plan(self, event: dict[str, Any], state: dict[str, str]) -> dict[str, Any]:
        language = message_language(typed(event), state, self._default_language())
        answer, event, language = self._worker_answer(event, language)
        if answer is None:
            answer = self._scam_answer(event, state, language)
        if answer is None and event["kind"] == "attachment":
            name = "utter_voice_note" if "audio" in event["attachments"] else "utter_attachment"
            answer = [self.content.reply(name, language)]
        if answer is None:
            answer = self._answer(event, language)
        if event.get("secrets"):
            answer = [self.content.reply("utter_secret_warning", language), *answer]
        rendered = render(answer)
        messages, topic = self.own.after_answer(rendered.messages, rendered.responses,
                                                event["psid"], language, rendered.commands)
        return {"messages": messages, "commands": rendered.commands, "language": language,
                "answer": topic}

    def _worker_answer(self, event: dict[str, Any], language: str
                       ) -> tuple[list[dict[str, Any]] | None, dict[str, Any], str]:
        """The worker's own answer (webhook.pipeline.without_rasa), if any, and the event and
        language to go on with: a campaign link can stand for a tapped payload."""
        own = self.own.answer(event, language)
        if own is None:
            return None, event, language
        language = own.language or language
        if own.rasa_text:
            return None, {**event, "kind": "postback", "payload": own.rasa_text}, language
        if own.guide and self.guides:
            return self.guides.start(event["psid"], *own.guide, language), event, language
        if own.check_text and self.scam_turns:
            return (self.scam_turns.check_text(own.check_text, language, event["psid"]),
                    event, language)
        return own.messages, event, language

    def _scam_answer(self, event: dict[str, Any], state: dict[str, str],
                     language: str) -> list[dict[str, Any]] | None:
        return self.scam_turns.answer(event, state, language) if self.scam_turns else None

    def _no_answer(self, psid: str, language: str) -> dict[str, Any]:
        """Rasa answered nothing (an action failed, /nlg refused): never a silent turn. The
        fallback offers the menu and a person; it is sent and recorded like any answer."""
        log.error("rasa gave no answer; sending the fallback", extra={"user": user_ref(psid)})
        insights.no_answer(self.client)
        metrics.SILENT_TURNS.inc()  # alerts: deploy/prometheus/alerts.yml
        return self.content.reply(FALLBACK, language)

    def _answer(self, event: dict[str, Any], language: str) -> list[dict[str, Any]]:
        """Rasa's answer, or the guided steps' (webhook.guides) when the event is a step."""
        guided = self.guides.before_rasa(event, language) if self.guides else None
        if guided is not None:
            return guided
        answer = self.rasa.send(event["psid"], rasa_text(event), {"language": language})
        if not answer:
            answer = [self._no_answer(event["psid"], language)]
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
        event = with_secrets_masked(event)
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
        self.outbox.follow_up(psid, notice["messages"], language)
        self.outbox.follow_up(psid, self.handoffs.escalate(psid, RASA_DOWN, language), language)

    def _deliver(self, psid: str, plan: dict[str, Any], progress: ReplyProgress) -> Outcome:
        messages = plan["messages"][progress.sent:]
        try:
            self.outbox.send_all(psid, messages, plan["language"], progress,
                                 plan.get("answer", ""))
        except TransientSendError as error:
            log.warning("send failed, will retry", extra={"code": error.code,
                                                          "user": user_ref(psid)})
            return Outcome.RETRY
        except PermanentSendError as error:
            log.warning("send refused", extra={"code": error.code, "user": user_ref(psid)})
            self.conversations.update(psid, last_send_error=error.code,
                                      last_send_error_at=int(time.time()))
            self._carry_out_regardless(psid, plan, progress)
            return Outcome.DONE
        if not progress.flag("commands_done"):
            progress.mark("commands_done")
            for command in plan["commands"]:
                follow_up = commands.carry_out(command, psid, plan["language"], self.handoffs,
                                               self.conversations)
                if command.get("command") == "handoff":
                    self._keep_checked_image(psid)
                self.outbox.follow_up(psid, follow_up, plan["language"])
        return Outcome.DONE

    def _keep_checked_image(self, psid: str) -> None:
        """A scam check's picture that led to a person is evidence for the moderator."""
        url = take_checked_image(self.client, psid)
        if url and self.evidence is not None:
            self.evidence.collect_url(psid, "image", url)

    def _carry_out_regardless(self, psid: str, plan: dict[str, Any],
                              progress: ReplyProgress) -> None:
        """The answer was refused for good: still carry out what must not depend on it."""
        if progress.flag("commands_done"):
            return
        progress.mark("commands_done")
        for command in plan["commands"]:
            if command.get("command") in commands.REGARDLESS_OF_REPLY:
                commands.carry_out(command, psid, plan["language"], self.handoffs,
                                   self.conversations)

    def send_later(self, psid: str, answer: list[dict[str, Any]], language: str) -> None:
        """Send an answer that was ready only after the turn (a picture's scam check)."""
        self.outbox.follow_up(psid, render(answer).messages, language)

    def tell_user(self, psid: str, name: str) -> None:
        """Send one answer of the content store in the user's language, outside a turn (a file
        that did not reach us: sent even while a person has the conversation)."""
        language = self.conversations.get(psid).get("language") or self._default_language()
        self.send_later(psid, [self.content.reply(name, language)], language)
