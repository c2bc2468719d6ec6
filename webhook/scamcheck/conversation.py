"""The scam check in the conversation: "Check a message", checking at once, and the reply.

- The "Check a message" button (payload CHECK_MESSAGE) asks for the message; the next thing
  the user sends (text or picture) is checked.
- A message Rasa understood as scam_check that quotes something (a link, a phone number,
  several lines with money words) is checked at once (see `nlg_answer`).
- A picture right after a scam answer is checked at once; a picture with no context gets
  "Do you want me to check this picture?" (its URL is kept for ten minutes to do so).
- `strong` on a message where the user says they already paid leads into the victim steps.
The text checked is the masked one (the worker masks codes and card numbers first).
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import redis

from webhook import keys
from webhook.content.model import Content, ContentSet
from webhook.scamcheck.alerts import Alert, seeded_alerts
from webhook.scamcheck.checker import Checker, Result
from webhook.scamcheck.explain import answer_parts, checker_for
from webhook.scamcheck.library import AlertLibrary, record_check
from webhook.scamcheck.links import find_links
from webhook.scamcheck.phones import find_phones
from webhook.scamcheck.signs import normalise

CHECK_MESSAGE = '/scam_check{"check": "message"}'
CHECK_PICTURE = '/scam_check{"check": "picture"}'
VERDICT_FIELD = "scamcheck_verdict"  # in the conversation hash, read by the case summary
MAX_SIGNS_KEPT = 5
PENDING_S = 600  # how long "send me the message" waits for it
CONTEXT_S = 600  # a picture this soon after a scam answer is checked at once
SCAM_ANSWERS = frozenset({"utter_scam_check", "utter_scam_victim", "utter_scam_report",
                          "utter_scamcheck_ask"})
_MONEY_WORDS = re.compile(r"\$|usd|dollar|riel|money|pay|transfer|bank|account|លុយ|ប្រាក់|"
                          r"ដុល្លារ|ផ្ទេរ|ធនាគារ|គណនី|luy|pter|kanany", re.IGNORECASE)
_VICTIM = re.compile(r"\bi (?:already |have )?(?:paid|sent|transferred|gave)\b|lost my money|"
                     r"i was scammed|they took my|ខ្ញុំបាន(?:ផ្ទេរ|ផ្ញើ|បង់|ឱ្យ)|បាត់លុយ|"
                     r"ត្រូវគេបោក|knhom ban (?:pter|phnheu|bong)|bat luy|trov ke bok",
                     re.IGNORECASE)


class CheckerSource:
    """The checker for the current settings and alerts, rebuilt only when either changed."""

    def __init__(self, content: Content, client: redis.Redis | None) -> None:
        self.content = content
        self.library = AlertLibrary(client) if client is not None else None
        self._lock = threading.Lock()
        self._built_for: tuple[int, int] = (0, -1)
        self._checker: Checker | None = None

    def current(self) -> tuple[Checker, ContentSet]:
        """The checker and the content it was built from."""
        content = self.content.current()
        stamp = (id(content), self.library.revision() if self.library else 0)
        with self._lock:
            if self._checker is None or stamp != self._built_for:
                self._checker = checker_for(content.settings, self._alerts())
                self._built_for = (id(content), self.library.revision() if self.library else 0)
            return self._checker, content

    def _alerts(self) -> list[Alert]:
        return self.library.alerts() if self.library else seeded_alerts()


def quotes_something(text: str) -> bool:
    """A forwarded or pasted message: a link, a phone number, or lines with money words."""
    if find_links(text) or find_phones(text):
        return True
    return text.count("\n") >= 1 and bool(_MONEY_WORDS.search(normalise(text)))


def is_victim(text: str) -> bool:
    """The user says they already paid or lost money."""
    return bool(_VICTIM.search(normalise(text)))


def check_reply(source: CheckerSource, client: redis.Redis | None, text: str,
                language: str, psid: str = "", checked: str = "message") -> list[dict[str, Any]]:
    """Check `text` and word the answer (NLG messages); count it for the library and keep
    the verdict on the user's conversation (`checked`: message, picture or link)."""
    checker, content = source.current()
    if not text.strip():
        return [content_reply(content, "utter_scamcheck_empty", language)]
    result = checker.check(text)
    if client is not None:
        record_check(client, result, text)
        if psid:
            remember_verdict(client, psid, result, checked)
    return reply_for(result, content, language, is_victim(text))


def remember_verdict(client: redis.Redis, psid: str, result: Result, checked: str) -> None:
    """The last check's verdict, sign codes and matched alerts on the conversation, for the
    case summary a moderator sees: never the text that was checked."""
    verdict = {"verdict": result.verdict, "checked": checked, "at": time.time(),
               "signs": [sign.code for sign in result.signs][:MAX_SIGNS_KEPT],
               "alerts": [match.alert.id for match in result.matches][:MAX_SIGNS_KEPT]}
    client.hset(keys.conversation(psid), VERDICT_FIELD, json.dumps(verdict))


def reply_for(result: Result, content: ContentSet, language: str,
              victim: bool = False) -> list[dict[str, Any]]:
    """The answer to a check: our own site, the verdict, the signs, what to do (or the
    victim steps when the user already paid and the verdict is strong)."""
    if result.only_our_links:
        return [content_reply(content, "utter_scamcheck_ours", language)]
    parts = answer_parts(result, content, language)
    if result.truncated:
        parts.insert(0, content_reply(content, "utter_scamcheck_too_long", language))
    if victim and result.verdict == "strong":
        parts[-1] = content_reply(content, "utter_scam_victim", language)
    return parts


def content_reply(content: ContentSet, name: str, language: str) -> dict[str, Any]:
    """One answer of the content store as an NLG message."""
    from webhook.content.render import to_nlg_reply

    return to_nlg_reply(content.responses[name], language, content.settings)


def joined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Several NLG messages as one (Rasa's NLG callback answers one response at a time)."""
    reply: dict[str, Any] = {"text": "\n\n".join(p["text"] for p in parts if p.get("text"))}
    buttons = [button for part in parts for button in part.get("buttons", [])]
    if buttons:
        reply["buttons"] = buttons
    return reply


def check_request(payload: str) -> str | None:
    """"message" or "picture" for a scam-check button's payload, else None."""
    if not payload.startswith("/scam_check{"):
        return None
    try:
        return str(json.loads(payload[len("/scam_check"):]).get("check") or "") or None
    except ValueError:
        return None


def recent(state: dict[str, str], field: str, seconds: float, now: float | None = None) -> bool:
    """True when the state's time `field` is less than `seconds` old."""
    try:
        return (now or time.time()) - float(state.get(field) or 0) < seconds
    except ValueError:
        return False


def keep_image_url(client: redis.Redis, psid: str, url: str) -> None:
    """Remember the picture the user was asked about, for ten minutes."""
    client.set(keys.scamcheck_pending_image(psid), url, ex=PENDING_S)


def take_image_url(client: redis.Redis, psid: str) -> str:
    """The picture the user agreed to have checked ("" when it expired)."""
    url = client.getdel(keys.scamcheck_pending_image(psid))
    return url.decode() if isinstance(url, bytes) else (url or "")


CHECKED_IMAGE_S = 30 * 60


def remember_checked_image(client: redis.Redis, psid: str, url: str) -> None:
    """The picture just checked, for half an hour: if the check leads to a person, the
    evidence store keeps it for the moderator (never otherwise)."""
    client.set(keys.scamcheck_checked_image(psid), url, ex=CHECKED_IMAGE_S)


def take_checked_image(client: redis.Redis, psid: str) -> str:
    """The picture the scam check read lately ("" when none)."""
    url = client.getdel(keys.scamcheck_checked_image(psid))
    return url.decode() if isinstance(url, bytes) else (url or "")



def nlg_answer(name: str, tracker: dict[str, Any], language: str, source: CheckerSource,
               client: redis.Redis | None) -> dict[str, Any] | None:
    """For Rasa's NLG callback: the check's answer in place of the general scam advice when
    the message understood as scam_check quotes something; else None."""
    text = str((tracker.get("latest_message") or {}).get("text") or "")
    sender = str(tracker.get("sender_id") or "")
    if name in SCAM_ANSWERS and client is not None and sender:
        client.hset(keys.conversation(sender), "scam_context_at", str(time.time()))
    if name != "utter_scam_check" or text.startswith("/") or not quotes_something(text):
        return None
    return joined(check_reply(source, client, text, language, psid=sender))
