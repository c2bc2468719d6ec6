"""Ask, don't guess: when the model hesitates between two topics, which two to offer.

One decision used in three places: the topic-aware fallback classifier (which then predicts
`nlu_fallback`), the /nlg callback (which turns that fallback into a question with the two
topics as quick replies) and the benchmarks (how often it asks). No Rasa import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.taxonomy import topic_ranking

# Topics a user can be asked to choose between: those of the main menu (utter_menu), whose
# titles label the two quick replies. Small talk, commands and out_of_scope are never offered.
CONTENT_TOPICS = frozenset({
    "scam_check", "scam_victim", "password_strong", "two_factor",
    "account_hacked", "privacy_settings", "personal_data", "misinformation",
    "online_harassment", "gov_services_rights", "gov_page_verify", "digital_rights",
})
MARGIN = 0.12    # the two topics' confidences differ by less than this...
CEILING = 0.55   # ...and the first is below this


def choices(ranking: Iterable[Mapping[str, Any]], margin: float = MARGIN,
            ceiling: float = CEILING) -> tuple[str, str] | None:
    """The two topics to ask about, or None when the model is clear enough."""
    ranked = topic_ranking(ranking)
    if len(ranked) < 2:
        return None
    (first, top, _), (second, runner_up, _) = ranked[0], ranked[1]
    if first not in CONTENT_TOPICS or second not in CONTENT_TOPICS:
        return None
    if top >= ceiling or top - runner_up >= margin:
        return None
    return first, second


def options(ranking: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(topic, its most likely intent) of the two topics to offer; empty when not asking.

    The intent is the payload of the quick reply, so a user who taps "Lost money" after a
    message about a loan app gets the loan-app answer, not the general one.
    """
    ranking = list(ranking)
    pair = choices(ranking)
    if pair is None:
        return []
    best = {topic: intent for topic, _, intent in topic_ranking(ranking)}
    return [(topic, best[topic]) for topic in pair]


def asks(parse: Mapping[str, Any]) -> bool:
    """True when this parse result makes the assistant ask which of two topics was meant."""
    intent = (parse.get("intent") or {}).get("name")
    return intent == "nlu_fallback" and choices(parse.get("intent_ranking") or []) is not None
