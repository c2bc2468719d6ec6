"""Find the warning signs in a message's words (the link and number signs are in links/phones).

The message is normalised as the NLU sees it (bot.khmer_text: SIL Khmer reordering, invisible
characters dropped, Khmer digits as ASCII), so a Khmer word typed in another character order is
still found. Each sign carries the words that triggered it, quoted from the normalised text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.khmer_text import is_khmer_char, normalise_for_understanding
from webhook.scamcheck.sign_words import KHMER_NEGATIONS, LATIN_NEGATIONS, SIGN_RULES

MAX_EVIDENCE = 90  # characters quoted back to the user
_NEGATED = re.compile(rf"(?:(?<![a-z]){LATIN_NEGATIONS}\s+(?:\S+\s+){{0,2}}"
                      rf"|{KHMER_NEGATIONS}\s*\S{{0,12}})$", re.IGNORECASE)


@dataclass(frozen=True)
class Sign:
    """One warning sign: its code and the words, link or number that triggered it."""

    code: str
    evidence: str


def normalise(text: str) -> str:
    """The form the signs are looked for in (what the NLU sees)."""
    return normalise_for_understanding(text)


def find_signs(text: str) -> list[Sign]:
    """The word signs in `text`, in the order of SIGN_RULES, at most one per code."""
    normal = normalise(text)
    found = []
    for code, rules in _compiled().items():
        evidence = _first_rule_match(normal, rules)
        if evidence is not None:
            found.append(Sign(code, evidence))
    return found


def _first_rule_match(text: str, rules: list[list[re.Pattern[str]]]) -> str | None:
    for groups in rules:
        spans = [_unnegated(group, text) for group in groups]
        if all(spans):
            return _quote(text, spans)  # type: ignore[arg-type]
    return None


def _unnegated(pattern: re.Pattern[str], text: str) -> tuple[int, int] | None:
    """The first match not just after a negation ("do not share the code")."""
    for match in pattern.finditer(text):
        if not _NEGATED.search(text[max(0, match.start() - 40):match.start()]):
            return match.span()
    return None


def _quote(text: str, spans: list[tuple[int, int]]) -> str:
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if end - start > MAX_EVIDENCE:
        start, end = spans[0]
    return " ".join(text[start:end].split())


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[list[re.Pattern[str]]]]:
    return {code: [[_group(group) for group in rule] for rule in rules]
            for code, rules in SIGN_RULES.items()}


def _group(alternatives: str) -> re.Pattern[str]:
    parts = [part.strip() for part in alternatives.split(" | ") if part.strip()]
    khmer = [re.escape(normalise(part)) for part in parts if _has_khmer(part)]
    latin = [part for part in parts if not _has_khmer(part)]
    pattern = "|".join(khmer + [rf"(?<![a-z0-9]){part}(?![a-z0-9])" for part in latin])
    return re.compile(pattern, re.IGNORECASE)


def _has_khmer(text: str) -> bool:
    return any(is_khmer_char(char) for char in text)
