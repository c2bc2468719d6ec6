"""Stratified k-fold cross-validation of the NLU on all training data, scored per language.

Each fold trains the real pipeline (bot/config.yml) on every language at once, as production
does, and scores the held-out examples of each language separately.
Run: python -m tests.bench.cross_validation [FOLDS]
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from bot.project import CONFIG, NLU_DATA, ROOT
from bot.train import rasa_environment
from tests.bench.nlu_eval import LANGUAGES, _predict, load_examples, scores

Example = tuple[str, str, str]  # text, intent, language


def all_examples() -> list[Example]:
    """Every training example with its language (the folder it is in)."""
    return [
        (text, intent, language)
        for language in LANGUAGES
        for path in sorted((NLU_DATA / language).glob("*.yml"))
        for text, intent in load_examples(path)
    ]


def folds(examples: list[Example], k: int, seed: int = 7) -> list[list[Example]]:
    """k folds, each with about the same share of every (intent, language) pair."""
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for example in examples:
        groups[(example[1], example[2])].append(example)
    result: list[list[Example]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for index, example in enumerate(members):
            result[index % k].append(example)
    return result


def _write_nlu(examples: list[Example], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent, _ in examples:
        by_intent[intent].append(text)
    blocks = [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
              for intent, texts in sorted(by_intent.items())]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True))


def _train_fold(train: list[Example], workdir: Path) -> Path:
    _write_nlu(train, workdir / "nlu.yml")
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(CONFIG),
         "--nlu", str(workdir / "nlu.yml"), "--out", str(workdir), "--fixed-model-name", "fold"],
        check=True, cwd=ROOT, env=rasa_environment(), capture_output=True,
    )
    return workdir / "fold.tar.gz"


def cross_validate(k: int = 5) -> dict[str, dict[str, float]]:
    """Accuracy and macro F1 per language over k folds (predictions pooled over folds)."""
    parts = folds(all_examples(), k)
    gold: dict[str, list[tuple[str, str]]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    for index, test in enumerate(parts):
        train = [example for j, part in enumerate(parts) if j != index for example in part]
        with tempfile.TemporaryDirectory() as workdir:
            model = _train_fold(train, Path(workdir))
            with contextlib.redirect_stdout(io.StringIO()):
                guesses = asyncio.run(_predict(model, [text for text, _, _ in test]))
        for (text, intent, language), guess in zip(test, guesses, strict=True):
            gold[language].append((text, intent))
            predicted[language].append(guess)
        print(f"fold {index + 1}/{k} done", file=sys.stderr)
    return {language: scores(gold[language], predicted[language]) for language in LANGUAGES}


if __name__ == "__main__":
    print(json.dumps(cross_validate(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=1))
