"""House-style warnings from docs/glossary.md (make content-check prints them)."""

from bot.project import RESPONSES
from webhook.content.glossary import avoided_terms, warnings
from webhook.content.loader import load_responses
from webhook.content.model import Response, Version


def _answer(km: str, en: str = "Hello") -> Response:
    return Response(name="utter_x", topic="t",
                    versions={"en": Version(bubbles=(en,)), "km": Version(bubbles=(km,))})


def test_the_glossary_table_is_read():
    assert avoided_terms()["ការឆបោក"] == "ការបោកប្រាស់"
    assert avoided_terms()["ឲ្យ"] == "ឱ្យ"


def test_avoided_terms_khmer_list_numbers_and_long_lists_are_warned():
    found = warnings(_answer("សូមប្រយ័ត្នការឆបោក\n១. មួយ\n២. ពីរ"))
    assert any("«ការឆបោក»" in warning for warning in found)
    assert any("Khmer digits" in warning for warning in found)
    six = "\n".join(f"{n}. point" for n in range(1, 7))
    assert any("more than 5 points" in warning for warning in warnings(_answer("ល្អ", six)))


def test_the_published_answers_follow_the_glossary():
    assert [w for r in load_responses(RESPONSES).values() for w in warnings(r)] == []
