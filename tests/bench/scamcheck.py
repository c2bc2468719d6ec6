"""The scam check on its labelled set (tests/eval/scamcheck/): catch rate, right sign, false
alarms, and time per message.

Run: python -m tests.bench.scamcheck
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from bot.project import RESPONSES
from webhook.content.loader import load_folder
from webhook.scamcheck.alerts import seeded_alerts
from webhook.scamcheck.checker import Checker
from webhook.scamcheck.explain import checker_for

EVAL_DIR = Path(__file__).resolve().parents[1] / "eval" / "scamcheck"
LANGUAGES = ("en", "km", "km-Latn")


def load_set(language: str) -> list[dict[str, Any]]:
    """The labelled messages of one language."""
    data = yaml.safe_load((EVAL_DIR / f"{language}.yml").read_text(encoding="utf-8"))
    return data["messages"]


def default_checker() -> Checker:
    """A checker as a fresh clone has it: settings from responses/, seeded alerts."""
    return checker_for(load_folder(RESPONSES).settings, seeded_alerts())


def score(checker: Checker, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Catch rate, right-sign rate and false alarms of `checker` on `messages`."""
    scams = [m for m in messages if m["label"] == "scam"]
    ordinary = [m for m in messages if m["label"] == "ordinary"]
    scam_results = [checker.check(m["text"]) for m in scams]
    ordinary_results = [checker.check(m["text"]) for m in ordinary]
    caught = sum(r.verdict != "none" for r in scam_results)
    right = sum(bool({s.code for s in r.signs} & set(m["signs"]))
                for m, r in zip(scams, scam_results, strict=True))
    return {
        "scams": len(scams), "ordinary": len(ordinary),
        "caught": caught / max(len(scams), 1),
        "strong": sum(r.verdict == "strong" for r in scam_results) / max(len(scams), 1),
        "right_sign": right / max(len(scams), 1),
        "false_strong": sum(r.verdict == "strong" for r in ordinary_results)
        / max(len(ordinary), 1),
        "false_some": sum(r.verdict == "some" for r in ordinary_results) / max(len(ordinary), 1),
        "missed": [m["text"] for m, r in zip(scams, scam_results, strict=True)
                   if r.verdict == "none"],
        "false_alarms": [m["text"] for m, r in zip(ordinary, ordinary_results, strict=True)
                         if r.verdict == "strong"],
    }


def latency_ms(checker: Checker, texts: list[str], rounds: int = 5) -> dict[str, float]:
    """p50 and p99 of one check, over every text `rounds` times."""
    times = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            checker.check(text)
            times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100)
    return {"p50": cuts[49], "p99": cuts[98], "n": len(times)}


def main() -> dict[str, Any]:
    """Print the tables for docs/benchmarks.md section 11; return the figures."""
    checker = default_checker()
    results = {language: score(checker, load_set(language)) for language in LANGUAGES}
    everything = [m for language in LANGUAGES for m in load_set(language)]
    results["all"] = score(checker, everything)
    print("| set | scams | caught | strong | right sign | ordinary | called strong | called some |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['scams']} | {r['caught']:.1%} | {r['strong']:.1%} | "
              f"{r['right_sign']:.1%} | {r['ordinary']} | {r['false_strong']:.1%} | "
              f"{r['false_some']:.1%} |")
    timing = latency_ms(checker, [m["text"] for m in everything])
    print(f"\nchecking a text: p50 {timing['p50']:.2f} ms, p99 {timing['p99']:.2f} ms "
          f"({timing['n']} checks)")
    results["latency_ms"] = timing
    return results


if __name__ == "__main__":
    figures = main()
    for name in (*LANGUAGES,):
        for text in figures[name]["missed"]:
            print(f"missed ({name}): {text}")
        for text in figures[name]["false_alarms"]:
            print(f"false alarm ({name}): {text}")
