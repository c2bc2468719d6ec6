"""Walk a user through guided steps: the worker asks this before and after Rasa.

Before Rasa: a tapped guide payload (or typed text equal to one of the current step's quick
replies) is answered here, without Rasa: the next step, Back, Continue, or a person with a case
summary. After Rasa: an answer carrying the `guide` command starts its tree; any other command
or a tap elsewhere (Main menu) leaves the tree; a typed message about something else is
answered and followed by the offer to continue the steps.

Replies are in Rasa's NLG shape (text, buttons, custom), so the worker renders them as usual.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from webhook.content.model import Content
from webhook.conversations.state import Conversations
from webhook.guides.position import Position, Positions
from webhook.guides.tree import (
    BACK,
    CONTROLS,
    PERSON,
    RESUME,
    RESUME_OFFER,
    Tree,
    guide_command,
    make_payload,
    parse_payload,
    start_step,
    tree_for_step,
)
from webhook.logging_setup import user_ref

log = logging.getLogger(__name__)
HANDOFF_ANSWER = "utter_handoff"
MENU_ANSWER = "utter_menu"
SUMMARY_FIELD = "case_summary"   # in the conversation hash, read by the console


@dataclass
class Walker:
    """Guided steps for the worker."""

    content: Content
    positions: Positions
    conversations: Conversations

    def before_rasa(self, event: dict[str, Any], language: str) -> list[dict[str, Any]] | None:
        """The answer when the event is a step of guided steps; None when Rasa should answer."""
        psid = event["psid"]
        fields = parse_payload(event.get("payload")) if event["kind"] != "text" else None
        if fields is None and event["kind"] == "text":
            fields = self._typed_choice(psid, event.get("text") or "", language)
        if fields is None:
            return None
        return self.tap(psid, fields, event.get("text") or "", language)

    def after_rasa(self, psid: str, replies: list[dict[str, Any]], language: str,
                   typed: bool) -> list[dict[str, Any]]:
        """Rasa's answer, with a tree started or the offer to continue added."""
        for index, reply in enumerate(replies):
            command = guide_command(reply)
            if command is not None:
                reply = {key: value for key, value in reply.items() if key != "custom"}
                return [*replies[:index], reply, *self.start(psid, *command, language),
                        *replies[index + 1:]]
        position = self.positions.get(psid)
        if position is None:
            return replies
        if not typed or any(_command(reply) for reply in replies):
            self.positions.clear(psid)  # Main menu, another topic's button, a person, ...
            return replies
        return [*replies, self.content.reply(RESUME_OFFER, language)]

    def start(self, psid: str, tree: str, step: str, language: str) -> list[dict[str, Any]]:
        """`step` of `tree` (its first, or the one a finer topic starts at), remembered as the
        user's position; Back from a later step returns to the first."""
        first = start_step(tree)
        found = tree_for_step(self.content.responses(), step)
        if found is None or found.name != tree:
            log.warning("guided steps missing", extra={"tree": tree[:40]})
            return []
        self.positions.save(psid, Position(tree, list(dict.fromkeys([first, step]))))
        return self._show(step, language, first=step == first)

    def tap(self, psid: str, fields: dict[str, str], title: str,
            language: str) -> list[dict[str, Any]]:
        """The answer to a tapped (or typed) quick reply of a step."""
        to, position = fields.get("to", ""), self.positions.get(psid)
        if to in (BACK, RESUME):
            return self._back_or_resume(psid, position, to, language)
        at = fields.get("at", "")
        tree = tree_for_step(self.content.responses(), at or to)
        if tree is None or (to != PERSON and to not in tree.steps):
            return [self.content.reply(MENU_ANSWER, language)]  # a step since removed
        if position is None or position.tree != tree.name:
            position = Position(tree.name, [at] if at else [])
        if at:
            position.answer(at, to, title, to_step=to != PERSON)
        else:
            position.path.append(to)
        if to == PERSON:
            return self._to_person(psid, tree, position, language)
        self.positions.save(psid, position)
        return self._show(to, language, first=len(position.path) == 1)

    def _back_or_resume(self, psid: str, position: Position | None, to: str,
                        language: str) -> list[dict[str, Any]]:
        if position is None:
            return [self.content.reply(MENU_ANSWER, language)]
        if to == BACK:
            position.back()
            self.positions.save(psid, position)
        return self._show(position.current, language, first=len(position.path) == 1)

    def _to_person(self, psid: str, tree: Tree, position: Position,
                   language: str) -> list[dict[str, Any]]:
        summary = {"tree": tree.name, "language": language,
                   "answers": [vars(answer) for answer in position.answers]}
        self.conversations.update(psid, **{SUMMARY_FIELD: json.dumps(summary,
                                                                     ensure_ascii=False)})
        self.positions.clear(psid)
        log.info("guided steps to a person", extra={"tree": tree.name, "user": user_ref(psid),
                                                    "answers": len(position.answers)})
        reply = dict(self.content.reply(HANDOFF_ANSWER, language))
        reply["custom"] = {**(reply.get("custom") or {}), "command": "handoff",
                           "reason": f"guide_{tree.name}"}
        return [reply]

    def _show(self, step: str, language: str, first: bool) -> list[dict[str, Any]]:
        """A step as an NLG reply: its payloads carry the step, Back and Main menu added."""
        reply = dict(self.content.reply(step, language))
        buttons = []
        for button in reply.get("buttons", []):
            fields = parse_payload(button.get("payload"))
            if fields and fields.get("to"):
                button = {**button, "payload": make_payload(at=step, to=fields["to"])}
            buttons.append(button)
        for control in self.content.reply(CONTROLS, language).get("buttons", []):
            if not (first and (parse_payload(control.get("payload")) or {}).get("to") == BACK):
                buttons.append(control)
        return [{**reply, "buttons": buttons}]

    def _typed_choice(self, psid: str, text: str, language: str) -> dict[str, str] | None:
        """A typed message that picks one of the current step's quick replies, as if tapped:
        its whole title, or one word that starts only that title ("no", "ចាស")."""
        position = self.positions.get(psid)
        wanted = _plain(text)
        if position is None or not wanted:
            return None
        step = self.content.responses().get(position.current)
        choices = [(choice.title, fields["to"])
                   for version in (step.versions.values() if step else ())
                   for choice in version.quick_replies
                   if (fields := parse_payload(choice.payload)) and fields.get("to")]
        exact = {to for title, to in choices if _plain(title) == wanted}
        starts = {to for title, to in choices if wanted in _first_words(title)}
        found = exact or (starts if " " not in wanted else set())
        return {"at": position.current, "to": found.pop()} if len(found) == 1 else None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[?!.,។៕]", " ", text.casefold()).split())


def _first_words(title: str) -> set[str]:
    """The alternatives of a title's first word: "Yes, I can" → yes; "បាទ/ចាស មាន" → both."""
    first = _plain(title).split(" ")[0]
    return set(first.split("/"))


def _command(reply: dict[str, Any]) -> bool:
    """A reply that carries a command (a person, deletion...), not only its answer's name."""
    custom = reply.get("custom")
    return isinstance(custom, dict) and bool(custom.get("command"))
