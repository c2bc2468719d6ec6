"""The console's event-stream server: the web app under gunicorn's gevent worker, for
/console/events only (issue 10, finding 11; see webhook.console.events).

An open stream there costs a greenlet, not one of the 32 threads that answer /webhook and
/nlg, so any number of console tabs leaves Facebook's deliveries alone. `make run`, the tests
(webhook.devstack) and compose (`events` service) start it; the web app's pages point their
EventSource at it through CONSOLE_EVENTS_URL, and in production the reverse proxy routes
/console/events to it.

    python -m webhook.console.events_server --port 8001 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import os
import sys

MAX_STREAMS = 1000  # per process: each is a greenlet and a Redis pub/sub connection


def command(host: str, port: int) -> list[str]:
    """The gunicorn command line of the events server."""
    return [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
            "--worker-connections", str(MAX_STREAMS + 50), "--graceful-timeout", "3",
            "--bind", f"{host}:{port}", "--access-logfile", "-",
            "--access-logformat", "%(m)s %(U)s %(s)s %(M)sms", "webhook:create_app()"]


def environment(base: dict[str, str]) -> dict[str, str]:
    """What the events server needs on top of the web app's settings."""
    return {**base, "CONSOLE_MAX_STREAMS": str(MAX_STREAMS)}


def main(argv: list[str] | None = None) -> None:
    """Replace this process with gunicorn serving the event streams."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("EVENTS_PORT", "8001")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    line = command(args.host, args.port)
    os.execve(line[0], line, environment(dict(os.environ)))


if __name__ == "__main__":
    main()
