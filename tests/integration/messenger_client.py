"""A Facebook stand-in for tests: posts signed webhook events and reads what the Graph API got."""

from __future__ import annotations

import time
import uuid

import requests

from webhook.simulator import payloads


class Messenger:
    """Signed webhook deliveries to the stack, and the Send API calls it made."""

    def __init__(self, stack) -> None:  # noqa: ANN001
        self.stack = stack
        self.secret = stack.secrets["FB_APP_SECRET"]

    @staticmethod
    def new_user() -> str:
        return f"psid-{uuid.uuid4().hex[:12]}"

    def deliver(self, *events, standby=None, entries: int = 1) -> requests.Response:
        raw, headers = payloads.encode(payloads.body(*events, standby=standby, entries=entries),
                                       self.secret)
        return requests.post(f"{self.stack.web_url}/webhook", data=raw, headers=headers,
                             timeout=10)

    def graph_requests(self, recipient: str | None = None) -> list[dict]:
        params = {"since": 0}
        if recipient:
            params["recipient"] = recipient
        response = requests.get(f"{self.stack.graph_url}/_standin/requests", params=params,
                                timeout=10)
        response.raise_for_status()
        return response.json()["requests"]

    def sent_messages(self, recipient: str) -> list[dict]:
        """The `message` bodies sent to `recipient`, in order (sender actions left out)."""
        return [r["json"] for r in self.graph_requests(recipient)
                if r["path"].endswith("/me/messages") and "message" in (r.get("json") or {})
                and r["status"] == 200]

    def texts(self, recipient: str) -> list[str]:
        out = []
        for body in self.sent_messages(recipient):
            message = body["message"]
            out.append(message.get("text")
                       or message.get("attachment", {}).get("payload", {}).get("text", ""))
        return out

    def wait_for(self, recipient: str, count: int, timeout: float = 30,
                 interval: float = 0.1) -> list[dict]:
        """Wait until `count` messages were sent to `recipient` (looking every `interval`
        seconds); return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.sent_messages(recipient)
            if len(sent) >= count:
                return sent
            time.sleep(interval)
        raise AssertionError(f"{recipient}: {len(self.sent_messages(recipient))} of {count} "
                             f"messages after {timeout} s")

    def fault(self, code: int, http_status: int = 400, times: int = 1,
              recipient: str | None = None) -> None:
        requests.post(f"{self.stack.graph_url}/_standin/faults", json={
            "code": code, "http_status": http_status, "times": times, "recipient": recipient},
            timeout=10).raise_for_status()

