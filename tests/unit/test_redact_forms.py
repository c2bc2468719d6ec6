"""Issue 10, finding 13: the forms masking used to miss, and properties over many of them.

Grouped one-time codes ("code is 123 456", "OTP: 12-34-56"), card numbers grouped by dots
("4111.1111.1111.1111") and every word of a passphrase after "password is", in English, Khmer
script and Khmer in Latin letters. The review's examples are rows of
test_redact.py::test_secrets_are_masked; they were left (partly) visible before the fix.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webhook.privacy.redact import CARD, CODE, NOT_A_PASSWORD, PASSWORD, redact


@pytest.mark.parametrize("text", [
    "my phone is 012 345 678",        # no code word: a phone number stays
    "meet at 12-30 on 2025-11-30",
    "code 12 34 56 78 90 12",          # 12 digits: not a code
    "my password was hacked yesterday and i cannot log in",
])
def test_grouped_numbers_without_a_secret_are_left_alone(text):
    assert redact(text).text == text


def _luhn_complete(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
separators = st.sampled_from([" ", "-", ".", ""])
CODE_WORDS = ["code", "OTP", "otp is", "PIN:", "verification code is", "លេខកូដ", "kod"]
PASSWORD_WORDS = ["password is", "my password is", "Password:", "pw =", "ពាក្យសម្ងាត់ខ្ញុំគឺ",
                  "លេខសម្ងាត់ គឺ", "peak sngat knhom ku", "passwd"]
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789#$%&*+@ាកខគងចឆជញ",
               min_size=3, max_size=10)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CODE_WORDS), st.lists(st.integers(2, 4), min_size=2, max_size=3),
       st.sampled_from([" ", "-", "."]), st.randoms(use_true_random=False))
def test_a_grouped_code_near_a_code_word_never_survives(word, sizes, separator, rng):
    if not 4 <= sum(sizes) <= 8:
        return
    groups = ["".join(rng.choice("0123456789") for _ in range(size)) for size in sizes]
    code = separator.join(groups)
    result = redact(f"{word} {code}")
    assert code not in result.text and CODE in result.text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789", min_size=15, max_size=15), separators,
       st.sampled_from(["", "my card ", "ATM "]))
def test_a_luhn_card_grouped_by_fours_never_survives(body, separator, prefix):
    number = _luhn_complete(body)
    grouped = separator.join(number[i:i + 4] for i in range(0, 16, 4))
    result = redact(f"{prefix}{grouped}")
    assert not any(group in result.text for group in (grouped, number))
    assert CARD in result.text


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PASSWORD_WORDS), st.lists(WORD, min_size=1, max_size=6))
def test_no_word_of_a_passphrase_survives(lead, words):
    if words[0].lower() in NOT_A_PASSWORD:
        return  # ordinary words that say the message is not a password ("… is changed")
    result = redact(f"{lead} {' '.join(words)}")
    assert result.text == f"{lead} {PASSWORD}"
    assert "password" in result.found


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P", "Zs")), max_size=120))
def test_masking_twice_changes_nothing_more(text):
    once = redact(text).text
    assert redact(once).text == once
