"""Publishing reaches every web process at once: two separate gunicorn servers on the stack's
Redis answer Rasa's NLG requests with the new text right after a publish, with no restart."""

import subprocess
import sys

import pytest
import redis
import requests

from bot.project import RESPONSES
from webhook.config import ROOT
from webhook.content.loader import load_folder
from webhook.content.versions import ContentVersions
from webhook.devstack import wait_for
from webhook.embedded_redis import free_port


@pytest.fixture
def two_web_processes(stack):
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                          f"127.0.0.1:{port}", "webhook:create_app()"],
                         cwd=ROOT, env=stack.environment(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/healthz", "web", expect_any_status=True)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        ContentVersions(redis.Redis.from_url(stack.redis_url)).import_content(
            load_folder(RESPONSES), "tests", "back to responses/")


def nlg(url, token, language="km"):
    tracker = {"sender_id": "x", "slots": {"language": language}, "events": [],
               "latest_message": {"text": "", "metadata": {}}}
    answer = requests.post(f"{url}/nlg", json={"response": "utter_greet", "tracker": tracker},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()["text"]


def test_a_publish_is_used_by_the_next_answer_of_every_web_process(stack, two_web_processes):
    token = stack.secrets["NLG_TOKEN"]
    before = [nlg(url, token) for url in two_web_processes]
    assert before[0] == before[1]
    versions = ContentVersions(redis.Redis.from_url(stack.redis_url))
    for round_number in range(3):
        data, _ = versions.item("utter_greet")
        data["km"]["bubbles"][0] = f"សួស្តី លើកទី {round_number}"
        versions.publish("utter_greet", data, versions.opened("utter_greet"), "test", "")
        for url in two_web_processes:
            assert nlg(url, token).startswith(f"សួស្តី លើកទី {round_number}"), url
