"""Send messages made only of words never seen in training to the fallback.

Character n-grams let the classifier give a keyboard mash ("kkkk jjjj") a fair confidence in
some short intent such as `affirm`, and a wrong "yes" can hand a conversation over. When not one
word of a message was in the training data and the classifier is not sure, the honest answer
is that we did not understand.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class UnknownWordsFallback(GraphComponent):
    """Predicts `nlu_fallback` for unsure predictions on messages with no known word."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Options."""
        return {
            # below this confidence, a message with no known word goes to the fallback
            "max_confidence": 0.6,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: set[str] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        """A new, untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Remember every word of the training examples."""
        for example in training_data.intent_examples:
            self.vocabulary.update(_words(example))
        with self._storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(self.vocabulary)))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        """The component with the vocabulary saved at training."""
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / VOCABULARY_FILE).read_text())
        return cls(config, model_storage, resource, set(words))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace an unsure intent by the fallback when no word is known."""
        for message in messages:
            if self._should_fall_back(message):
                fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME,
                            "confidence": 1.0 - message.data[INTENT]["confidence"]}
                message.data[INTENT] = fallback
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, fallback)
        return messages

    def _should_fall_back(self, message: Message) -> bool:
        intent = message.data.get(INTENT) or {}
        if not intent.get("name") or intent["name"] == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return False
        if (message.get(TEXT) or "").startswith("/"):  # a button payload, not typed text
            return False
        words = _words(message)
        return bool(words) and not words & self.vocabulary and (
            intent.get("confidence", 0.0) < self._config["max_confidence"])


def _words(message: Message) -> set[str]:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return {token.text.lower() for token in tokens if any(c.isalnum() for c in token.text)}
