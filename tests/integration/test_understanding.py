"""Intent accuracy on the held-out set (tests/eval/, never trained on), through the running Rasa.

The floors are the project's targets for unseen phrasings; docs/benchmarks.md has the figures.
"""

import pytest

from tests.bench.nlu_eval import EVAL_DIR, load_examples, scores

TARGETS = {"en": 0.95, "km": 0.92, "km-Latn": 0.85}


@pytest.mark.parametrize("language", sorted(TARGETS))
def test_held_out_accuracy_meets_the_target(chat, language):
    pairs = load_examples(EVAL_DIR / f"{language}.yml")
    predicted = [chat.parse(text)["intent"]["name"] for text, _ in pairs]
    result = scores(pairs, predicted)
    assert result["accuracy"] >= TARGETS[language], result
