"""Reading screenshots for the scam check: OCR time of a 1080x2400 Khmer and English chat
screenshot, and the whole path from the image message's URL to the answer (fetch from the
Graph stand-in, OCR, check, wording). Baseline in the same run: OCR of a blank screenshot of
the same size (Tesseract's start and model loading, no text).

Run: python -m tests.bench.scamcheck_ocr [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time

import requests

from bot.project import RESPONSES
from tests.screenshots import KHMER_SCAM, SIZE, chat_screenshot
from webhook.content.loader import FolderContent
from webhook.scamcheck.conversation import CheckerSource
from webhook.scamcheck.images import ImageChecks
from webhook.scamcheck.ocr import read_text
from webhook.simulator.graph_standin import GraphStandIn

MIXED = [*KHMER_SCAM, "Dear customer, your account is locked", "Call +66 81 234 5678 now",
         "ខ្ញុំបានផ្ទេរលុយរួចហើយ សូមពិនិត្យបង្កាន់ដៃ", "OK thanks bong"]


def _timed(action, rounds: int) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return {"p50": statistics.median(times), "p99": p99, "n": rounds}


def main(rounds: int = 10) -> dict[str, dict[str, float]]:
    """Print the table for docs/benchmarks.md section 11; return the figures (seconds)."""
    shot, blank = chat_screenshot(MIXED), chat_screenshot([], SIZE)
    figures = {"blank screenshot (baseline)": _timed(lambda: read_text(blank), rounds),
               "chat screenshot, OCR only": _timed(lambda: read_text(shot), rounds)}
    with GraphStandIn() as standin:
        url = requests.post(f"{standin.url}/_standin/attachments", data=shot,
                            headers={"Content-Type": "image/png"}, timeout=10).json()["url"]
        checks = ImageChecks(CheckerSource(FolderContent(RESPONSES), None), None,
                             lambda *_: None, ("127.0.0.1",))
        figures["image message to answer"] = _timed(lambda: checks.answer(url, "km"), rounds)
        checks.shutdown()
    print(f"screenshot {SIZE[0]}x{SIZE[1]} PNG, {len(shot) // 1024} KB, {rounds} rounds each")
    print("| path | p50 s | p99 s |")
    print("|---|---|---|")
    for name, timing in figures.items():
        print(f"| {name} | {timing['p50']:.2f} | {timing['p99']:.2f} |")
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
