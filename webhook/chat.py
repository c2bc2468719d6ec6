"""`make chat`: talk to the running assistant from the terminal, through Rasa and /nlg.

Type a message, or the number of a quick reply to tap it. `/quit` leaves. With `make run`'s
Redis (REDIS_URL) guided steps are walked as the worker walks them (webhook.guides).
"""

from __future__ import annotations

import os
import sys
import uuid

import redis
import requests

from bot.language import detect
from webhook import config, services
from webhook.conversations.state import Conversations
from webhook.guides.position import Positions
from webhook.guides.walker import Walker
from webhook.pipeline.rasa_client import auth


def send(rasa_url: str, token: str, sender: str, text: str) -> list[dict]:
    """Send one message to Rasa's REST channel; return the bot's messages."""
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", params=auth(token),
        json={"sender": sender, "message": text},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def walker(settings: dict) -> Walker | None:
    """The guided-steps walker on the running stack's Redis, when there is one."""
    if not settings["REDIS_URL"]:
        return None
    client = redis.Redis.from_url(settings["REDIS_URL"])
    retention = services.retention_seconds()
    return Walker(services.content(settings, client), Positions(client, retention),
                  Conversations(client, retention))


def turn(rasa: tuple[str, str], guides: Walker | None, sender: str, choice: dict | None,
         text: str, language: str) -> list[dict]:
    """The bot's answer to typed `text` or a tapped `choice`, guided steps included (`rasa`:
    the server's URL and token)."""
    payload = (choice or {}).get("payload") or ""
    event = {"psid": sender, "kind": "quick_reply" if payload else "text", "text": text,
             "payload": payload}
    guided = guides.before_rasa(event, language) if guides else None
    if guided is not None:
        return guided
    messages = send(*rasa, sender, payload or text)
    return guides.after_rasa(sender, messages, language, not payload) if guides else messages


def show(messages: list[dict]) -> list[dict]:
    """Print the bot's bubbles and numbered choices; return the choices."""
    choices: list[dict] = []
    for message in messages:
        for bubble in (message.get("text") or "").split("\n\n"):
            if bubble.strip():
                print(f"\n  bot> {bubble.replace(chr(10), chr(10) + '       ')}")
        choices += message.get("buttons") or []
        if message.get("custom"):
            print(f"  [system: {message['custom']}]")
    for number, choice in enumerate(choices, start=1):
        target = choice.get("url") or ""
        print(f"   ({number}) {choice['title']} {target}".rstrip())
    return choices


def main() -> int:
    """A read-send-print loop until /quit or end of input."""
    settings = config.from_environment()
    config.ensure_secrets(settings)  # RASA_TOKEN: the environment, or make run's dev one
    rasa_url = os.environ.get("RASA_URL") or settings["RASA_URL"]
    guides, language = walker(settings), "km"
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Type in Khmer or English; a number taps a quick reply; /quit leaves.")
    choices: list[dict] = []
    for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: input("\nyou> "), None):
        text, choice = line.strip(), None
        if text == "/quit":
            break
        if text.isdigit() and 0 < int(text) <= len(choices):
            choice = choices[int(text) - 1]
            text = choice["title"]
        else:
            language = detect(text).reply_language or language
        if text:
            try:
                choices = show(turn((rasa_url, settings["RASA_TOKEN"]), guides, sender, choice,
                                    text, language))
            except requests.RequestException as exc:
                print(f"  (no answer from Rasa at {rasa_url}: {type(exc).__name__}; "
                      "is `make run` up?)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, KeyboardInterrupt):
        sys.exit(0)
