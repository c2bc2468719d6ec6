"""Rasa's FallbackClassifier, deciding on topics instead of intents.

Sub-topics split a topic's probability between them (scam_check, scam_fake_payment, ...), so
the plain classifier would fall back on messages that are clearly about one topic. Here the
threshold applies to the topic's summed confidence, and "ambiguous" means two *topics* are
close (bot.clarify), in which case the /nlg callback asks which one the user meant.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import THRESHOLD_KEY, FallbackClassifier
from rasa.shared.nlu.constants import INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot import clarify
from bot.taxonomy import topic_ranking


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class TopicFallbackClassifier(FallbackClassifier):
    """Falls back when the best topic is unsure, or when two topics are close."""

    @staticmethod
    def get_default_config() -> dict:
        """Options: the threshold on the best topic; margin and ceiling of a close call."""
        return {**FallbackClassifier.get_default_config(),
                "clarify_margin": clarify.MARGIN, "clarify_ceiling": clarify.CEILING}

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        ranked = topic_ranking(message.data.get(INTENT_RANKING_KEY) or [])
        confidence = ranked[0][1] if ranked else 0.0
        return confidence < self.component_config[THRESHOLD_KEY], confidence

    def _nlu_prediction_ambiguous(self, message: Message) -> tuple[bool, float | None]:
        pair = clarify.choices(message.data.get(INTENT_RANKING_KEY) or [],
                               self.component_config["clarify_margin"],
                               self.component_config["clarify_ceiling"])
        return pair is not None, None
