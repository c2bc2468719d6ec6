"""Probes of finding 1 (issue 10): /nlg is Rasa's alone, and checks what it is sent.

Without Rasa's key every request is refused before anything is read. With the key
(`Target.extra["nlg_token"]`, which the test passes; the command line has none, so those
probes are skipped), oversized fields, bodies nested too deep to parse and made-up intents
leave nothing behind in Redis. The compose file publishes ports on loopback only.
"""

from __future__ import annotations

from pathlib import Path

import redis
import requests
import yaml

from tests.security.probe import Probe, Result, Target

TIMEOUT = 10
COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
MADE_UP_INTENT = "probe_made_up_intent"


def _body(message_id: str = "probe0001", intent: str = "greet") -> dict:
    latest = {"text": "hello", "intent": {"name": intent}, "message_id": message_id,
              "metadata": {"language": "en"}}
    return {"response": "utter_greet", "tracker": {"slots": {}, "latest_message": latest,
                                                   "events": []}}


def _post(target: Target, token: str | None, raw: str | None = None,
          **kwargs) -> requests.Response:  # noqa: ANN003
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
        kwargs["data"] = raw
    return requests.post(f"{target.web_url}/nlg", headers=headers, timeout=TIMEOUT, **kwargs)


def _refused(response: requests.Response, statuses: tuple[int, ...]) -> Result:
    if response.status_code in statuses and "Traceback" not in response.text:
        return Result("closed", f"HTTP {response.status_code}")
    return Result("open", f"HTTP {response.status_code}")


def no_token(target: Target) -> Result:
    return _refused(_post(target, None, json=_body()), (401,))


def wrong_token(target: Target) -> Result:
    return _refused(_post(target, "not-the-token", json=_body()), (401,))


def nested_without_token(target: Target) -> Result:
    deep = "[" * 50_000 + "]" * 50_000
    return _refused(_post(target, None, raw=deep), (401, 413))


def _with_token(target: Target, check) -> Result:  # noqa: ANN001
    token = target.extra.get("nlg_token")
    if not token:
        return Result("skipped", "needs Rasa's NLG token (extra nlg_token)")
    return check(target, token)


def long_message_id(target: Target) -> Result:
    def check(target: Target, token: str) -> Result:
        answer = _post(target, token, json=_body(message_id="x" * 200_000))
        return _refused(answer, (400, 413))

    return _with_token(target, check)


def nested_json(target: Target) -> Result:
    def check(target: Target, token: str) -> Result:
        deep = '{"response": "utter_greet", "tracker": ' + "[" * 20_000 + "]" * 20_000 + "}"
        return _refused(_post(target, token, raw=deep), (400,))

    return _with_token(target, check)


def made_up_intent(target: Target) -> Result:
    def check(target: Target, token: str) -> Result:
        if not target.redis_url:
            return Result("skipped", "needs the Redis URL")
        answer = _post(target, token, json=_body(message_id="probe-intent-1",
                                                 intent=MADE_UP_INTENT))
        client = redis.Redis.from_url(target.redis_url, decode_responses=True)
        counted = [key for key in client.scan_iter("hl:insights:day:*", count=1000)
                   if client.hexists(key, f"intent:{MADE_UP_INTENT}")]
        if answer.ok and not counted:
            return Result("closed", "answered, intent counted as other")
        return Result("open", f"HTTP {answer.status_code}, counters: {len(counted)}")

    return _with_token(target, check)


def compose_loopback(target: Target) -> Result:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    published = [str(port) for service in services.values() for port in service.get("ports", [])]
    public = [port for port in published if not port.startswith("127.0.0.1:")]
    if public:
        return Result("open", f"published on every interface: {', '.join(public)}")
    return Result("closed", f"{len(published)} port(s), all on 127.0.0.1")


PROBES = [
    Probe(1, "nlg refuses a request without Rasa's token", no_token),
    Probe(1, "nlg refuses a wrong token", wrong_token),
    Probe(1, "nlg refuses deeply nested JSON without a token", nested_without_token),
    Probe(1, "nlg refuses a 200,000-character message_id", long_message_id),
    Probe(1, "nlg answers deeply nested JSON with 400, no traceback", nested_json),
    Probe(1, "nlg counts no made-up intent", made_up_intent),
    Probe(1, "compose publishes ports on 127.0.0.1 only", compose_loopback),
]
