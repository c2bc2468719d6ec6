"""Khmer normalisation: one canonical form for the many byte orders people type."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.khmer_text import khmer_runs, normalise_for_understanding

KHNHOM = "\u1781\u17d2\u1789\u17bb\u17c6"  # ខ្ញុំ in canonical order


@pytest.mark.parametrize(
    ("typed", "canonical", "why"),
    [
        ("\u1781\u17d2\u1789\u17c6\u17bb", KHNHOM, "nikahit typed before the vowel u"),
        ("\u1785\u17c1\u17b8\u1789", "\u1785\u17be\u1789", "split vowel e + ii is the vowel oe"),
        ("\u179f\u17d2\u179a\u17d2\u178f\u17b8", "\u179f\u17d2\u178f\u17d2\u179a\u17b8",
         "coeng RO typed before another subscript"),
        ("\u1794\u17d2\u178a", "\u1794\u17d2\u178f", "coeng DA becomes coeng TA"),
        ("\u1781\u17d2\u1789\u17bb\u17c6\u200b\u1791\u17c5", KHNHOM + "\u1791\u17c5",
         "zero-width space dropped"),
        ("\u1781\u200d\u17d2\u1789\u17bb\u17c6", KHNHOM, "zero-width joiner dropped"),
        ("\ufeff\u1781\u17d2\u1789\u17bb\u17c6\u2060", KHNHOM, "BOM and word joiner dropped"),
        ("លេខ ១២៣៤៥៦", "លេខ 123456", "Khmer digits become ASCII digits"),
        ("My Facebook got hacked!", "My Facebook got hacked!", "Latin text is left alone"),
    ],
)
def test_normalises_to_one_canonical_form(typed, canonical, why):
    assert normalise_for_understanding(typed) == canonical, why


def test_nfc_alone_does_not_fix_khmer_order():
    typed = "\u1781\u17d2\u1789\u17c6\u17bb"
    assert unicodedata.normalize("NFC", typed) != KHNHOM
    assert normalise_for_understanding(typed) == KHNHOM


def test_mixed_text_keeps_latin_words_and_spacing():
    text = "facebook ខ្ញុំ\u200bត្រូវគេ hack ហើយ ២ដង"
    assert normalise_for_understanding(text) == "facebook ខ្ញុំត្រូវគេ hack ហើយ 2ដង"


def test_khmer_runs_are_found():
    text = "fb ខ្ញុំ hack ហើយ"
    assert [text[a:b] for a, b in khmer_runs(text)] == ["ខ្ញុំ", "ហើយ"]


khmer_or_mixed = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x1780, 0x17EA)] + list("abc 1\u200b\u200c\u200d")
    ),
    max_size=40,
)


@given(khmer_or_mixed)
def test_normalising_twice_changes_nothing(text):
    once = normalise_for_understanding(text)
    assert normalise_for_understanding(once) == once


@given(khmer_or_mixed)
def test_no_invisible_characters_survive(text):
    assert not set("\u200b\u200c\u200d\u2060\ufeff") & set(normalise_for_understanding(text))
