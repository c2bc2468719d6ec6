"""A graph component that puts message text into one canonical Khmer form before tokenizing.

Only the NLU sees the normalised text: Rasa stores the user's original text in the tracker.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.khmer_text import normalise_for_understanding


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class KhmerNormalizer(GraphComponent):
    """Reorders Khmer characters, drops invisible ones and maps Khmer digits to ASCII."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the normal form must be the same at training and at prediction."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KhmerNormalizer:
        """Creates the component (it holds no state)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises every training example."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalises the text of each incoming message in place."""
        for message in messages:
            self._normalise(message)
        return messages

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalise_for_understanding(text))
