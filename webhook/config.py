"""Settings from the environment (and `.env`), with the defaults `make run` uses.

APP_ENV is `production` or `development`; unset means production, and any other value (such
as "prod" or "Production") is refused at start. In production every secret (the Facebook ones,
RASA_TOKEN, and NLG_TOKEN: Rasa's key to /nlg) must be set, or the app refuses to start. In
development (`make run` and the tests set APP_ENV=development explicitly), missing secrets are
generated once, kept in `.data/dev-secrets.json`, and the app says so: nothing real can be
reached with them.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRETS = ROOT / ".data" / "dev-secrets.json"
# NLG_TOKEN: what Rasa sends to /nlg (endpoints.yml `nlg: token`); RASA_TOKEN: what we send
# to Rasa's HTTP API; the stack hands both to Rasa
SECRET_NAMES = ("FB_PAGE_ACCESS_TOKEN", "FB_APP_SECRET", "FB_VERIFY_TOKEN", "NLG_TOKEN",
                "RASA_TOKEN")
PRODUCTION, DEVELOPMENT = "production", "development"
APP_ENVS = (PRODUCTION, DEVELOPMENT)
DEFAULT_GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_API_VERSION = "v21.0"


class ConfigError(RuntimeError):
    """The configuration cannot work (raised at start-up, with what to set)."""


def from_environment() -> dict[str, Any]:
    """The app's configuration: `.env` loaded first, the real environment wins."""
    load_dotenv(ROOT / ".env", override=False)
    env = os.environ
    config: dict[str, Any] = {
        "APP_ENV": env.get("APP_ENV", PRODUCTION),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "RASA_URL": env.get("RASA_URL", "http://127.0.0.1:5005"),
        "RASA_URLS": env.get("RASA_URLS", ""),
        "RASA_FAILOVER_SECONDS": float(env.get("RASA_FAILOVER_SECONDS", "10")),
        "WEB_PORT": int(env.get("WEB_PORT", "8000")),
        "RESPONSES_DIR": Path(env.get("RESPONSES_DIR", ROOT / "responses")),
        "GRAPH_API_URL": env.get("GRAPH_API_URL", DEFAULT_GRAPH_API_URL).rstrip("/"),
        "GRAPH_API_VERSION": env.get("GRAPH_API_VERSION", DEFAULT_GRAPH_API_VERSION),
        "FB_PAGE_ID": env.get("FB_PAGE_ID", ""),
        "MAX_WEBHOOK_BYTES": int(env.get("MAX_WEBHOOK_BYTES", str(256 * 1024))),
        # Rasa's compact NLG request is a few KiB (bot/nlg_client.py); its own limit
        "NLG_MAX_BYTES": int(env.get("NLG_MAX_BYTES", str(64 * 1024))),
        "INBOX_SHARDS": int(env.get("INBOX_SHARDS", "8")),
        "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES", ""),  # addresses/networks: proxies.py
        "CONSOLE_IDLE_MINUTES": int(env.get("CONSOLE_IDLE_MINUTES", "60")),
        "CONSOLE_EVENTS_URL": env.get("CONSOLE_EVENTS_URL", ""),
        "CONSOLE_MAX_STREAMS": int(env.get("CONSOLE_MAX_STREAMS", "4")),
        "CONSOLE_STREAM_MAX_SECONDS": int(env.get("CONSOLE_STREAM_MAX_SECONDS", "600")),
        "INTERNAL_PORT": int(env.get("INTERNAL_PORT", "0") or 0),
    }
    config["PUBLIC_WEB_URL"] = env.get("PUBLIC_WEB_URL", f"http://127.0.0.1:{config['WEB_PORT']}")
    config.update({name: env.get(name, "") for name in SECRET_NAMES})
    return config


def rasa_urls(config: dict[str, Any]) -> list[str]:
    """The Rasa servers: RASA_URLS (comma-separated replicas), else RASA_URL."""
    urls = [url.strip() for url in str(config.get("RASA_URLS") or "").split(",") if url.strip()]
    return urls or [config["RASA_URL"]]


def app_env(config: dict[str, Any]) -> str:
    """APP_ENV, checked: unset is production; anything but the two known values is refused."""
    value = config.get("APP_ENV")
    if value is None or value == "":
        return PRODUCTION
    if value not in APP_ENVS:
        raise ConfigError(f"APP_ENV={value!r} is not known: set APP_ENV=production or "
                          "APP_ENV=development (lower case, exactly)")
    return value


def is_production(config: dict[str, Any]) -> bool:
    """True unless APP_ENV says development (unset counts as production)."""
    return app_env(config) == PRODUCTION


def is_development(config: dict[str, Any]) -> bool:
    """True only when APP_ENV=development was set: the simulator and the movable clock need
    it (decisions 33)."""
    return app_env(config) == DEVELOPMENT


def ensure_secrets(config: dict[str, Any]) -> list[str]:
    """Fill missing Facebook secrets in development; refuse in production.

    Returns the names that were generated (so the caller can say so).
    """
    missing = [name for name in SECRET_NAMES if not config.get(name)]
    if not missing:
        return []
    if is_production(config):
        raise ConfigError(f"APP_ENV=production (or unset) but not set: {', '.join(missing)}"
                          " (on a development machine set APP_ENV=development)")
    stored = _dev_secrets()
    for name in missing:
        config[name] = stored[name]
    return missing


def _dev_secrets() -> dict[str, str]:
    """The stored development secrets; those missing (a secret added later) are generated
    and added, the others kept."""
    stored = json.loads(DEV_SECRETS.read_text()) if DEV_SECRETS.exists() else {}
    if all(stored.get(name) for name in SECRET_NAMES):
        return stored
    for name in SECRET_NAMES:
        stored[name] = stored.get(name) or f"dev-{secrets.token_hex(16)}"
    DEV_SECRETS.parent.mkdir(parents=True, exist_ok=True)
    DEV_SECRETS.write_text(json.dumps(stored))
    DEV_SECRETS.chmod(0o600)
    return stored


MIN_SECRET_KEY_LENGTH = 32


def ensure_secret_key(config: dict[str, Any]) -> bool:
    """Set `SECRET_KEY`, which signs the console's session cookies; refuse in production.

    The key comes from the config (tests), else the environment (or `.env`). In production a
    missing or short key raises ConfigError. In development one is generated once and kept in
    `.data/dev-secrets.json` beside the Facebook ones. Returns True when the development key
    was used, so the caller can say so.
    """
    key = config.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    if key:
        if is_production(config) and len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters")
        config["SECRET_KEY"] = key
        return False
    if is_production(config):
        raise ConfigError("APP_ENV=production but not set: SECRET_KEY (signs console sessions;"
                          " e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    stored = json.loads(DEV_SECRETS.read_text()) if DEV_SECRETS.exists() else {}
    if not stored.get("SECRET_KEY"):
        stored["SECRET_KEY"] = secrets.token_urlsafe(48)
        DEV_SECRETS.parent.mkdir(parents=True, exist_ok=True)
        DEV_SECRETS.write_text(json.dumps(stored))
        DEV_SECRETS.chmod(0o600)
    config["SECRET_KEY"] = stored["SECRET_KEY"]
    return True
