"""Topic accuracy and macro F1 per language, on the held-out set in tests/eval/.

Sub-topics count by their topic (nlu_data/taxonomy.yml): a message about fake payment proof
answered as `scam_fake_payment` or `scam_check` is right; as `scam_victim` it is wrong. How often
the assistant asks "did you mean A or B?" (bot/clarify.py) is reported beside it; an ask is not
counted as right.

Run: python -m tests.bench.nlu_eval [MODEL]   (default: the current model)
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

EVAL_DIR = Path(__file__).resolve().parents[1] / "eval"
LANGUAGES = ("en", "km", "km-Latn")


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                pairs.append((line.strip()[2:], block["intent"]))
    return pairs


def scores(pairs: list[tuple[str, str]], predicted: list[str]) -> dict[str, float]:
    """Accuracy and macro F1 of predicted topics against the gold topics."""
    from bot.taxonomy import topic_of

    gold = [topic_of(intent) for _, intent in pairs]
    predicted = [topic_of(intent) for intent in predicted]
    labels = sorted(set(gold))
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {"n": len(gold), "accuracy": accuracy, "macro_f1": sum(f1s) / len(f1s)}


def confusions(pairs: list[tuple[str, str]], predicted: list[str]) -> dict[str, int]:
    """How often each gold intent was taken for another topic's intent."""
    from bot.taxonomy import topic_of

    counts: dict[str, int] = defaultdict(int)
    for (_, gold), guess in zip(pairs, predicted, strict=True):
        if topic_of(gold) != topic_of(guess):
            counts[f"{gold} -> {guess}"] += 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


async def _parse(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


async def _predict(model: Path, texts: list[str]) -> list[str]:
    return [parse["intent"]["name"] for parse in await _parse(model, texts)]


def ask_rate(pairs: list[tuple[str, str]], parses: list[dict]) -> dict[str, float]:
    """How often the assistant asks which of two topics, and how often the right one is offered."""
    from bot import clarify
    from bot.taxonomy import topic_of

    asked = [(gold, clarify.choices(parse.get("intent_ranking") or []))
             for (_, gold), parse in zip(pairs, parses, strict=True) if clarify.asks(parse)]
    offered = sum(topic_of(gold) in pair for gold, pair in asked if pair)
    return {"asks": len(asked) / len(pairs) if pairs else 0.0,
            "asks_with_right_topic": offered / len(asked) if asked else 0.0}


def per_topic(pairs: list[tuple[str, str]], predicted: list[str]) -> dict[str, dict]:
    """Accuracy of each gold topic."""
    from bot.taxonomy import topic_of

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, gold), guess in zip(pairs, predicted, strict=True):
        totals[topic_of(gold)][0] += 1
        totals[topic_of(gold)][1] += topic_of(gold) == topic_of(guess)
    return {topic: {"n": n, "accuracy": right / n} for topic, (n, right) in sorted(totals.items())}


def evaluate(model: Path) -> dict[str, dict]:
    """Scores per language for `model`, in-process (no server)."""
    results = {}
    for language in LANGUAGES:
        pairs = load_examples(EVAL_DIR / f"{language}.yml")
        parses = asyncio.run(_parse(model, [text for text, _ in pairs]))
        predicted = [parse["intent"]["name"] for parse in parses]
        results[language] = {**scores(pairs, predicted), **ask_rate(pairs, parses),
                             "per_topic": per_topic(pairs, predicted),
                             "confusions": confusions(pairs, predicted)}
    return results


def main(argv: list[str]) -> int:
    """Print the scores as JSON."""
    from bot.train import model_path

    model = Path(argv[0]) if argv else model_path()
    with contextlib.redirect_stdout(io.StringIO()):  # Rasa's debug logs go to stdout
        results = evaluate(model)
    print(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
