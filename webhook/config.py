"""Settings from the environment (and `.env`), with the defaults `make run` uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent


def from_environment() -> dict[str, Any]:
    """The app's configuration: `.env` first loaded, the real environment wins."""
    load_dotenv(ROOT / ".env", override=False)
    return {
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RASA_URL": os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
        "WEB_PORT": int(os.environ.get("WEB_PORT", "8000")),
        "RESPONSES_DIR": Path(os.environ.get("RESPONSES_DIR", ROOT / "responses")),
    }
