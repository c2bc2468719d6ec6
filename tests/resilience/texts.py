"""What the simulated users write: Khmer and English messages, each with the answer it must get.

Only topics whose answer does not depend on what came before and never hands the conversation
to a person, so every message has one known answer. Each phrase is checked against the running
model before use (right intent, nothing masked as a secret, the language detected as written).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from bot.language import detect
from tests.integration.test_conversations import first_example
from tests.integration.test_messenger_pipeline import bubbles
from webhook.privacy.redact import redact

LANGUAGES = ("km", "en")
TOPICS = ("scam_check", "scam_report", "password_strong", "two_factor", "privacy_settings",
          "personal_data", "misinformation", "gov_services_rights", "gov_page_verify",
          "digital_rights")
SMALL_TALK = {"greet": {"en": "hello", "km": "សួស្តី"},
              "thank": {"en": "thank you", "km": "អរគុណ"}}
MIN_CONFIDENCE = 0.5
# People writing one short line at a time (issue 17): each burst, joined, is about a hacked
# account, which is answered with the safety steps and the first guided step, which offers a
# person.
BURSTS = {
    "km-Latn": ("sousdey bong", "knhom mean banhaa", "facebook knhom", "trov ke hack",
                "jouy phong"),
    "km": ("សួស្តីបង", "ខ្ញុំមានបញ្ហា", "ហ្វេសប៊ុកខ្ញុំ", "ត្រូវគេហេក", "ជួយផង"),
    "en": ("hi", "i have a problem", "my facebook", "someone hacked it", "please help"),
}
BURST_INTENT = "account_hacked"


@dataclass(frozen=True)
class Phrase:
    """A message and the bubbles that answer it."""

    text: str
    language: str
    intent: str
    bubbles: tuple[str, ...]


def candidates() -> list[Phrase]:
    """Every phrase the suites may use, unchecked."""
    found = []
    for language in LANGUAGES:
        texts = {intent: first_example(language, intent) for intent in TOPICS}
        texts.update({intent: by_language[language] for intent, by_language in SMALL_TALK.items()})
        for intent, text in texts.items():
            found.append(Phrase(text, language, intent,
                                tuple(bubbles(f"utter_{intent}", language))))
    return found


def checked_phrases(rasa_url: str, params: dict[str, str]) -> dict[str, list[Phrase]]:
    """The phrases the running model understands as intended, by language (`params`: the
    Rasa token, `stack.rasa_auth`)."""
    usable: dict[str, list[Phrase]] = {language: [] for language in LANGUAGES}
    for phrase in candidates():
        if _understood(rasa_url, params, phrase):
            usable[phrase.language].append(phrase)
    for language, phrases in usable.items():
        if len(phrases) < 4:
            raise RuntimeError(f"only {len(phrases)} usable {language} phrases: is the model "
                               "the trained one?")
    return usable


def _understood(rasa_url: str, params: dict[str, str], phrase: Phrase) -> bool:
    if redact(phrase.text).found or detect(phrase.text).reply_language != phrase.language:
        return False
    parsed = requests.post(f"{rasa_url}/model/parse", json={"text": phrase.text},
                           params=params, timeout=30)
    parsed.raise_for_status()
    intent = parsed.json()["intent"]
    return intent["name"] == phrase.intent and intent["confidence"] >= MIN_CONFIDENCE


def burst_bubbles(language: str) -> tuple[str, ...]:
    """What a hacked-account burst is answered with, in the reply language of `language`."""
    reply = "en" if language == "en" else "km"  # the steps start, offering a person
    return tuple(bubbles(f"utter_{BURST_INTENT}", reply) + bubbles("guide_hacked_account", reply))


def checked_bursts(rasa_url: str) -> dict[str, tuple[str, ...]]:
    """The bursts whose joined text the running model reads as a hacked account."""
    usable = {}
    for language, fragments in BURSTS.items():
        parsed = requests.post(f"{rasa_url}/model/parse", json={"text": "\n".join(fragments)},
                               timeout=30)
        parsed.raise_for_status()
        if parsed.json()["intent"]["name"] == BURST_INTENT:
            usable[language] = fragments
    if not usable:
        raise RuntimeError("no burst is read as a hacked account: is the model the trained one?")
    return usable
