"""A tokenizer that segments Khmer script into words and splits everything else on spaces.

Khmer is written without spaces between words; khmer-nltk's CRF model (shipped in its wheel)
finds the word boundaries. Latin-letter text (English or romanised Khmer) is split into words.
"""

from __future__ import annotations

import re
from typing import Any

from khmernltk import word_tokenize
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.khmer_text import khmer_runs

# Words (letters and digits, with inner apostrophes) and single symbols such as emoji.
_OTHER_WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]", re.UNICODE)


def segment(text: str) -> list[tuple[str, int]]:
    """Split `text` into (word, start offset) pairs: Khmer runs by khmer-nltk, the rest by regex."""
    pieces: list[tuple[str, int]] = []
    cursor = 0
    for start, end in khmer_runs(text):
        pieces += _other_words(text[cursor:start], cursor)
        pieces += _khmer_words(text[start:end], start)
        cursor = end
    pieces += _other_words(text[cursor:], cursor)
    return pieces


def _other_words(chunk: str, offset: int) -> list[tuple[str, int]]:
    return [(m.group(), offset + m.start()) for m in _OTHER_WORD.finditer(chunk)]


def _khmer_words(run: str, offset: int) -> list[tuple[str, int]]:
    words, position = [], 0
    for word in word_tokenize(run, return_tokens=True):
        start = run.find(word, position)
        start = position if start < 0 else start
        if word.strip():
            words.append((word, offset + start))
        position = start + len(word)
    return words


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class KhmerTokenizer(Tokenizer):
    """Khmer-aware word tokenizer for mixed Khmer, romanised Khmer and English text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The options of Rasa's Tokenizer base class."""
        return {
            # split intent names like "scam_check" into tokens (not needed here)
            "intent_tokenization_flag": False,
            # symbol on which intent names are split when the flag is set
            "intent_split_symbol": "_",
            # a pattern for tokens; unused: segmentation decides
            "token_pattern": None,
            # symbol on which prefixes are split (unused)
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KhmerTokenizer:
        """Creates the component (khmer-nltk loads its model on first use)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of the message attribute, with their offsets in the text."""
        text = message.get(attribute) or ""
        return [Token(word, start) for word, start in segment(text)]
