"""CountVectorsFeaturizer whose word analyzer keeps Khmer words whole.

Rasa builds scikit-learn vectorizers with the token pattern `(?u)\\b\\w+\\b`; Khmer vowel signs and
subscripts are not `\\w`, so a correctly segmented word such as ខ្ញុំ becomes ខ and ញ. The
tokenizer has already split the text on spaces, so any run of non-space characters is a token.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from sklearn.feature_extraction.text import CountVectorizer

WHOLE_TOKEN_PATTERN = r"(?u)\S+"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class KhmerWordCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Bag-of-words features over whole tokens, Khmer included."""

    @classmethod
    def _create_shared_vocab_vectorizers(
        cls, parameters: dict[str, Any], vocabulary: Any | None = None
    ) -> dict[str, CountVectorizer]:
        vectorizers = super()._create_shared_vocab_vectorizers(parameters, vocabulary)
        return _keep_whole_tokens(vectorizers, parameters)

    @classmethod
    def _create_independent_vocab_vectorizers(
        cls, parameters: dict[str, Any], vocabulary: Any | None = None
    ) -> dict[str, CountVectorizer]:
        vectorizers = super()._create_independent_vocab_vectorizers(parameters, vocabulary)
        return _keep_whole_tokens(vectorizers, parameters)


def _keep_whole_tokens(
    vectorizers: dict[str, CountVectorizer], parameters: dict[str, Any]
) -> dict[str, CountVectorizer]:
    if parameters["analyzer"] == "word":
        for vectorizer in vectorizers.values():
            vectorizer.set_params(token_pattern=WHOLE_TOKEN_PATTERN)
    return vectorizers
