"""Khmer text utilities with no Rasa dependency.

`normalise_for_understanding` is what the NLU sees; it must never be applied to text that is
shown to people (transcripts and answers keep the user's own bytes).
"""

from __future__ import annotations

import re
import unicodedata

from khmerspell import khnormal

KHMER_LETTERS = "\u1780-\u17ff\u19e0-\u19ff"
_KHMER_CHAR = re.compile(f"[{KHMER_LETTERS}]")
_KHMER_RUN = re.compile(f"[{KHMER_LETTERS}]+")
# Zero-width space, non-joiner, joiner, word joiner and BOM: invisible, typed or pasted by
# keyboards, and they make the same word compare unequal.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def is_khmer_char(char: str) -> bool:
    """True for a character of the Khmer blocks (letters, signs, digits, symbols)."""
    return bool(_KHMER_CHAR.match(char))


def khmer_runs(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of consecutive Khmer characters in `text`."""
    return [match.span() for match in _KHMER_RUN.finditer(text)]


def normalise_for_understanding(text: str) -> str:
    """One canonical form of `text` for the NLU.

    NFC first, then invisible characters dropped, then SIL's Khmer reordering (subscripts,
    vowel order, split vowels, coeng DA to coeng TA), then Khmer digits as ASCII digits.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    if _KHMER_CHAR.search(text):
        text = khnormal(text)
    return text.translate(_KHMER_DIGITS)
