"""What masking secrets in the webhook (issue 10, finding 6) costs the acknowledgement.

The web app served over real HTTP (werkzeug, threaded) on a real Redis; each request is a signed
delivery answered once its events are in the stream. Masked and unmasked requests alternate in
the same run (the unmasked one swaps `mask_event` for the identity), over four kinds of message:
plain English, Khmer, one with a code, a card number and a passphrase, and a 2,000-character
one. Also the time of `mask_event` alone.

Run: python -m tests.bench.webhook_masking [pairs]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from werkzeug.serving import make_server

from tests.bench.serving import percentile
from webhook import create_app
from webhook.embedded_redis import EmbeddedRedis, free_port
from webhook.messenger import views
from webhook.privacy.redact import mask_event
from webhook.simulator import payloads

SECRET = "bench-app-secret"
MESSAGES = {
    "plain English": "Someone asked me to send money on Facebook, is it a scam?",
    "Khmer": "ខ្ញុំត្រូវគេបោកប្រាស់លុយតាមហ្វេសប៊ុក តើខ្ញុំគួរធ្វើអ្វី?",
    "code, card, passphrase": "they asked my OTP: 12-34-56 and card 4111.1111.1111.1111, "
                              "my password is correct horse battery staple",
    "2,000 characters": ("I need help with my account, it was taken yesterday 2025 " * 40)[:2000],
}


def _identity(event: dict) -> dict:
    return event


def _timed(session: requests.Session, url: str, text: str) -> float:
    raw, headers = payloads.encode(payloads.body(payloads.text(f"b-{uuid.uuid4().hex[:8]}",
                                                               text)), SECRET)
    started = time.perf_counter()
    response = session.post(url, data=raw, headers=headers, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 3),
            "p95": round(percentile(values, 0.95), 3), "mean": round(statistics.mean(values), 3)}


def acknowledgements(url: str, pairs: int) -> dict[str, dict[str, dict[str, float]]]:
    """Milliseconds per acknowledgement, masked and unmasked, interleaved, per message kind."""
    session, results = requests.Session(), {}
    for kind, text in MESSAGES.items():
        times: dict[str, list[float]] = {"masked": [], "unmasked": []}
        for index in range(pairs):
            order = ("masked", "unmasked") if index % 2 else ("unmasked", "masked")
            for variant in order:
                views.mask_event = mask_event if variant == "masked" else _identity
                times[variant].append(_timed(session, url, text))
        views.mask_event = mask_event
        results[kind] = {variant: _stats(values) for variant, values in times.items()}
        differences = [m - u for m, u in zip(times["masked"], times["unmasked"], strict=True)]
        results[kind]["paired difference"] = {"median": round(statistics.median(differences), 3)}
    return results


def mask_alone(rounds: int = 2000) -> dict[str, float]:
    """Microseconds of `mask_event` per event, per message kind: the median call (on a shared
    machine the mean is mostly time the process spent descheduled)."""
    out = {}
    for kind, text in MESSAGES.items():
        event = {"kind": "text", "psid": "u", "text": text}
        calls = []
        for _ in range(rounds):
            started = time.perf_counter()
            mask_event(event)
            calls.append(time.perf_counter() - started)
        out[kind] = round(statistics.median(calls) * 1e6, 1)
    return out


def main(pairs: int = 300) -> dict:
    """Both measurements on a fresh embedded Redis."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request
    with tempfile.TemporaryDirectory() as folder, EmbeddedRedis(Path(folder)) as server:
        app = create_app({"APP_ENV": "development", "REDIS_URL": server.url,
                          "FB_APP_SECRET": SECRET, "RASA_URL": "http://127.0.0.1:9"})
        port = free_port()
        http = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            acks = acknowledgements(f"http://127.0.0.1:{port}/webhook", pairs)
        finally:
            http.shutdown()
    return {"pairs": pairs, "ack_ms": acks, "mask_event_us": mask_alone()}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300), indent=1,
                     ensure_ascii=False))
