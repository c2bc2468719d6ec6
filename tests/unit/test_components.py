"""The Khmer graph components, chained as in bot/config.yml, with a persist and load round trip."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.khmer_count_vectors import KhmerWordCountVectorsFeaturizer
from bot.components.khmer_normalizer import KhmerNormalizer
from bot.components.khmer_tokenizer import KhmerTokenizer, segment

SENTENCE = "ខ្ញុំត្រូវបានគេបោកប្រាស់តាមហ្វេសប៊ុក"
WORDS = {"ខ្ញុំ", "ត្រូវបាន", "គេ", "បោកប្រាស់", "តាម", "ហ្វេសប៊ុក"}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context():
    return ExecutionContext(graph_schema=None, model_id="test")


def _tokenizer(storage, context):
    config = {**KhmerTokenizer.get_default_config()}
    return KhmerTokenizer.create(config, storage, Resource("tok"), context)


def _prepare(texts, storage, context):
    messages = [Message(data={TEXT: text, "intent": "x"}) for text in texts]
    training = TrainingData(training_examples=messages)
    KhmerNormalizer.create({}, storage, Resource("norm"), context).process_training_data(training)
    _tokenizer(storage, context).process_training_data(training)
    return training


def test_segment_finds_khmer_words_and_keeps_offsets():
    text = "fb ខ្ញុំត្រូវគេ hack ហើយ 😢"
    pieces = segment(text)
    assert [word for word, _ in pieces] == ["fb", "ខ្ញុំ", "ត្រូវ", "គេ", "hack", "ហើយ", "😢"]
    assert all(text[start:start + len(word)] == word for word, start in pieces)


def test_segment_never_yields_blank_tokens():
    assert all(word.strip() for word, _ in segment("ខ្ញុំ  ត្រូវ   គេ ", ))


def test_normalizer_changes_only_what_the_nlu_sees(storage, context):
    message = Message(data={TEXT: "ខ្\u200bញុំ ១២"})
    KhmerNormalizer.create({}, storage, Resource("n"), context).process([message])
    assert message.get(TEXT) == "ខ្ញុំ 12"


def test_tokens_reaching_the_featurizers_are_whole_khmer_words(storage, context):
    training = _prepare([SENTENCE], storage, context)
    tokens = {token.text for token in training.training_examples[0].get(TOKENS_NAMES[TEXT])}
    assert tokens >= WORDS


def test_stock_word_featurizer_shreds_khmer_but_ours_keeps_words(storage, context):
    texts = [SENTENCE, "ខ្ញុំ ចង់ ដឹង"]
    stock = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("stock"), context
    )
    stock.train(_prepare(texts, storage, context))
    ours = _train_ours(texts, storage, context, Resource("ours"))
    stock_vocabulary = set(stock.vectorizers[TEXT].vocabulary_)
    our_vocabulary = set(ours.vectorizers[TEXT].vocabulary_)
    assert "ខ្ញុំ" not in stock_vocabulary and "ខ" in stock_vocabulary
    assert our_vocabulary >= WORDS


def _train_ours(texts, storage, context, resource):
    featurizer = KhmerWordCountVectorsFeaturizer.create(
        KhmerWordCountVectorsFeaturizer.get_default_config(), storage, resource, context
    )
    featurizer.train(_prepare(texts, storage, context))
    return featurizer


def test_featurizer_persists_and_loads_with_the_same_features(storage, context):
    resource = Resource("roundtrip")
    trained = _train_ours([SENTENCE, "ខ្ញុំ ចង់ ដឹង"], storage, context, resource)
    loaded = KhmerWordCountVectorsFeaturizer.load(
        KhmerWordCountVectorsFeaturizer.get_default_config(), storage, resource, context
    )
    assert loaded.vectorizers[TEXT].vocabulary_ == trained.vectorizers[TEXT].vocabulary_
    message = _prepare(["ខ្ញុំត្រូវគេបោកប្រាស់"], storage, context).training_examples[0]
    loaded.process([message])
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sentence is not None
    vocabulary = loaded.vectorizers[TEXT].vocabulary_
    seen = np.asarray(sentence.features.sum(axis=0)).ravel()
    for word in ("ខ្ញុំ", "គេ", "បោកប្រាស់"):
        assert seen[vocabulary[word]] == 1, word


def test_unknown_words_fallback_round_trip(storage, context):
    from rasa.shared.nlu.constants import INTENT

    from bot.components.unknown_words_fallback import UnknownWordsFallback

    resource = Resource("unknown")
    training = _prepare(["ខ្ញុំត្រូវគេបោកប្រាស់", "yes please"], storage, context)
    config = UnknownWordsFallback.get_default_config()
    UnknownWordsFallback.create(config, storage, resource, context).train(training)
    loaded = UnknownWordsFallback.load(config, storage, resource, context)

    messages = _prepare(["kkkk jjjj", "yes", "zzzz qqqq", "/affirm"], storage, context)
    messages = messages.training_examples
    for message, confidence in zip(messages, (0.5, 0.5, 0.9, 0.5), strict=True):
        message.set(INTENT, {"name": "affirm", "confidence": confidence}, add_to_output=True)
    loaded.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == [
        "nlu_fallback",  # no known word, unsure
        "affirm",        # a known word
        "affirm",        # no known word, but the classifier is sure
        "affirm",        # a button payload
    ]
