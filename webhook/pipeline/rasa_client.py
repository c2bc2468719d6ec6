"""Talk to Rasa's REST channel, retrying while it is down or slow.

Every call carries RASA_TOKEN as the `token` query parameter: Rasa's HTTP API (`--auth-token`)
takes it only there, and our REST channel (bot/channels.py) checks the same.

Errors from `requests` become RasaUnavailable at this boundary; the worker decides how long to
keep trying and when to tell the user that the answer is delayed.
"""

from __future__ import annotations

from typing import Any

import requests


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, starting, overloaded or returning errors)."""


def auth(token: str) -> dict[str, str]:
    """The query parameters that authenticate a call to Rasa (pass as `params=`)."""
    return {"token": token}


class RasaClient:
    """One Rasa server's REST channel."""

    def __init__(self, url: str, token: str, timeout: float = 10.0,
                 session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.params = auth(token)

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's messages for one user message."""
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
