"""Train the Rasa model only when its inputs changed.

The model's file name carries a hash of everything it is trained from (training data, rules,
domain, pipeline configuration and our components), so an up-to-date model is found without
starting Rasa. Run: python -m bot.train [--print-path]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from bot import domain_sync
from bot.project import (
    BOT,
    COMPONENTS,
    CONFIG,
    DOMAIN_DIR,
    MODELS,
    NLU_DATA,
    ROOT,
    training_story_files,
)

KEEP_MODELS = 3


def model_inputs() -> list[Path]:
    """Every file whose change calls for a new model."""
    files = [CONFIG, *DOMAIN_DIR.glob("*.yml"), *NLU_DATA.rglob("*.yml")]
    files += [*training_story_files(), *COMPONENTS.glob("*.py")]
    files += [BOT / "khmer_text.py", BOT / "language.py"]
    return sorted(set(files))


def fingerprint() -> str:
    """A short hash of the model's inputs (their paths and contents) and Rasa's version."""
    from rasa import __version__ as rasa_version

    digest = hashlib.sha256(rasa_version.encode())
    for path in model_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    """Where the model for the current inputs is (or will be)."""
    return MODELS / f"helpline-{fingerprint()}.tar.gz"


def train() -> Path:
    """Train if no model matches the inputs; return the model's path."""
    domain_sync.main([])
    target = model_path()
    if target.exists():
        print(f"model is up to date: {target.relative_to(ROOT)}")
        return target
    print(f"training {target.relative_to(ROOT)} (inputs changed) ...", flush=True)
    started = time.monotonic()
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG), "--domain", str(DOMAIN_DIR),
        "--data", str(NLU_DATA), *map(str, training_story_files()),
        "--out", str(MODELS), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    subprocess.run(command, check=True, cwd=ROOT, env=rasa_environment())
    print(f"trained in {time.monotonic() - started:.0f} s")
    _remove_old_models(keep=target)
    return target


def rasa_environment() -> dict[str, str]:
    """The environment Rasa runs in: our components importable, no telemetry."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def _remove_old_models(keep: Path) -> None:
    models = sorted(MODELS.glob("helpline-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        if old != keep:
            old.unlink()


def main(argv: list[str] | None = None) -> int:
    """Train when needed; with --print-path only print where the current model is."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print-path", action="store_true")
    args = parser.parse_args(argv)
    if args.print_path:
        print(model_path())
        return 0
    train()
    return 0


if __name__ == "__main__":
    sys.exit(main())
