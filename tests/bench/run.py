"""`make bench`: every benchmark, printed as the tables in docs/benchmarks.md.

Run: python -m tests.bench.run
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.project import CONFIG, DOMAIN_DIR, NLU_DATA, training_story_files
from bot.train import model_path, rasa_environment
from tests.bench import (
    bursts,
    console_streams,
    content_publish,
    cross_validation,
    evidence,
    evidence_memory,
    guides,
    handoff,
    long_conversation,
    messenger,
    nlu_eval,
    scamcheck,
    scamcheck_ocr,
    serving,
    webhook_masking,
)
from tests.resilience import faults, load, replicas
from tests.resilience.report import markdown_table as _table


def training_seconds() -> float:
    """A full training (NLU and dialogue) from nothing, with no cache."""
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--config", str(CONFIG),
             "--domain", str(DOMAIN_DIR), "--data", str(NLU_DATA),
             *map(str, training_story_files()), "--out", out, "--force"],
            check=True, cwd=Path(out), env=rasa_environment(), capture_output=True,
        )
        shutil.rmtree(Path(out) / ".rasa", ignore_errors=True)
        return time.monotonic() - started


def _cell(result: dict | None) -> str:
    return f"{result['accuracy']:.2f} ({result['n']})" if result else "–"


def main() -> int:
    """Run the benchmarks and print markdown."""
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}\n")
    print(f"training from scratch: {training_seconds():.0f} s\n")
    with contextlib.redirect_stdout(io.StringIO()):
        held_out = nlu_eval.evaluate(model_path())
    print("held-out set (tests/eval), by topic:")
    print(_table([[lang, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}",
                   f"{r['asks']:.1%}", f"{r['asks_with_right_topic']:.0%}"]
                  for lang, r in held_out.items()],
                 ["language", "n", "accuracy", "macro F1", "asks", "right topic offered"]))
    print("\nheld-out accuracy per topic:")
    topics = sorted({topic for r in held_out.values() for topic in r["per_topic"]})
    print(_table([[topic, *(_cell(held_out[lang]["per_topic"].get(topic)) for lang in held_out)]
                  for topic in topics], ["topic", *held_out]))
    cv = cross_validation.cross_validate(5)
    print("\n5-fold cross-validation (training data):")
    print(_table([[lang, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}"]
                  for lang, r in cv.items()], ["language", "n", "accuracy", "macro F1"]))
    result = serving.main(200)
    print(f"\nserving, {result['turns']} turns:")
    print(_table([[name, f"{v['p50']:.1f}", f"{v['p95']:.1f}", f"{v['max']:.1f}"]
                  for name, v in result["latency_ms"].items()], ["ms", "p50", "p95", "max"]))
    print("\nmemory after the run (MiB, RSS): " + ", ".join(
        f"{name} {mb:.0f}" for name, mb in result["memory_mb"].items()))
    print("\nMasking in the webhook (docs/benchmarks.md section 14):")
    print(json.dumps(webhook_masking.main(), indent=1, ensure_ascii=False))
    print("\nMessenger webhook and pipeline:")
    print(json.dumps(messenger.main(), indent=1))
    print("\nHandoff in a real browser:")
    print(json.dumps(handoff.run(20), indent=1))
    print("\nChanging an answer: publish in the editor vs retrain and reload:")
    print(json.dumps(content_publish.run(10), indent=1, ensure_ascii=False))
    print("\nBursts of short messages (its section of docs/benchmarks.md is rewritten):")
    bursts.main(["--write"])
    print("\nGuided steps: turns to the steps, step turn vs plain turn:")
    with contextlib.redirect_stdout(io.StringIO()):
        guided = guides.main()
    print(json.dumps(guided, indent=1))
    print("\nLong conversations (docs/benchmarks.md section 9):")
    print(json.dumps(long_conversation.main(), indent=1))
    print("\nScam check (docs/benchmarks.md section 11): labelled set and time per message")
    scamcheck.main()
    print("\nScam check: reading screenshots")
    scamcheck_ocr.main(20)
    print("\n/webhook while console event streams are open:")
    print(json.dumps(console_streams.run(200), indent=1))
    print("\nEvidence (docs/benchmarks.md section 17)")
    evidence.main(20)
    print("\nEvidence: the worker's memory under a burst of 200 pictures (section 17b)")
    evidence_memory.main(200)
    print("\nResilience (long forms; their sections of docs/benchmarks.md are rewritten):")
    failed = faults.main(["--long", "--write"]) + load.main(["--write"]) + \
        replicas.main(["--write"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
