"""Telling Khmer script, Latin-letter Khmer and English apart."""

from pathlib import Path

import pytest
import yaml

from bot.language import ENGLISH, KHMER, KHMER_LATIN, detect

EVAL = Path(__file__).resolve().parents[1] / "eval"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("facebook khnhom trov ke hack", KHMER_LATIN),
        ("sousdey bong", KHMER_LATIN),
        ("knhom bat luy tam aba", KHMER_LATIN),
        ("tver mec ban password klang", KHMER_LATIN),
        ("my facebook account was hacked", ENGLISH),
        ("how do i make a strong password", ENGLISH),
        ("ខ្ញុំបាត់ password", KHMER),
        ("តើខ្ញុំអាចបង្កើតពាក្យសម្ងាត់ខ្លាំងដោយរបៀបណា", KHMER),
        ("fb ខ្ញុំ", KHMER),
    ],
)
def test_detects_language(text, language):
    assert detect(text).language == language


@pytest.mark.parametrize("text", ["", "👍", "123", "ok", "fb", "?!"])
def test_unclear_text_has_no_language(text):
    assert detect(text).language is None
    assert detect(text).reply_language is None


def test_both_khmer_forms_are_answered_in_khmer_script():
    assert detect("sousdey bong").reply_language == KHMER
    assert detect("សួស្តី").reply_language == KHMER
    assert detect("hello there").reply_language == ENGLISH


def _examples(language):
    data = yaml.safe_load((EVAL / f"{language}.yml").read_text(encoding="utf-8"))
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                yield line.strip()[2:]


@pytest.mark.parametrize(
    ("language", "reply", "floor"),
    [("en", ENGLISH, 0.90), ("km", KHMER, 0.99), ("km-Latn", KHMER, 0.80)],
)
def test_reply_language_on_the_held_out_set(language, reply, floor):
    """On messages with a clear language, the answer language is right (unclear ones excluded)."""
    decided = [detect(text).reply_language for text in _examples(language)]
    clear = [found for found in decided if found]
    accuracy = sum(found == reply for found in clear) / len(clear)
    assert accuracy >= floor, f"{language}: {accuracy:.3f} on {len(clear)} clear messages"
    assert len(clear) / len(decided) >= 0.85, "too many messages left without a language"
