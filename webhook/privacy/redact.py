"""Mask secrets in a user's message before it is stored, shown or sent to Rasa.

What is masked: payment card numbers (13 to 19 digits passing the Luhn check, grouped by
spaces, dashes or dots), one-time codes and PINs (4 to 8 digits next to a word such as code,
OTP, PIN, កូដ, also grouped: "123 456", "12-34-56"), a message that is only such a number, and
everything that follows "password"-like words up to the end of the sentence ("my password is
correct horse battery staple", "ពាក្យសម្ងាត់ …"): a passphrase is many words.
Khmer digits count as digits. Masking keeps the rest of the message, so the assistant still
understands it ("I gave them my OTP [code hidden]").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CARD = "[card number hidden]"
CODE = "[code hidden]"
PASSWORD = "[password hidden]"

_DIGIT = "[0-9០-៩]"
_KHMER_TO_ASCII = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_CARD = re.compile(rf"(?<![0-9០-៩])(?:{_DIGIT}[ .-]?){{12,18}}{_DIGIT}(?![0-9០-៩])")
# 4 to 8 digits, alone or in groups of 2 to 4 ("123 456", "12-34-56"); counted in _code
_CODE_DIGITS = (rf"(?<![0-9០-៩])({_DIGIT}{{2,4}}(?:[ .-]{_DIGIT}{{2,4}}){{1,3}}|{_DIGIT}{{4,8}})"
                rf"(?![0-9០-៩]|[ .-][0-9០-៩])")
_CODE_WORDS = (r"otp|code|codes|pin|passcode|verification|verify|login code|security code|"
               r"កូដ|លេខកូដ|លេខ\s*otp|pin\s*code|kod|kot")
_CODE_NEAR = re.compile(
    rf"(?:{_CODE_WORDS})\W{{0,3}}(?:[^\W\d]\w*\W+){{0,3}}?{_CODE_DIGITS}"
    rf"|{_CODE_DIGITS}\W{{0,3}}(?:is\s+)?(?:my\s+)?(?:{_CODE_WORDS})",
    re.IGNORECASE)
_ONLY_CODE = re.compile(rf"^\s*({_DIGIT}{{4,8}}|{_DIGIT}{{3}} {_DIGIT}{{3}})\s*$")
_PASSWORD = re.compile(
    r"(?:password|passwd|pass\s*word|pw|pwd|ពាក្យសម្ងាត់|លេខសម្ងាត់|peak\s*sngat)"
    r"(?:\s*(?:ខ្ញុំ|របស់ខ្ញុំ|knhom|khnhom))?"
    r"\s*(?:is|was|=|:|គឺ|គឺជា|ជា|nis|ku)?\s*[:=]?\s+"
    # the passphrase: every word up to the end of the sentence or line ("!" may be part of it)
    r"(\S[^\n]*?)(?=[.?។៕](?:\s|$)|\n|$)",
    re.IGNORECASE)
_PLACEHOLDERS = (CARD, CODE, PASSWORD)
NOT_A_PASSWORD = {  # first words after "password is" that say it is not one
    "is", "was", "my", "and", "the", "for", "to", "of", "a", "it", "hack",
    "hacked", "changed", "strong", "manager", "reset", "forgot", "lost"}


@dataclass
class Redacted:
    """The masked text and what kinds of secret were found (card, code, password)."""

    text: str
    found: set[str] = field(default_factory=set)


def redact(text: str) -> Redacted:
    """`text` with secrets masked."""
    found: set[str] = set()
    text = _CARD.sub(lambda m: _card(m, found), text)
    only = _ONLY_CODE.match(text)
    if only:
        found.add("code")
        return Redacted(CODE, found)
    text = _CODE_NEAR.sub(lambda m: _code(m, found), text)
    text = _PASSWORD.sub(lambda m: _password(m, found), text)
    return Redacted(text, found)


def mask_event(event: dict[str, Any]) -> dict[str, Any]:
    """A webhook event with codes, passwords and card numbers masked in what the user typed,
    and `secrets` naming the kinds found (added to those an earlier masking found, so the
    worker's second pass keeps the webhook's finding and still warns the user)."""
    if event.get("kind") != "text" or not event.get("text"):
        return event
    masked = redact(event["text"])
    if not masked.found:
        return event
    found = sorted(masked.found | set(event.get("secrets") or ()))
    return {**event, "text": masked.text, "secrets": found}


def _card(match: re.Match[str], found: set[str]) -> str:
    digits = re.sub(r"\D", "", match.group().translate(_KHMER_TO_ASCII))
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        found.add("card")
        return CARD
    return match.group()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _code(match: re.Match[str], found: set[str]) -> str:
    group = 1 if match.group(1) else 2
    if not 4 <= len(re.sub(r"[ .-]", "", match.group(group))) <= 8:
        return match.group()
    found.add("code")
    start, end = match.span(group)
    whole_start = match.start()
    return match.group()[: start - whole_start] + CODE + match.group()[end - whole_start:]


def _password(match: re.Match[str], found: set[str]) -> str:
    secret = match.group(1)
    first = secret.split()[0]
    if first.lower().strip(".,!?") in NOT_A_PASSWORD or secret.startswith(_PLACEHOLDERS):
        return match.group()
    found.add("password")
    start = match.start(1) - match.start()
    return match.group()[:start] + PASSWORD
