"""The scam check package: signs in three languages, links, numbers, verdicts, the command."""

from __future__ import annotations

import io
import json

import pytest

from bot.project import RESPONSES
from tests.bench import scamcheck as bench
from webhook.content.loader import load_folder
from webhook.scamcheck.__main__ import main as cli
from webhook.scamcheck.explain import plain_text
from webhook.scamcheck.sign_words import SIGN_RULES
from webhook.scamcheck.verdict import WEIGHTS


@pytest.fixture(scope="module")
def checker():
    return bench.default_checker()


def codes(checker, text):
    return {sign.code for sign in checker.check(text).signs}


@pytest.mark.parametrize("text, code", [
    ("Please send me the OTP code you just received", "otp_request"),
    ("សូមផ្ញើលេខកូដ OTP មកខ្ញុំ", "otp_request"),
    ("bong som phnheu lek kod mok knhom", "otp_request"),
    ("Scan this KHQR to receive your refund", "qr_to_receive"),
    ("សូមស្កេន QR នេះដើម្បីទទួលលុយ", "qr_to_receive"),
    ("som scan KHQR nis dembey tortuol luy", "qr_to_receive"),
    ("Pay the 20$ processing fee first", "upfront_fee"),
    ("សូមបង់ថ្លៃសេវាមុន", "upfront_fee"),
    ("som bong luy mun 20$", "upfront_fee"),
    ("rent your bank account, earn 100$ a month", "account_rental"),
    ("ជួលគណនីធនាគាររបស់អ្នក រកលុយបាន 100$ ក្នុងមួយខែ", "account_rental"),
    ("jol kanany thneakea robos bong, rok luy 100$ mouy khe", "account_rental"),
])
def test_each_language_finds_the_sign(checker, text, code):
    assert code in codes(checker, text)


def test_khmer_typed_in_another_character_order_is_still_found(checker):
    # the coeng-RO cluster of ស្កេន typed in a different order normalises to the same word
    assert "qr_to_receive" in codes(checker, "សូមស្កេន QR\u200b នេះដើម្បីទទួលលុយ")


def test_a_warning_not_to_share_is_not_a_request(checker):
    for text in ("Your OTP is 482913. Do not share this code with anyone.",
                 "លេខកូដ OTP របស់អ្នកគឺ ៤៨២៩១៣។ កុំប្រាប់លេខកូដនេះទៅអ្នកណាឡើយ។",
                 "kom prab lek kod OTP tov nak na"):
        assert checker.check(text).verdict != "strong", text


@pytest.mark.parametrize("text, flag, code", [
    ("verify at acleda-bank . com", "lookalike", "lookalike_domain"),
    ("login www.faceb00k.com/help", "lookalike", "lookalike_domain"),
    ("fаcebook.com (a Cyrillic a)", "lookalike", "lookalike_domain"),
    ("xn--fcebook-8va.com", "punycode", "suspicious_link"),
    ("bit.ly/3xYz", "shortener", "shortened_link"),
    ("http://185.22.14.9/pay", "ip", "suspicious_link"),
    ("http://abc.top/bill.apk", "installer", "apk_file"),
    ("gov-kh.com/fine", "lookalike", "lookalike_domain"),
])
def test_links_are_found_and_judged(checker, text, flag, code):
    result = checker.check(text)
    assert result.links and flag in result.links[0].flags
    assert code in {sign.code for sign in result.signs}


def test_official_and_government_links_are_not_signs(checker):
    result = checker.check("See https://www.arrival.gov.kh and ababank.com")
    assert [link.flags for link in result.links] == [["official"], ["official"]]
    assert result.verdict == "none"


def test_cambodian_numbers_in_every_written_form(checker):
    for written in ("012 345 678", "012-345-678", "(+855) 12 345 678", "855 12345678",
                    "+855(0)12345678", "០១២ ៣៤៥ ៦៧៨"):
        phones = checker.check(f"call {written}").phones
        assert [p.e164 for p in phones] == ["+85512345678"], written
    foreign = checker.check("call +66 81 234 5678").phones[0]
    assert foreign.foreign and foreign.region == "TH"


def test_none_never_says_safe_and_gives_the_three_rules(checker):
    content = load_folder(RESPONSES)
    text = plain_text(checker.check("see you at 5"), content, "en")
    assert "does not prove it is safe" in text
    assert "Do not pay first" in text and "code, PIN or password" in text
    assert "1." in plain_text(checker.check("see you at 5"), content, "km")


def test_every_sign_has_a_weight_and_an_explanation_in_both_languages():
    content = load_folder(RESPONSES)
    extra = {"lookalike_domain", "shortened_link", "suspicious_link", "foreign_number"}
    for code in set(SIGN_RULES) | extra:
        assert code in WEIGHTS
        for language in ("en", "km"):
            assert content.responses[f"utter_scamsign_{code}"].versions[language].bubbles


def test_command_writes_one_json_line_per_input_line_in_order():
    out = io.StringIO()
    cli(["--json"], io.StringIO("send me the OTP code\n\nhello\n"), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["verdict"] for line in lines] == ["strong", "none", "none"]
    assert set(lines[0]) == {"verdict", "signs", "links", "phones", "matches"}
    sign = lines[0]["signs"][0]
    assert sign["code"] == "otp_request" and set(sign["explanation"]) == {"en", "km"}


def test_bad_input_gets_an_answer(checker):
    assert checker.check("").verdict == "none"
    long = checker.check("a" * 2000 + " send me the OTP code")
    assert long.verdict in ("none", "strong")
    many = checker.check(" ".join(f"http://site{i}.top/login" for i in range(50)))
    assert many.truncated and len(many.links) == 20 and many.verdict != "none"


def test_a_known_alert_is_named(checker):
    result = checker.check("please scan the QR code to receive the money I owe you")
    assert result.matches and result.matches[0].alert.id == "khqr-to-receive"


def test_the_labelled_set_meets_the_targets(checker):
    messages = [m for language in bench.LANGUAGES for m in bench.load_set(language)]
    figures = bench.score(checker, messages)
    assert figures["caught"] >= 0.95, figures["missed"]
    assert figures["false_strong"] <= 0.05, figures["false_alarms"]


def test_an_empty_message_and_a_link_to_our_own_site_get_clear_answers():
    from webhook.content.loader import FolderContent
    from webhook.scamcheck.checker import Checker
    from webhook.scamcheck.conversation import CheckerSource, check_reply, reply_for

    content = load_folder(RESPONSES)
    source = CheckerSource(FolderContent(RESPONSES), None)
    [empty] = check_reply(source, None, "   ", "en")
    assert empty["text"].startswith("I did not get anything to check")
    ours = Checker(frozenset(), frozenset({"ourhelpline.org"}))
    [reply] = reply_for(ours.check("https://www.ourhelpline.org/help"), content, "en")
    assert reply["text"].startswith("That is our own website")


def test_a_strong_check_of_a_victims_message_leads_into_the_victim_steps(checker):
    from webhook.scamcheck.conversation import is_victim, reply_for

    content = load_folder(RESPONSES)
    text = "I already paid the 30$ processing fee for the loan and now they want more"
    assert is_victim(text)
    parts = reply_for(checker.check(text), content, "en", victim=True)
    victim = content.responses["utter_scam_victim"].versions["en"].bubbles[0]
    assert parts[0]["text"] == "⚠️ This has clear signs of a scam."
    assert parts[-1]["text"].startswith(victim[:40])
