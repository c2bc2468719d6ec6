"""Find phone numbers with `phonenumbers`, in every common Cambodian written form.

"012 345 678", "012-345-678", "(+855) 12 345 678", "855 12345678", "+855(0)12…" and the same
in Khmer digits (normalised to ASCII first). A number from another country is flagged: calls
and chats "from the bank" or "from the police" on a foreign number are a common trick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from bot.khmer_text import normalise_for_understanding
from webhook.scamcheck.signs import Sign

HOME_REGION = "KH"
MAX_PHONES = 20
_PLUS_ZERO = re.compile(r"\+\s*855\s*\(\s*0\s*\)")  # "+855 (0)12 …": the 0 is not dialled


@dataclass(frozen=True)
class Phone:
    """A phone number as written and in international form."""

    written: str
    e164: str
    region: str | None  # "KH", "TH", … (None when the country is unknown)
    valid: bool

    @property
    def foreign(self) -> bool:
        """True for a number outside Cambodia."""
        return self.region != HOME_REGION

    def as_json(self) -> dict[str, object]:
        """The form `--json` prints."""
        return {"written": self.written, "e164": self.e164, "region": self.region,
                "valid": self.valid, "foreign": self.foreign}


def find_phones(text: str) -> list[Phone]:
    """The phone numbers in `text`, without repeats, at most MAX_PHONES."""
    text = _PLUS_ZERO.sub("+855 ", normalise_for_understanding(text))
    found: dict[str, Phone] = {}
    for match in PhoneNumberMatcher(text, HOME_REGION, leniency=Leniency.POSSIBLE):
        number = match.number
        if not phonenumbers.is_valid_number(number):
            continue  # a reference, an amount or a masked code, not a number to call
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        region = phonenumbers.region_code_for_number(number)
        found.setdefault(e164, Phone(match.raw_string, e164, region, True))
        if len(found) >= MAX_PHONES:
            break
    return list(found.values())


def normalise_number(written: str) -> str | None:
    """A number typed by staff (an alert's numbers) in E.164, or None if it is not one."""
    phones = find_phones(written)
    return phones[0].e164 if phones else None


def phone_signs(phones: list[Phone]) -> list[Sign]:
    """A foreign number is a sign (the first one is quoted)."""
    foreign = [phone for phone in phones if phone.foreign]
    return [Sign("foreign_number", foreign[0].written)] if foreign else []
