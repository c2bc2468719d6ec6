"""The words of a check's answer, from the content store (staff edit them like any answer).

Each sign's plain-words explanation is the answer `utter_scamsign_<code>`; the verdicts, the
"what to do" steps and the other scam-check messages are `utter_scamcheck_…` answers, all in
responses/scamcheck.yml (both languages). The official domains are the `official_domains`
setting, our own site is `org_website`.
"""

from __future__ import annotations

import re
from typing import Any

from webhook.content.model import ContentSet, Settings
from webhook.content.render import to_nlg_reply
from webhook.scamcheck.alerts import Alert, Match
from webhook.scamcheck.checker import Checker, Result
from webhook.scamcheck.domains import registered_domains

LANGUAGES = ("en", "km")
MAX_SIGNS_SHOWN = 3
OFFICIAL_DOMAINS = "official_domains"
OUR_SITE = "org_website"


def sign_answer(code: str) -> str:
    """The answer that explains sign `code`."""
    return f"utter_scamsign_{code}"


def explanation(content: ContentSet, code: str, language: str) -> str:
    """Sign `code` explained in plain words in `language` ("" if staff removed it)."""
    response = content.responses.get(sign_answer(code))
    if response is None or language not in response.versions:
        return ""
    return to_nlg_reply(response, language, content.settings)["text"]


def explanations(content: ContentSet, code: str) -> dict[str, str]:
    """Sign `code` explained in both languages."""
    return {language: explanation(content, code, language) for language in LANGUAGES}


def checker_for(settings: Settings, alerts: list[Alert]) -> Checker:
    """A checker with the settings' official domains, our own site and these alerts."""
    listed = re.split(r"[\s,]+", settings.value(OFFICIAL_DOMAINS, "en"))
    official = registered_domains(domain for domain in listed if domain)
    return Checker(official, registered_domains([settings.value(OUR_SITE, "en")]), alerts)


def result_json(result: Result, content: ContentSet) -> dict[str, Any]:
    """The JSON line `python -m webhook.scamcheck --json` prints for one message."""
    return {
        "verdict": result.verdict,
        "signs": [{"code": sign.code, "evidence": sign.evidence,
                   "explanation": explanations(content, sign.code)} for sign in result.signs],
        "links": [link.as_json() for link in result.links],
        "phones": [phone.as_json() for phone in result.phones],
        "matches": [match.as_json() for match in result.matches],
    }


def answer_parts(result: Result, content: ContentSet, language: str) -> list[dict[str, Any]]:
    """The reply as NLG messages: the verdict, at most three signs quoted, what to do."""
    reply = [_reply(content, f"utter_scamcheck_verdict_{result.verdict}", language)]
    if result.matches:
        reply.append(_match_reply(content, result.matches[0], language))
    signs = _signs_text(result, content, language)
    if signs:
        reply.append({"text": signs})
    reply.append(_reply(content, f"utter_scamcheck_todo_{result.verdict}", language))
    return reply


def plain_text(result: Result, content: ContentSet, language: str) -> str:
    """The answer a person reads, as one text (the command line's human form)."""
    return "\n\n".join(part["text"] for part in answer_parts(result, content, language))


def _signs_text(result: Result, content: ContentSet, language: str) -> str:
    lines = [f"• «{sign.evidence}» {explanation(content, sign.code, language)}"
             for sign in result.signs[:MAX_SIGNS_SHOWN]]
    if not lines:
        return ""
    heading = _reply(content, "utter_scamcheck_signs_heading", language)["text"]
    return "\n".join([heading, *lines])  # one bubble: render splits bubbles at blank lines


def _match_reply(content: ContentSet, match: Match, language: str) -> dict[str, Any]:
    alert = match.alert
    values = {"alert_title": alert.title.get(language) or alert.title.get("en", alert.id),
              "alert_answer": alert.answer.get(language) or alert.answer.get("en", "")}
    return _reply(content, "utter_scamcheck_match", language, values)


def _reply(content: ContentSet, name: str, language: str,
           values: dict[str, str] | None = None) -> dict[str, Any]:
    return to_nlg_reply(content.responses[name], language, content.settings, values)
