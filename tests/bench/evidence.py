"""Evidence (docs/benchmarks.md section 17): a photo at the webhook to its thumbnail in an open
console (Chromium), beside a text message's way to the same console in the same run; disk,
Redis memory and time per 1,000 images; the retention sweep of 1,000 expired files; the same
store and sweep with the S3 backend against a local S3-compatible server (moto's, in a process
of its own), in the same run.

Run: python -m tests.bench.evidence [ROUNDS [IMAGES]]   (ROUNDS 0: the stores only)
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import redis
import requests
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from bot.train import model_path
from tests.bench.handoff import CHROMIUM_ARGS, PASSWORD, _summary
from tests.bench.messenger import LOGS, signed_post
from tests.s3_server import BUCKET, standalone
from webhook.console.accounts import create_account
from webhook.devstack import Stack
from webhook.embedded_redis import EmbeddedRedis
from webhook.evidence.s3 import S3Blobs
from webhook.evidence.store import EvidenceStore
from webhook.simulator import payloads

THUMB_LOADED = ("() => [...document.querySelectorAll('#transcript img.evidence-thumb')]"
                ".some(img => img.naturalWidth > 0)")


def photo(seed: int, size: tuple[int, int] = (1280, 960)) -> bytes:
    """A photo-like JPEG (noise compresses like a camera picture, not like a flat colour)."""
    image = Image.effect_noise(size, 40 + seed % 20).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.web_url}/console/")
    page.get_by_label("Username").fill("bench")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_text("Live updates: on")).to_be_visible(timeout=20_000)


def browser_rounds(rounds: int) -> dict:
    """Per round: a user asks for a person, the moderator claims; then a text and a photo."""
    stack = Stack(model=model_path(), workers=2).start(log_dir=LOGS)
    create_account(redis.Redis.from_url(stack.redis_url), "bench", "Bench", "moderator",
                   PASSWORD)
    secret, url = stack.secrets["FB_APP_SECRET"], f"{stack.web_url}/webhook"
    to_thumb, to_text = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _sign_in(page, stack)
            for index in range(rounds):
                user = f"bench-{uuid.uuid4().hex[:10]}"
                signed_post(url, secret, payloads.text(user, "I want to talk to a real person"))
                rows = page.locator("#waiting-rows tr[data-ref]")
                expect(rows).to_have_count(1, timeout=20_000)
                rows.get_by_role("button", name="Claim").click()
                expect(page.locator("#transcript")).to_be_visible()
                # the conversation page's live updates must be on before anything is sent
                expect(page.get_by_text("Live updates: on")).to_be_visible(timeout=20_000)
                started = time.perf_counter()
                signed_post(url, secret, payloads.text(user, f"baseline text {index}"))
                expect(page.locator("#transcript")).to_contain_text(f"baseline text {index}",
                                                                    timeout=20_000)
                to_text.append((time.perf_counter() - started) * 1000)
                cdn = requests.post(f"{stack.graph_url}/_standin/attachments", timeout=10,
                                    data=photo(index), headers={"Content-Type": "image/jpeg"})
                started = time.perf_counter()
                signed_post(url, secret, payloads.attachment(user, "image",
                                                             url=cdn.json()["url"]))
                page.wait_for_function(THUMB_LOADED, timeout=30_000)
                to_thumb.append((time.perf_counter() - started) * 1000)
                page.get_by_role("button", name=re.compile("Resolve")).click()
                expect(page.get_by_role("heading", name=re.compile("Waiting"))).to_be_visible()
            browser.close()
    finally:
        stack.stop()
    return {"photo_webhook_to_thumbnail_ms": _summary(to_thumb),
            "baseline_text_webhook_to_console_ms": _summary(to_text)}


def store_per_thousand(count: int = 1000) -> dict:
    """Disk, Redis memory, Python memory and time to store `count` photos; then the sweep."""
    photos = [photo(seed) for seed in range(20)]  # 20 distinct photos, stored count times
    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    with EmbeddedRedis(folder / "redis") as server:
        client = redis.Redis.from_url(server.url)
        store = EvidenceStore(client, 30 * 86400, folder / "files")
        before = client.info("memory")["used_memory"]
        tracemalloc.start()
        started = time.perf_counter()
        for index in range(count):
            store.save(f"bench-user-{index % 100}", "image", "image/jpeg", photos[index % 20])
        save_s = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        redis_bytes = client.info("memory")["used_memory"] - before
        files = list((folder / "files").iterdir())
        originals = sum(p.stat().st_size for p in files if not p.name.endswith(".thumb.jpg"))
        thumbs = sum(p.stat().st_size for p in files if p.name.endswith(".thumb.jpg"))
        started = time.perf_counter()
        swept = store.sweep(now=time.time() + 31 * 86400)
        sweep_s = time.perf_counter() - started
        left = len(list((folder / "files").iterdir()))
    shutil.rmtree(folder, ignore_errors=True)
    return {"images": count, "photo_kb_avg": round(sum(map(len, photos)) / 20 / 1024, 1),
            "disk_originals_mb": round(originals / 2**20, 1),
            "disk_thumbnails_mb": round(thumbs / 2**20, 1),
            "redis_manifest_mb": round(redis_bytes / 2**20, 2),
            "python_peak_mb_while_saving": round(peak / 2**20, 1),
            "save_ms_per_image": round(save_s * 1000 / count, 1),
            "sweep_after_retention_s": round(sweep_s, 2), "swept": swept, "files_left": left}


def s3_per_thousand(count: int = 1000) -> dict:
    """Time to store `count` photos in an S3 bucket (local server), then the sweep."""
    photos = [photo(seed) for seed in range(20)]
    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-s3-"))
    with EmbeddedRedis(folder / "redis") as server, standalone() as s3:
        client = redis.Redis.from_url(server.url)
        store = EvidenceStore(client, 30 * 86400,
                              blobs=S3Blobs(s3.client, BUCKET, "bench/", sse="AES256"))
        started = time.perf_counter()
        for index in range(count):
            store.save(f"bench-user-{index % 100}", "image", "image/jpeg", photos[index % 20])
        save_s = time.perf_counter() - started
        objects = len(s3.object_keys("bench/"))
        started = time.perf_counter()
        swept = store.sweep(now=time.time() + 31 * 86400)
        sweep_s = time.perf_counter() - started
        left = len(s3.object_keys("bench/"))
    shutil.rmtree(folder, ignore_errors=True)
    return {"images": count, "objects": objects,
            "save_ms_per_image": round(save_s * 1000 / count, 1),
            "sweep_after_retention_s": round(sweep_s, 2), "swept": swept, "objects_left": left}


def main(rounds: int = 20, count: int = 1000) -> None:
    """Print the measurements as JSON (the two stores one after the other, same run)."""
    print(json.dumps({"store": store_per_thousand(count), "s3_store": s3_per_thousand(count),
                      "browser": browser_rounds(rounds) if rounds else None}, indent=1))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
