"""The worker's memory under a burst of pictures (docs/benchmarks.md section 17b).

One process holds what a worker holds for evidence: the collector with its two threads, the
store (folder) and Redis. Its resident memory is sampled every 10 ms while a burst of pictures
is fetched from a local file server (a process of its own, standing for Facebook's CDN),
sniffed, thumbnailed and stored; the baseline is the
same process just before the burst, and the same burst of small files (no decoding) is run
first as the floor. Each scenario runs in a process of its own; the last sends five bursts in a
row through one collector, as a worker keeps it, to show whether memory grows.

Run: python -m tests.bench.evidence_memory [PICTURES]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import redis

from tests.bench.evidence import photo
from webhook.conversations.state import Conversations
from webhook.conversations.transcript import Transcript
from webhook.devstack import wait_for
from webhook.embedded_redis import EmbeddedRedis, free_port
from webhook.evidence.collector import EvidenceCollector
from webhook.evidence.store import EvidenceStore

MB = 2**20
SIZES = {"messenger_2048": (2048, 1536), "photo_1280": (1280, 960)}


class PeakRss:
    """Samples this process's resident memory on a thread; `peak` is the highest seen."""

    def __init__(self, every_s: float = 0.01) -> None:
        self.process, self.every_s = psutil.Process(), every_s
        self.peak, self._stop = self.process.memory_info().rss, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.every_s)


def burst(collector: EvidenceCollector, urls: list[tuple[str, str]], tag: str = "") -> dict:
    """Send the burst through the collector; RSS before, at its peak and after, and the time."""
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    with PeakRss() as rss:
        futures = [future for index, (kind, url) in enumerate(urls)
                   for future in collector.collect({
                       "psid": f"mem-user-{index % 10}", "mid": f"m-{tag}{index}",
                       "attachment_urls": [[kind, url]]})]
        for future in futures:
            future.result()  # every file stored (or refused) before the burst ends
    return {"files": len(urls), "seconds": round(time.perf_counter() - started, 2),
            "rss_before_mb": round(before / MB, 1), "rss_peak_mb": round(rss.peak / MB, 1),
            "peak_growth_mb": round((rss.peak - before) / MB, 1),
            "rss_after_mb": round(psutil.Process().memory_info().rss / MB, 1)}


@contextmanager
def file_server(files: dict[str, bytes]) -> Iterator[str]:
    """The files over HTTP from a process of its own (what it holds is not counted here)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-cdn-"))
    for name, data in files.items():
        (folder / name).write_bytes(data)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, "the file server", timeout=10)
        yield url
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def run_one(scenario: str, pictures: int) -> dict:
    """In this process: one burst of small files (the floor) or of pictures of one size, or
    (`…_x5`) five bursts in a row through one collector, as a worker keeps it."""
    size, repeats = scenario.removesuffix("_x5"), 5 if scenario.endswith("_x5") else 1
    if size == "floor_small_files":
        files, kind = {"small.pdf": b"%PDF-1.4\n" + b"x" * 2000}, "file"
    else:
        files, kind = {f"{seed}.jpg": photo(seed, SIZES[size]) for seed in range(20)}, "image"
    names = sorted(files)
    file_kb = round(len(files[names[0]]) / 1024)
    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-mem-"))
    with EmbeddedRedis(folder / "redis") as server, file_server(files) as cdn:
        del files  # held by the file server's process from here on
        client = redis.Redis.from_url(server.url)
        store = EvidenceStore(client, 86400, folder / "files")
        collector = EvidenceCollector(store, Conversations(client, 86400),
                                      Transcript(client, 86400), ("127.0.0.1",), workers=2)
        urls = [(kind, f"{cdn}/{names[i % len(names)]}") for i in range(pictures)]
        rounds = [burst(collector, urls, tag=f"{n}-") for n in range(repeats)]
        collector.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    if repeats == 1:
        return {"file_kb": file_kb, **rounds[0]}
    return {"file_kb": file_kb, "rss_after_each_burst_mb": [r["rss_after_mb"] for r in rounds],
            "rss_before_mb": rounds[0]["rss_before_mb"]}


def main(pictures: int = 200) -> None:
    """Each scenario in a fresh process (memory a burst took is rarely given back), as JSON."""
    results = {}
    for scenario in ("floor_small_files", *SIZES, "messenger_2048_x5"):
        out = subprocess.run([sys.executable, "-m", __spec__.name, "--one", scenario,
                              str(pictures)], capture_output=True, text=True, check=True)
        results[scenario] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(sys.argv[2], int(sys.argv[3]))))
    else:
        main(*(int(arg) for arg in sys.argv[1:2]))
