"""`python -m bot.ready`: exit 0 when the local Rasa server has its model loaded (a probe).

Reads RASA_PORT (5005) and, when Rasa runs with an auth token, RASA_TOKEN.
"""

from __future__ import annotations

import os
import sys

import requests


def model_loaded(url: str, token: str = "", timeout: float = 3.0) -> bool:
    """True when `url`/status names a model file."""
    try:
        status = requests.get(f"{url}/status", params={"token": token} if token else None,
                              timeout=timeout)
        return status.ok and bool(status.json().get("model_file"))
    except (requests.RequestException, ValueError):
        return False


if __name__ == "__main__":
    port = os.environ.get("RASA_PORT", "5005")
    sys.exit(0 if model_loaded(f"http://127.0.0.1:{port}", os.environ.get("RASA_TOKEN", "")) else 1)
