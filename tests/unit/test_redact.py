"""Secrets are masked before anything is stored, shown or sent to Rasa."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webhook.privacy.redact import CARD, CODE, PASSWORD, redact


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("my card is 4111 1111 1111 1111 help", f"my card is {CARD} help", "card"),
        ("4111-1111-1111-1111", CARD, "card"),
        ("កាត ៤១១១១១១១១១១១១១១១ របស់ខ្ញុំ", f"កាត {CARD} របស់ខ្ញុំ", "card"),
        ("the OTP is 482913", f"the OTP is {CODE}", "code"),
        ("i gave them the code 4829 already", f"i gave them the code {CODE} already", "code"),
        ("482913", CODE, "code"),
        ("៤៨២៩១៣", CODE, "code"),
        ("លេខកូដ ៤៨២៩១៣ ខ្ញុំឲ្យគេហើយ", f"លេខកូដ {CODE} ខ្ញុំឲ្យគេហើយ", "code"),
        ("my pin 1234 was stolen", f"my pin {CODE} was stolen", "code"),
        ("my password is Sunflower2024!", f"my password is {PASSWORD}", "password"),
        ("password: hunter2", f"password: {PASSWORD}", "password"),
        ("ពាក្យសម្ងាត់ខ្ញុំគឺ abc12345", f"ពាក្យសម្ងាត់ខ្ញុំគឺ {PASSWORD}", "password"),
        # issue 10, finding 13: forms masking used to miss
        ("my code is 123 456", f"my code is {CODE}", "code"),
        ("OTP: 12-34-56", f"OTP: {CODE}", "code"),
        ("the verification code 12.34.56 came by sms", f"the verification code {CODE} came by sms",
         "code"),
        ("លេខកូដ ១២៣ ៤៥៦", f"លេខកូដ {CODE}", "code"),
        ("kod ku 123 456", f"kod ku {CODE}", "code"),
        ("123 456", CODE, "code"),
        ("4111.1111.1111.1111", CARD, "card"),
        ("card 4111.1111.1111.1111 was charged", f"card {CARD} was charged", "card"),
        ("my password is correct horse battery staple",
         f"my password is {PASSWORD}", "password"),
        ("my password is correct horse battery staple. What now?",
         f"my password is {PASSWORD}. What now?", "password"),
        ("password: blue sky 42 river\nplease help", f"password: {PASSWORD}\nplease help",
         "password"),
        ("ពាក្យសម្ងាត់ខ្ញុំគឺ ផ្កា ឈូក ស្អាត", f"ពាក្យសម្ងាត់ខ្ញុំគឺ {PASSWORD}", "password"),
        ("peak sngat knhom ku srolanh khmer chea", f"peak sngat knhom ku {PASSWORD}", "password"),
    ],
)
def test_secrets_are_masked(text, expected, kind):
    result = redact(text)
    assert result.text == expected
    assert kind in result.found


@pytest.mark.parametrize(
    "text",
    [
        "how do i make a strong password",
        "my password was hacked",
        "i lost 200 dollars yesterday",
        "call me at 2pm",
        "4111 1111 1111 1112",            # fails the Luhn check
        "the year 2025 was hard",
        "ខ្ញុំបាត់លុយ ៥០ ដុល្លារ",
        "password manager recommendations?",
        "i need to pass my exam",
    ],
)
def test_ordinary_messages_are_left_alone(text):
    result = redact(text)
    assert result.text == text and not result.found


@given(st.text(max_size=200))
def test_redaction_never_fails_and_is_stable(text):
    once = redact(text).text
    assert redact(once).text == once
