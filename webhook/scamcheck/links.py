"""Find the links in a message, even written without https:// or with spaces, and judge them.

Nothing is fetched: a link is judged by how it is written (its registered domain, lookalike
letters, shortener, raw IP address, installer file, chat-app invitation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from webhook.scamcheck import domains
from webhook.scamcheck.signs import Sign

MAX_LINKS = 20  # a message with more is judged on its first ones (and says so)
SHORTENERS = frozenset("""
    bit.ly tinyurl.com t.co goo.gl is.gd ow.ly cutt.ly rebrand.ly s.id shorturl.at rb.gy t.ly
    tiny.cc bit.do buff.ly v.gd short.io bl.ink tny.im shorte.st adf.ly lnkd.in surl.li
    """.split())
PRIVATE_CHAT_HOSTS = frozenset({"t.me", "telegram.me", "wa.me", "line.me", "chat.whatsapp.com"})
INSTALLERS = (".apk", ".xapk", ".apks", ".exe", ".msi", ".ipa", ".bat", ".scr", ".jar", ".dmg")
RISKY_SUFFIXES = frozenset("""
    xyz top click live icu buzz vip shop site online link cc cyou sbs cfd rest monster gq tk ml
    cf ga work loan win bid
    """.split())
_LOGIN_WORDS = re.compile(r"login|log-in|signin|verify|verification|secure|update|account|"
                          r"wallet|reward|prize|claim|kyc|unlock", re.IGNORECASE)
_TIDY = (
    (re.compile(r"\[\.\]|\(\.\)|\(dot\)|\[dot\]| dot (?=[a-z])", re.IGNORECASE), "."),
    (re.compile(r"\b(https?)\s*:\s*/\s*/\s*", re.IGNORECASE), r"\1://"),
    (re.compile(r"(?<=\w)\s*\.\s*(?=(?:com|net|org|kh|gov|info|xyz|top|me|ly|io|co|cc|vip|shop"
                r"|site|online|link|click|live|app|icu|buzz|apk)\b)", re.IGNORECASE), "."),
    (re.compile(r"\b(www)\s*\.\s*", re.IGNORECASE), r"\1."),
)
_NOT_KHMER = r"[^\W_\u1780-\u17ff\u19e0-\u19ff]"
_LABEL = rf"{_NOT_KHMER}(?:{_NOT_KHMER}|-)*"
_CANDIDATE = re.compile(
    rf"(?<![@\w.-])(?:(?P<scheme>https?://)|(?P<www>www\.))?"
    rf"(?P<host>(?:{_LABEL}\.)+{_LABEL}|\d{{1,3}}(?:\.\d{{1,3}}){{3}})"
    rf"(?::\d{{1,5}})?(?P<path>/[^\s<>\"'\u1780-\u17ff]*)?", re.IGNORECASE)
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass
class Link:
    """A link found in a message, with what makes it suspicious (if anything)."""

    url: str
    host: str
    domain: str  # registered domain ("" for an IP address)
    flags: list[str] = field(default_factory=list)
    lookalike_of: str | None = None

    def as_json(self) -> dict[str, object]:
        """The form `--json` prints."""
        return {"url": self.url, "domain": self.domain, "flags": self.flags,
                "lookalike_of": self.lookalike_of}


def tidy(text: str) -> str:
    """`text` with link obfuscations undone ("abc . com", "abc[.]com", "https : //")."""
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return text


def find_links(text: str) -> list[Link]:
    """Every link in `text`, in order, without repeats."""
    found: dict[str, Link] = {}
    for match in _CANDIDATE.finditer(tidy(text)):
        host = match.group("host").lower()
        is_ip = bool(_IP.match(host))
        if not (is_ip or domains.has_public_suffix(host)):
            continue
        if not (match.group("scheme") or match.group("www") or is_ip or _plausible(host)):
            continue
        url = match.group().rstrip(".,;:!?)")
        found.setdefault(url.lower(), Link(url, host, "" if is_ip else
                                           domains.split_host(host).registered))
    return list(found.values())


def judge(link: Link, official: frozenset[str], ours: frozenset[str]) -> Link:
    """Set the link's flags against the official domains and our own."""
    domain = domains.split_host(link.host)
    path = link.url.split(link.host, 1)[-1].lower()
    flags: list[str] = []
    if domain.registered in ours:
        flags.append("ours")
    elif domains.is_official(domain, official):
        flags.append("official")
    else:
        flags += _warning_flags(link, domain, path)
        link.lookalike_of = domains.lookalike_of(domain, official)
        if link.lookalike_of:
            flags.append("lookalike")
    if path.split("?")[0].endswith(INSTALLERS):
        flags.append("installer")
    link.flags = flags
    return link


def link_signs(links: list[Link]) -> list[Sign]:
    """The signs the judged links give, one per code (the first link that shows it)."""
    signs: dict[str, Sign] = {}
    for link in links:
        for flag in link.flags:
            code = _SIGN_OF_FLAG.get(flag)
            if code and code not in signs:
                signs[code] = Sign(code, link.url)
    return list(signs.values())


_SIGN_OF_FLAG = {"lookalike": "lookalike_domain", "shortener": "shortened_link",
                 "installer": "apk_file", "ip": "suspicious_link", "punycode": "suspicious_link",
                 "non_ascii": "suspicious_link", "risky_suffix": "suspicious_link",
                 "login_words": "suspicious_link", "private_chat": "move_to_private_chat"}


def _warning_flags(link: Link, domain: domains.Domain, path: str) -> list[str]:
    flags = []
    if _IP.match(link.host):
        flags.append("ip")
    if domains.is_punycode(link.host):
        flags.append("punycode")
    if domains.non_ascii(link.host):
        flags.append("non_ascii")
    if domain.registered in SHORTENERS:
        flags.append("shortener")
    if link.host.removeprefix("www.") in PRIVATE_CHAT_HOSTS:
        flags.append("private_chat")
    if domain.suffix.split(".")[-1] in RISKY_SUFFIXES:
        flags.append("risky_suffix")
    if _LOGIN_WORDS.search(link.host) or _LOGIN_WORDS.search(path):
        flags.append("login_words")
    return flags


def _plausible(host: str) -> bool:
    """A bare "word.word" is a link only if its last part is letters (not "1.5" or "v2.0")."""
    last = host.rsplit(".", 1)[-1]
    return last.isalpha() and not host.replace(".", "").isdigit()
