"""Talk to Rasa's REST channel: one server (`RasaClient`) or several replicas (`RasaPool`).

Every call carries RASA_TOKEN as the `token` query parameter: Rasa's HTTP API (`--auth-token`)
takes it only there, and our REST channel (bot/channels.py) checks the same.

Errors from `requests` become RasaUnavailable at this boundary; the worker decides how long to
keep trying and when to tell the user that the answer is delayed.

With several replicas each user's turns go to one replica, chosen from the user's inbox shard
(`keys.shard_of`), so one Rasa server writes a given tracker. A replica that has failed for
`failover_seconds` in a row is passed over for the next one in order until it answers again
(docs/decisions.md: "Several Rasa servers").
"""

from __future__ import annotations

import time
from typing import Any

import requests

from webhook import config, keys, metrics


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, starting, overloaded or returning errors)."""


def auth(token: str) -> dict[str, str]:
    """The query parameters that authenticate a call to Rasa (pass as `params=`)."""
    return {"token": token}


class RasaClient:
    """One Rasa server's REST channel."""

    def __init__(self, url: str, token: str, timeout: float = 10.0,
                 session: requests.Session | None = None, replica: int = 0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.params = auth(token)
        self.replica = str(replica)

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's messages for one user message."""
        started = time.perf_counter()
        try:
            answer = self._post(sender, text, metadata)
        except RasaUnavailable:
            metrics.RASA_REQUESTS.labels(replica=self.replica, result="error").inc()
            raise
        metrics.RASA_REQUESTS.labels(replica=self.replica, result="ok").inc()
        metrics.RASA_SECONDS.labels(replica=self.replica).observe(time.perf_counter() - started)
        return answer

    def _post(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            response = self.session.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                timeout=self.timeout,
            )
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(answer, list):
            raise RasaUnavailable("unexpected answer shape")
        return answer


class RasaPool:
    """Several Rasa replicas; a user always goes to the same one while it answers."""

    def __init__(self, urls: list[str], token: str, shards: int,
                 failover_seconds: float = 10.0, timeout: float = 10.0) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.replicas = [RasaClient(url, token, timeout, replica=i)
                         for i, url in enumerate(urls)]
        self.shards = shards
        self.failover_seconds = failover_seconds
        self._failing_since: dict[int, float] = {}

    def replica_of(self, sender: str) -> int:
        """The replica that owns this user's turns: decided by the user's inbox shard."""
        return keys.shard_of(sender, self.shards) % len(self.replicas)

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Ask the user's replica; past the failover patience, the next ones in order."""
        first = self.replica_of(sender)
        order = [(first + step) % len(self.replicas) for step in range(len(self.replicas))]
        error: RasaUnavailable | None = None
        for position, index in enumerate(order):
            if position and not self._given_up_on(order[position - 1]):
                break
            try:
                answer = self.replicas[index].send(sender, text, metadata)
            except RasaUnavailable as exc:
                self._failing_since.setdefault(index, time.monotonic())
                error = exc
                continue
            self._failing_since.pop(index, None)
            return answer
        raise error or RasaUnavailable("no replica answered")

    def _given_up_on(self, index: int) -> bool:
        since = self._failing_since.get(index)
        return bool(self.failover_seconds) and since is not None and \
            time.monotonic() - since >= self.failover_seconds


def from_settings(settings: dict[str, Any]) -> RasaClient | RasaPool:
    """One client for RASA_URL, or a pool when RASA_URLS names several servers."""
    urls = config.rasa_urls(settings)
    if len(urls) == 1:
        return RasaClient(urls[0], settings["RASA_TOKEN"])
    return RasaPool(urls, settings["RASA_TOKEN"], settings["INBOX_SHARDS"],
                    float(settings.get("RASA_FAILOVER_SECONDS", 10)))
