"""Intent accuracy and macro F1 per language, on the held-out set in tests/eval/.

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
    """Accuracy and macro F1 of predictions against the gold intents."""
    gold = [intent for _, intent in pairs]
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
    """How often each gold intent was taken for another."""
    counts: dict[str, int] = defaultdict(int)
    for (_, gold), guess in zip(pairs, predicted, strict=True):
        if gold != guess:
            counts[f"{gold} -> {guess}"] += 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


async def _predict(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]


def evaluate(model: Path) -> dict[str, dict]:
    """Scores per language for `model`, in-process (no server)."""
    results = {}
    for language in LANGUAGES:
        pairs = load_examples(EVAL_DIR / f"{language}.yml")
        predicted = asyncio.run(_predict(model, [text for text, _ in pairs]))
        results[language] = {**scores(pairs, predicted), "confusions": confusions(pairs, predicted)}
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
