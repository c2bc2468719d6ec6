"""Known scam alerts (kept by staff) and matching a checked message against them.

Matching: an exact link (host or registered domain) or phone number first; then text
similarity, character n-gram TF-IDF cosine over the same normalised form the unanswered-question
grouping uses (webhook.insights.grouping), which works for Khmer with no spaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from webhook.insights.grouping import NGRAMS, normalise
from webhook.scamcheck.domains import split_host
from webhook.scamcheck.phones import normalise_number

SEED_FILE = Path(__file__).with_name("alerts_seed.yml")
SIMILAR_AT = 0.55  # cosine similarity to an example at which a message "looks like" the alert


@dataclass(frozen=True)
class Alert:
    """One known scam, in both languages."""

    id: str
    title: dict[str, str]
    examples: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()
    answer: dict[str, str] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """The YAML/JSON form (the seed file, the Redis store)."""
        return {"id": self.id, "title": self.title, "examples": list(self.examples),
                "links": list(self.links), "numbers": list(self.numbers),
                "signs": list(self.signs), "answer": self.answer}


@dataclass(frozen=True)
class Match:
    """A checked message matched an alert: how (link, number or text) and how closely."""

    alert: Alert
    how: str
    score: float

    def as_json(self) -> dict[str, object]:
        """The form `--json` prints."""
        return {"id": self.alert.id, "title": self.alert.title, "how": self.how,
                "score": round(self.score, 3)}


def alert_from_data(data: dict[str, Any]) -> Alert:
    """An alert from its stored form (missing fields empty)."""
    return Alert(
        id=str(data["id"]), title=dict(data.get("title") or {}),
        examples=tuple(str(text) for text in data.get("examples") or ()),
        links=tuple(str(link) for link in data.get("links") or ()),
        numbers=tuple(str(number) for number in data.get("numbers") or ()),
        signs=tuple(str(code) for code in data.get("signs") or ()),
        answer=dict(data.get("answer") or {}))


def seeded_alerts(path: Path = SEED_FILE) -> list[Alert]:
    """The alerts shipped with the code (what a fresh install starts with)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [alert_from_data(entry) for entry in data.get("alerts", [])]


class AlertIndex:
    """The alerts, ready to match messages against."""

    def __init__(self, alerts: list[Alert]) -> None:
        self.alerts = alerts
        self._by_host = {_host_key(link): alert for alert in alerts for link in alert.links}
        self._by_number = {normalise_number(number): alert for alert in alerts
                           for number in alert.numbers}
        self._by_number.pop(None, None)
        self._vectoriser, self._vectors, self._owners = _fit([a for a in alerts if a.examples])

    def match(self, text: str, hosts: list[str], numbers: list[str],
              signs: frozenset[str] | set[str] = frozenset()) -> list[Match]:
        """The alerts this message matches: exact links and numbers, else the most similar
        text among alerts that share a sign with it (or list none)."""
        exact = [Match(self._by_host[host], "link", 1.0) for host in hosts
                 if host in self._by_host]
        exact += [Match(self._by_number[number], "number", 1.0) for number in numbers
                  if number in self._by_number]
        if exact:
            return _unique(exact)
        return self._similar(text, signs)

    def _similar(self, text: str, signs: set[str]) -> list[Match]:
        if self._vectoriser is None or not normalise(text):
            return []
        scores = (self._vectors @ self._vectoriser.transform([normalise(text)]).T).toarray()[:, 0]
        for best in scores.argsort()[::-1]:
            alert = self._owners[int(best)]
            if scores[best] < SIMILAR_AT:
                break
            if not alert.signs or signs & set(alert.signs):
                return [Match(alert, "text", float(scores[best]))]
        return []


def link_keys(host: str) -> list[str]:
    """The keys a link can match an alert by: its host and its registered domain."""
    domain = split_host(host)
    return list(dict.fromkeys(key for key in (domain.host.removeprefix("www."), domain.registered)
                              if key))


def _host_key(link: str) -> str:
    host = link.strip().lower().split("://")[-1].split("/")[0]
    return host.removeprefix("www.")


def _fit(alerts: list[Alert]):  # noqa: ANN202 - a vectoriser, a sparse matrix, their owners
    if not alerts:
        return None, None, []
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: only when used

    owners = [alert for alert in alerts for _ in alert.examples]
    texts = [normalise(example) for alert in alerts for example in alert.examples]
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                                 lowercase=False)
    return vectoriser, vectoriser.fit_transform(texts), owners


def _unique(matches: list[Match]) -> list[Match]:
    seen: dict[str, Match] = {}
    for match in matches:
        seen.setdefault(match.alert.id, match)
    return list(seen.values())
