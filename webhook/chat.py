"""`make chat`: talk to the running assistant from the terminal, through Rasa and /nlg.

Type a message, or the number of a quick reply to tap it. `/quit` leaves.
"""

from __future__ import annotations

import os
import sys
import uuid

import requests

from webhook import config
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
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Type in Khmer or English; a number taps a quick reply; /quit leaves.")
    choices: list[dict] = []
    for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: input("\nyou> "), None):
        text = line.strip()
        if text == "/quit":
            break
        if text.isdigit() and 0 < int(text) <= len(choices):
            text = choices[int(text) - 1].get("payload") or text
        if text:
            try:
                choices = show(send(rasa_url, settings["RASA_TOKEN"], sender, text))
            except requests.RequestException as exc:
                print(f"  (no answer from Rasa at {rasa_url}: {type(exc).__name__}; "
                      "is `make run` up?)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, KeyboardInterrupt):
        sys.exit(0)
