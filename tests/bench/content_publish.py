"""How long a change to an answer takes to reach users: publishing in the content editor,
beside the same change made the Rasa way (the text in the domain: retrain, reload the model).

Publish: an editor's publish request in the console, then a user's message sent as soon as
it returns; timed from the click to the Send API receiving the answer with the new text.
Retrain: the same answers as Rasa domain responses (Khmer and English as slot-conditional
variations), one text changed, `rasa train` with its cache warm, `PUT /model` on a running
Rasa server, then the first answer with the new text.

Run: python -m tests.bench.content_publish [ROUNDS]
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
import requests
import yaml

from bot.project import CONFIG, DOMAIN_DIR, NLU_DATA, RESPONSES, training_story_files
from bot.train import model_path, rasa_environment
from tests.bench.messenger import LOGS, signed_post
from webhook.console.accounts import create_account
from webhook.content.loader import load_folder
from webhook.devstack import Stack, wait_for
from webhook.embedded_redis import free_port
from webhook.simulator import payloads

PASSWORD = "benchmark editor passphrase"
ANSWER = "utter_greet"


def form_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The editor form's fields for an answer, as a browser would post them."""
    fields = [("note", data.get("note", ""))]
    for language in ("en", "km"):
        version = data.get(language, {})
        fields += [(f"{language}-bubble", text) for text in version.get("bubbles", [])]
        for reply in version.get("quick_replies", []):
            fields += [(f"{language}-qr-title", reply["title"]),
                       (f"{language}-qr-payload", reply["payload"])]
        for button in version.get("buttons", []):
            fields += [(f"{language}-button-title", button["title"]),
                       (f"{language}-button-target", button.get("url") or button["payload"])]
    return fields


def _editor_session(stack: Stack) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.web_url}/console/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(f"{stack.web_url}/console/login", timeout=10,
                 data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    return session


def _first_answer_with(stack: Stack, user: str, marker: str, timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = requests.get(f"{stack.graph_url}/_standin/requests",
                             params={"recipient": user, "since": 0}, timeout=10).json()
        times = [r["time"] for r in found["requests"]
                 if marker in json.dumps(r.get("json"), ensure_ascii=False)]
        if times:
            return min(times)
        time.sleep(0.01)
    raise TimeoutError(f"no answer with {marker!r} for {user}")


def publish_rounds(rounds: int) -> dict[str, list[float]]:
    """Milliseconds: the publish request, and click → the answer using it reaching Send API."""
    stack = Stack(model=model_path(), workers=2).start(log_dir=LOGS)
    create_account(redis.Redis.from_url(stack.redis_url), "bench", "Bench", "editor", PASSWORD)
    session, secret = _editor_session(stack), stack.secrets["FB_APP_SECRET"]
    url = f"{stack.web_url}/console/content/a/{ANSWER}"
    publish_ms, to_answer_ms, plain_turn_ms = [], [], []
    try:
        for round_number in range(rounds):
            page = session.get(url, timeout=10).text
            opened = re.search(r'name="opened" value="([^"]+)"', page).group(1)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            data = json.loads(redis.Redis.from_url(stack.redis_url).hget(
                "hl:content:published", ANSWER))
            marker = f"ការសាកល្បង {round_number} {uuid.uuid4().hex[:6]}"
            data["km"]["bubbles"][0] = marker
            user = f"bench-publish-{round_number}"
            started = time.time()
            response = session.post(url, timeout=10, data=[
                ("csrf_token", token), ("opened", opened), ("action", "publish"),
                ("comment", "benchmark"), *form_fields(data)])
            published = time.time()
            assert response.status_code == 200 and "Published as version" in response.text
            signed_post(f"{stack.web_url}/webhook", secret, payloads.text(user, "សួស្តី"))
            publish_ms.append((published - started) * 1000)
            to_answer_ms.append((_first_answer_with(stack, user, marker) - started) * 1000)
            plain = f"bench-plain-{round_number}"
            sent = time.time()
            signed_post(f"{stack.web_url}/webhook", secret, payloads.text(plain, "សួស្តី"))
            plain_turn_ms.append((_first_answer_with(stack, plain, marker) - sent) * 1000)
    finally:
        stack.stop()
    return {"publish request": publish_ms, "click → answer with the new text": to_answer_ms,
            "a message's turn, no publish": plain_turn_ms}


def _domain_with_texts(folder: Path, marker: str) -> None:
    """Our answers as Rasa domain responses, the Khmer greeting starting with `marker`."""
    content = load_folder(RESPONSES)
    responses = {}
    for name, response in content.responses.items():
        variations = []
        for language, version in response.versions.items():
            text = "\n\n".join(version.bubbles)
            if name == ANSWER and language == "km":
                text = f"{marker}\n\n{text}"
            variations.append({"condition": [{"type": "slot", "name": "language",
                                              "value": language}], "text": text})
        responses[name] = variations
    (folder / "responses.yml").write_text(
        yaml.safe_dump({"version": "3.1", "responses": responses}, allow_unicode=True),
        encoding="utf-8")


def _train(project: Path, out: Path, marker: str) -> tuple[Path, float]:
    _domain_with_texts(project / "domain", marker)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", str(CONFIG),
                    "--domain", str(project / "domain"), "--data", str(NLU_DATA),
                    *map(str, training_story_files()), "--out", str(out),
                    "--fixed-model-name", marker.split()[-1]],
                   check=True, cwd=project, env=rasa_environment(), capture_output=True)
    return out / f"{marker.split()[-1]}.tar.gz", time.monotonic() - started


def _rasa_text(url: str, sender: str) -> str:
    answer = requests.post(f"{url}/webhooks/rest/webhook", timeout=60,
                           json={"sender": sender, "message": "/greet"}).json()
    return " ".join(message.get("text", "") for message in answer)


def retrain_rounds(rounds: int) -> dict[str, list[float]]:
    """Seconds: retraining with a warm cache, reloading the model, and both plus the answer."""
    train_s, reload_s, total_s = [], [], []
    with tempfile.TemporaryDirectory() as temp:
        project, out = Path(temp), Path(temp) / "models"
        (project / "domain").mkdir()
        for path in DOMAIN_DIR.glob("*.yml"):
            if path.name != "responses.yml":
                (project / "domain" / path.name).write_text(path.read_text(encoding="utf-8"))
        model, _ = _train(project, out, "ការសាកល្បង base")  # warms Rasa's cache
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--enable-api", "--model", str(model),
             "--port", str(port), "--interface", "127.0.0.1"],
            cwd=project, env=rasa_environment(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{url}/status", "rasa", timeout=180)
            for round_number in range(rounds):
                marker = f"ការសាកល្បង r{round_number}"
                started = time.monotonic()
                model, trained = _train(project, out, marker)
                loading = time.monotonic()
                requests.put(f"{url}/model", json={"model_file": str(model)},
                             timeout=300).raise_for_status()
                reload_s.append(time.monotonic() - loading)
                requests.post(f"{url}/conversations/b{round_number}/tracker/events", timeout=30,
                             json=[{"event": "slot", "name": "language", "value": "km"}])
                assert marker in _rasa_text(url, f"b{round_number}")
                train_s.append(trained)
                total_s.append(time.monotonic() - started)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"rasa train (cache warm)": train_s, "PUT /model (reload)": reload_s,
            "change → answer with the new text": total_s}


def _summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(statistics.median(values), 1),
            "max": round(max(values), 1)}


def run(rounds: int = 10, retrain: int = 2) -> dict[str, dict[str, dict[str, float]]]:
    """Both ways of changing an answer, summarised."""
    live = {name: _summary(values) for name, values in publish_rounds(rounds).items()}
    rasa = {name: _summary(values) for name, values in retrain_rounds(retrain).items()}
    return {"publish (ms)": live, "retrain and reload (s)": rasa}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10), indent=1,
                     ensure_ascii=False))
    sys.exit(0)
