"""Registered domains and lookalikes of the official ones.

The registered domain comes from the Public Suffix List snapshot that `tldextract` ships: no
fetch at run time (suffix_list_urls=()), no cache directory written. A lookalike is a domain
that is not official but is within a small edit distance of an official name, spells one with
lookalike letters (Cyrillic "а", "0" for "o", punycode), or carries an official brand word
("acleda-bank.com", "aba-verify.top", "gov-kh.com").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import tldextract
from confusable_homoglyphs import confusables
from rapidfuzz.distance import Levenshtein

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
GOVERNMENT_SUFFIX = "gov.kh"
# Words in official names that say nothing about whose site it is.
_GENERIC = {"bank", "securities", "mail", "www", "com", "kh", "online", "app", "pay"}
# ASCII stand-ins the Unicode confusables table does not map between ASCII letters.
_ASCII_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"), ("5", "s"),
                     ("@", "a"))


@dataclass(frozen=True)
class Domain:
    """A host split by the Public Suffix List."""

    host: str
    registered: str  # "" for a raw IP or a host with no known suffix
    label: str  # the registered domain's own name, without the suffix
    suffix: str


def split_host(host: str) -> Domain:
    """`host` as registered domain, own name and public suffix."""
    host = host.lower().rstrip(".")
    parts = _EXTRACT(host)
    registered = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else ""
    return Domain(host, registered, parts.domain, parts.suffix)


def has_public_suffix(host: str) -> bool:
    """True when `host` ends in a known public suffix and has a name before it."""
    return bool(split_host(host).registered)


def is_official(domain: Domain, official: frozenset[str]) -> bool:
    """An official domain from the settings, or any site under .gov.kh (registry controlled)."""
    return domain.registered in official or domain.suffix == GOVERNMENT_SUFFIX


def lookalike_of(domain: Domain, official: frozenset[str]) -> str | None:
    """The official domain that `domain` imitates, or None."""
    if not domain.registered or is_official(domain, official):
        return None
    name = skeleton(_unpunycode(domain.label))
    host_words = set(re.split(r"[.\-_0-9]+", skeleton(_unpunycode(domain.host))))
    for target in sorted(official):
        target_name = split_host(target).label
        if _close(name, target_name) or name.replace("-", "") == target_name:
            return target
        if _brand(target_name) & host_words:
            return target
        if target in domain.host:  # "ababank.com.verify-login.top"
            return target
    if "gov" in host_words and "kh" in host_words:  # "gov-kh.com", "mptc.gov.kh.info"
        return GOVERNMENT_SUFFIX
    return None


def skeleton(text: str) -> str:
    """`text` with lookalike letters replaced by the Latin letters they imitate."""
    out = []
    for char in text.lower():
        found = confusables.is_confusable(char, preferred_aliases=["latin"]) if ord(char) > 127 \
            else None
        out.append(found[0]["homoglyphs"][0]["c"].lower() if found else char)
    text = "".join(out)
    for fake, real in _ASCII_LOOKALIKES:
        text = text.replace(fake, real)
    return text


def is_punycode(host: str) -> bool:
    """True when a label of the host is punycode (how non-Latin letters travel in DNS)."""
    return any(label.startswith("xn--") for label in host.split("."))


def non_ascii(host: str) -> bool:
    """True when the host is written with letters outside ASCII."""
    return any(ord(char) > 127 for char in host)


def registered_domains(urls: Iterable[str]) -> frozenset[str]:
    """The registered domains of links written in settings (our own site, our Page)."""
    hosts = (re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/")[0] for url in urls)
    return frozenset(split_host(host).registered for host in hosts if host) - {""}


def _close(name: str, target: str) -> bool:
    if len(target) < 5 or name == target:
        return False
    return Levenshtein.distance(name, target, score_cutoff=2) <= (1 if len(target) < 8 else 2)


@lru_cache(maxsize=256)
def _brand(target_label: str) -> frozenset[str]:
    """The distinctive word in an official name: "ababank" gives {"aba", "ababank"}."""
    words = {target_label}
    for generic in _GENERIC:
        if target_label.endswith(generic) and len(target_label) - len(generic) >= 3:
            words.add(target_label[: -len(generic)])
    return frozenset(word for word in words if len(word) >= 3)


def _unpunycode(text: str) -> str:
    labels = []
    for label in text.split("."):
        try:
            labels.append(label.encode().decode("idna") if label.startswith("xn--") else label)
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)
