"""What the top of a conversation tells a moderator besides the guided steps' answers: the
topic the user wrote about, and the scam check's verdict (issue 13 §3).

Both are read from the conversation hash: `handoff_topic` (set when the case is queued) and
`scamcheck_verdict` (sign codes and alert ids only, never the text that was checked: see
webhook/scamcheck/conversation.remember_verdict). They are worded from the content as it is
published now, so staff wording is what the moderator reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from webhook.content.model import ContentSet
from webhook.scamcheck.alerts import Alert
from webhook.scamcheck.conversation import VERDICT_FIELD
from webhook.scamcheck.explain import explanation


@dataclass(frozen=True)
class ScamVerdict:
    """The last scam check of the conversation, worded for the moderator."""

    verdict: str                      # strong, some or none
    checked: str                      # message, picture or link
    at: float                         # when (epoch seconds)
    signs: list[str] = field(default_factory=list)   # each sign explained
    alerts: list[str] = field(default_factory=list)  # titles of matched alerts


def topic_label(state: dict[str, str], titles: dict[str, str]) -> str:
    """The topic the user wrote about before asking for a person, by the main menu's
    `titles` ("" when not known)."""
    topic = state.get("handoff_topic") or state.get("handoff_reason") or ""
    return titles.get(topic, "")


def scam_verdict(state: dict[str, str], content: ContentSet, alerts: list[Alert],
                 language: str) -> ScamVerdict | None:
    """The stored verdict worded in `language` (None when there was no check)."""
    try:
        data = json.loads(state.get(VERDICT_FIELD) or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or "verdict" not in data:
        return None
    by_id = {alert.id: alert for alert in alerts}
    signs = [explanation(content, str(code), language) or str(code)
             for code in data.get("signs") or []]
    titles = [_title(by_id[alert_id], language) for alert_id in data.get("alerts") or []
              if alert_id in by_id]
    return ScamVerdict(str(data["verdict"]), str(data.get("checked") or "message"),
                       float(data.get("at") or 0), signs, titles)


def _title(alert: Alert, language: str) -> str:
    return alert.title.get(language) or next(iter(alert.title.values()), alert.id)
