"""`python -m webhook.routing USERNAME [TEAM ...]`: put a moderator in teams (none: show them).

Teams and rules: webhook/routing/teams.yml. Uses REDIS_URL (make run's Redis via .data/redis-url).
"""

from __future__ import annotations

import sys

import redis

from webhook.cli_redis import run
from webhook.routing.teams import names, set_teams, teams_of


def main(argv: list[str] | None = None) -> int:
    """Set or show a moderator's teams."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__ + "\nteams: " + ", ".join(f"{k} ({v})" for k, v in names().items()))
        return 2

    def command(client: redis.Redis) -> str:
        if len(args) > 1:
            set_teams(client, args[0], args[1:])
        return f"{args[0]}: {', '.join(teams_of(client, args[0])) or 'no team'}"

    return run(command, (ValueError,))


if __name__ == "__main__":
    sys.exit(main())
