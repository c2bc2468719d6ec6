"""Answer content: loading, filling settings, and the checks staff rely on."""

from pathlib import Path

import pytest

from bot.project import RESPONSES, intents, used_responses
from webhook.content.loader import ContentError, load_responses, load_settings
from webhook.content.model import Choice, Response, Settings, Version
from webhook.content.render import fill_lines, to_nlg_reply
from webhook.content.validate import missing_responses, validate

INTENTS = {"help", "scam_victim", "change_language"}
TOPIC_INTENTS = {
    "scam_check", "scam_victim", "scam_report", "password_strong", "two_factor",
    "account_hacked", "privacy_settings", "personal_data", "misinformation",
    "online_harassment", "gov_services_rights", "gov_page_verify", "digital_rights",
}
SETTINGS = Settings(
    default_language="km",
    values={
        "org_name": {"en": "Helpline", "km": "ជំនួយ"},
        "org_phone": {"en": "", "km": ""},
        "police_report_url": {"en": "https://police.example", "km": "https://police.example"},
    },
)


def _response(en=None, km=None, **extra):
    versions = {}
    if en:
        versions["en"] = en
    if km:
        versions["km"] = km
    return Response(name="utter_x", topic="topic", versions=versions, **extra)


def _problems(response):
    return [str(p) for p in validate({response.name: response}, SETTINGS, INTENTS)]


GOOD = Version(bubbles=("Hello",), quick_replies=(Choice("Menu", payload="/help"),))


def test_the_real_content_passes_every_check():
    responses = load_responses(RESPONSES)
    settings = load_settings(RESPONSES)
    problems = validate(responses, settings, intents())
    problems += missing_responses(responses, used_responses())
    assert problems == []


def test_every_topic_answer_offers_the_way_back_to_the_menu():
    for response in load_responses(RESPONSES).values():
        starts_guide = (response.command or {}).get("name") == "guide"  # its steps offer it
        if response.name.removeprefix("utter_") in TOPIC_INTENTS and not starts_guide:
            for language, version in response.versions.items():
                payloads = {choice.payload for choice in version.quick_replies}
                assert "/help" in payloads, (response.name, language)


def test_a_good_answer_has_no_problems():
    assert _problems(_response(GOOD, GOOD)) == []


def test_a_missing_language_is_reported():
    assert any("utter_x.km: missing" in p for p in _problems(_response(en=GOOD)))


def test_an_over_long_bubble_is_reported():
    long = Version(bubbles=("x" * 641,))
    assert any("641 characters; at most 640" in p for p in _problems(_response(long, GOOD)))


def test_an_over_long_message_is_reported():
    long = Version(bubbles=("x" * 600,) * 4)
    assert any("2400 characters in all" in p for p in _problems(_response(long, GOOD)))


def test_khmer_titles_are_counted_by_code_point():
    # 12 letters on screen but 21 code points: Messenger counts every vowel sign and subscript
    title = "ខ្ញុំ" * 4 + "ក"
    assert len(title) == 21
    version = Version(bubbles=("x",), quick_replies=(Choice(title, payload="/help"),))
    assert any("quick_replies[0].title: 21 characters" in p
               for p in _problems(_response(GOOD, version)))


def test_too_many_quick_replies_and_buttons_are_reported():
    version = Version(
        bubbles=("x",),
        quick_replies=tuple(Choice(f"q{i}", payload="/help") for i in range(14)),
        buttons=tuple(Choice(f"b{i}", payload="/help") for i in range(4)),
    )
    problems = _problems(_response(GOOD, version))
    assert any("quick_replies: 14 given; at most 13" in p for p in problems)
    assert any("buttons: 4 given; at most 3" in p for p in problems)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (Choice("Go", payload="help"), "must be '/' and an intent name"),
        (Choice("Go", payload="/no_such_intent"), "unknown intent 'no_such_intent'"),
        (Choice("Go", payload='/change_language{"language":km}'), "must be JSON"),
        (Choice("Go", url="http://example.org"), "links must start with https://"),
        (Choice("Go", url="https://x", payload="/help"), "either a payload or a url"),
        (Choice("", payload="/help"), "must not be empty"),
    ],
)
def test_bad_choices_are_reported(choice, message):
    version = Version(bubbles=("x",), buttons=(choice,))
    assert any(message in p for p in _problems(_response(GOOD, version)))


def test_unknown_placeholders_are_reported():
    version = Version(bubbles=("Call {hotline_number}",))
    assert any("unknown placeholder {hotline_number}" in p
               for p in _problems(_response(GOOD, version)))


def test_unknown_commands_are_reported():
    assert any("unknown command" in p
               for p in _problems(_response(GOOD, GOOD, command={"name": "explode"})))


def test_lines_with_empty_settings_are_dropped():
    text = "Talk to {org_name}.\nCall us: {org_phone}\nPolice: {police_report_url}"
    assert fill_lines(text, SETTINGS, "en") == "Talk to Helpline.\nPolice: https://police.example"
    assert fill_lines(text, SETTINGS, "km").startswith("Talk to ជំនួយ.")


def test_nlg_reply_carries_bubbles_quick_replies_buttons_and_command():
    version = Version(
        bubbles=("One {org_name}", "Two\nCall {org_phone}"),
        quick_replies=(Choice("Menu", payload="/help"),),
        buttons=(Choice("Police", url="{police_report_url}"), Choice("Call", url="{org_phone}")),
    )
    response = _response(version, version, command={"name": "handoff", "reason": "x"})
    reply = to_nlg_reply(response, "en", SETTINGS)
    assert reply["text"] == "One Helpline\n\nTwo"
    assert reply["buttons"] == [
        {"title": "Menu", "payload": "/help", "type": "quick_reply"},
        {"title": "Police", "url": "https://police.example", "type": "web_url"},
    ]
    assert reply["custom"] == {"command": "handoff", "reason": "x"}


def test_a_broken_file_is_reported_with_its_name(tmp_path: Path):
    (tmp_path / "broken.yml").write_text("responses:\n  utter_x: [unclosed\n")
    with pytest.raises(ContentError, match="broken.yml"):
        load_responses(tmp_path)


def test_the_same_name_in_two_files_is_refused(tmp_path: Path):
    entry = "responses:\n  utter_x:\n    en: {bubbles: [a]}\n    km: {bubbles: [b]}\n"
    (tmp_path / "a.yml").write_text(entry)
    (tmp_path / "b.yml").write_text(entry)
    with pytest.raises(ContentError, match="defined twice"):
        load_responses(tmp_path)
