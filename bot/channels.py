"""Rasa's REST channel, closed with the same token as Rasa's HTTP API (RASA_TOKEN).

`--auth-token` guards Rasa's HTTP API (trackers, events, models, `/status`) but not the input
channels: anyone who could reach `/webhooks/rest/webhook` could still talk as any user. This
channel is the REST channel (same name, same URL, same answers) that first checks the `token`
query parameter, the way Rasa's API takes it, in constant time. Without RASA_TOKEN set it
refuses everything.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request


def token_ok(given: str, expected: str) -> bool:
    """True when `given` is the configured token (compared in constant time); never when no
    token is configured."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class TokenRestInput(RestInput):
    """The REST channel, for callers that hold RASA_TOKEN only."""

    @classmethod
    def name(cls) -> str:
        """Keep the REST channel's name: its URL and `input_channel` stay `rest`."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The REST channel's routes behind a token check."""
        webhook = super().blueprint(on_new_message)
        expected = os.environ.get("RASA_TOKEN", "")

        @webhook.middleware("request")
        async def require_token(request: Request) -> response.HTTPResponse | None:
            if not token_ok(request.args.get("token", ""), expected):
                return response.json({"status": "failure", "reason": "NotAuthenticated"},
                                     status=401)
            return None

        return webhook
