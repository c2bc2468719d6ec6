"""A real Prometheus server scrapes the running stack; a short conversation moves the counters."""

import shutil
import subprocess
import time
from urllib.parse import urlparse

import pytest
import requests

from tests.integration.messenger_client import Messenger
from webhook.embedded_redis import free_port
from webhook.simulator import payloads

pytestmark = pytest.mark.skipif(not shutil.which("prometheus"),
                                reason="needs Debian's prometheus (make test installs it)")


@pytest.fixture(scope="module")
def prometheus(stack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    target = urlparse(stack.web_url).netloc
    (folder / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: helpline-web\n    static_configs: [{{targets: ['{target}']}}]\n")
    process = subprocess.Popen(
        ["prometheus", f"--config.file={folder / 'prometheus.yml'}",
         f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait(lambda: requests.get(f"{url}/-/ready", timeout=2).ok, "Prometheus ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait(check, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout} s")


def query(prometheus, expr) -> float:
    result = requests.get(f"{prometheus}/api/v1/query", params={"query": expr},
                          timeout=5).json()["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def test_prometheus_sees_a_conversation_in_the_counters(stack, prometheus):
    fb = Messenger(stack)
    wait(lambda: query(prometheus, 'up{job="helpline-web"}') == 1, "first scrape")
    counters = {
        "accepted": 'sum(helpline_webhook_deliveries_total{result="accepted"})',
        "turns": 'sum(helpline_worker_turns_total{outcome="done"})',
        "rasa": 'sum(helpline_rasa_requests_total{result="ok"})',
        "sent": 'sum(helpline_send_api_calls_total{result="ok"})',
        "ack": "sum(helpline_webhook_ack_seconds_count)",
    }
    before = {name: query(prometheus, expr) for name, expr in counters.items()}
    user = fb.new_user()
    for n, text in enumerate(["hello", "how do I make a strong password?"]):
        assert fb.deliver(payloads.text(user, text, mid=f"{user}-{n}")).status_code == 200
        fb.wait_for(user, 1 if n == 0 else 2, timeout=60)
    wait(lambda: all(query(prometheus, expr) > before[name] for name, expr in counters.items()),
         "every counter moved")
    assert query(prometheus, "max(helpline_workers_alive)") >= 1
    assert query(prometheus, "max(helpline_redis_up)") == 1
    every = {"match[]": '{__name__=~"helpline_.+"}'}
    series = requests.get(f"{prometheus}/api/v1/series", params=every,
                          timeout=5).json()["data"]
    assert not [labels for labels in series if user in str(labels)]
