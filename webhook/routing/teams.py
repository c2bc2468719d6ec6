"""Teams, their members and the rules that route a case to one (webhook/routing/teams.yml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import redis
import yaml

from webhook import keys
from webhook.redis_text import as_text

RULES_FILE = Path(__file__).with_name("teams.yml")


@cache
def config() -> dict[str, Any]:
    """The teams and rules, read once."""
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def names(language: str = "en") -> dict[str, str]:
    """Team id -> its name in `language` (English where that language has none)."""
    return {team: str(name.get(language) or name["en"]) if isinstance(name, dict) else str(name)
            for team, name in config()["teams"].items()}


def team_for(reason: str, language: str, topic: str = "") -> str:
    """The team of a case: the first rule whose every field matches, else the default."""
    case = {"reasons": reason, "languages": language, "topics": topic}
    for rule in config()["rules"]:
        fields = [name for name in case if name in rule]
        if fields and all(case[name] in rule[name] for name in fields):
            return rule["team"]
    return config()["default"]


def teams_of(client: redis.Redis, username: str) -> list[str]:
    """The teams a moderator is in."""
    return sorted(as_text(t) for t in client.smembers(keys.moderator_teams(username)))


def set_teams(client: redis.Redis, username: str, teams: list[str]) -> None:
    """Put a moderator in these teams (and no others); unknown teams are refused."""
    unknown = set(teams) - set(names())
    if unknown:
        raise ValueError(f"unknown teams: {', '.join(sorted(unknown))}")
    pipe = client.pipeline()
    pipe.delete(keys.moderator_teams(username))
    if teams:
        pipe.sadd(keys.moderator_teams(username), *teams)
    pipe.execute()


def my_teams_first(items: list[dict[str, Any]], mine: list[str]) -> list[dict[str, Any]]:
    """The queue with the moderator's teams' cases first (each part stays oldest first)."""
    return sorted(items, key=lambda item: item.get("team") not in mine)
