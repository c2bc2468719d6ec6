"""Check one message: its words, links and numbers, and the known scam alerts.

`Checker` holds what does not change from message to message (official domains, our own
domains, the alert index); `check` is cheap and has no side effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from webhook.scamcheck import links as link_rules
from webhook.scamcheck import verdict
from webhook.scamcheck.alerts import Alert, AlertIndex, Match, link_keys
from webhook.scamcheck.phones import Phone, find_phones, phone_signs
from webhook.scamcheck.signs import Sign, find_signs

MAX_CHARS = 4000  # longer texts (a pasted page, OCR of a long screenshot) are cut here
_SUSPICIOUS_FLAGS = {"lookalike", "shortener", "ip", "punycode", "non_ascii", "risky_suffix",
                     "login_words", "installer"}


@dataclass
class Result:
    """What a check found: the verdict, the signs (heaviest first), links, numbers, matches."""

    verdict: str
    signs: list[Sign] = field(default_factory=list)
    links: list[link_rules.Link] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    truncated: bool = False

    @property
    def only_our_links(self) -> bool:
        """The message is nothing but links to our own site (someone checking us)."""
        return bool(self.links) and all("ours" in link.flags for link in self.links)


class Checker:
    """Checks messages against the official domains, our own domains and the alerts."""

    def __init__(self, official: frozenset[str], ours: frozenset[str] = frozenset(),
                 alerts: list[Alert] | None = None) -> None:
        self.official = official
        self.ours = ours
        self.index = AlertIndex(alerts or [])

    def check(self, text: str) -> Result:
        """The verdict on `text` (typed, pasted, forwarded or read from an image)."""
        truncated = len(text) > MAX_CHARS
        text = text[:MAX_CHARS]
        found_links = [link_rules.judge(link, self.official, self.ours)
                       for link in link_rules.find_links(text)]
        truncated = truncated or len(found_links) > link_rules.MAX_LINKS
        found_links = found_links[:link_rules.MAX_LINKS]
        phones = find_phones(text)
        signs = _merge(find_signs(text), link_rules.link_signs(found_links), phone_signs(phones))
        signs = verdict.without_vouched(signs, _any(found_links, {"official"}),
                                        _any(found_links, _SUSPICIOUS_FLAGS))
        matches = self.index.match(text, _hosts(found_links), [p.e164 for p in phones],
                                   {sign.code for sign in signs})
        return Result(verdict.decide(signs, bool(matches)), verdict.ranked(signs), found_links,
                      phones, matches, truncated)


def _merge(*groups: list[Sign]) -> list[Sign]:
    """One sign per code: a link or number quoted wins over words (it is more specific)."""
    merged: dict[str, Sign] = {}
    for group in reversed(groups):
        for sign in group:
            merged.setdefault(sign.code, sign)
    return list(merged.values())


def _any(found: list[link_rules.Link], flags: set[str]) -> bool:
    return any(flags & set(link.flags) for link in found)


def _hosts(found: list[link_rules.Link]) -> list[str]:
    return [key for link in found for key in link_keys(link.host)]
