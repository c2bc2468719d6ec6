"""`make run`: the whole stack on this machine with nothing configured.

Starts an embedded Redis (unless REDIS_URL is set), the Graph API stand-in (unless
GRAPH_API_URL is set), the web app (gunicorn), the Rasa server and the workers, waits until
each answers, and stops them all on Ctrl-C. The tests start the same stack.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from bot.train import rasa_environment
from webhook import config
from webhook.config import ROOT
from webhook.embedded_redis import EmbeddedRedis, free_port
from webhook.pipeline.rasa_client import auth

RETENTION_DAYS_DEFAULT = 30


def rasa_store_environment(redis_url: str, nlg_url: str) -> dict[str, str]:
    """The variables bot/endpoints.yml reads, derived from one REDIS_URL (a user and password
    in it, as with Redis ACL users, go to REDIS_USERNAME and REDIS_PASSWORD)."""
    parsed = urlparse(redis_url)
    days = int(os.environ.get("RETENTION_DAYS", RETENTION_DAYS_DEFAULT))
    return {
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_USERNAME": unquote(parsed.username or ""),
        "REDIS_PASSWORD": unquote(parsed.password or ""),
        "REDIS_DB": (parsed.path or "/0").strip("/") or "0",
        "TRACKER_EXPIRY_SECONDS": str(days * 86400),
        "NLG_URL": nlg_url,
    }


@dataclass
class Stack:
    """The running services and their addresses."""

    model: Path
    web_port: int = field(default_factory=free_port)
    events_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    redis_url: str = ""
    graph_url: str = ""
    workers: int = 2
    rasa_replicas: int = 1
    secrets: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="helpline-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_dir: Path | None = None  # set by start(); restarted services log there too
    _redis: EmbeddedRedis | None = None
    _replica_ports: list[int] = field(default_factory=list)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def events_url(self) -> str:
        """The console's event streams (webhook.console.events_server)."""
        return f"http://127.0.0.1:{self.events_port}/console/events"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_auth(self) -> dict[str, str]:
        """The query parameters every call to Rasa needs (`params=stack.rasa_auth`)."""
        return auth(self.secrets["RASA_TOKEN"])

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa replica's address; the first is `rasa_url`. A replica's port is kept when
        the count goes down (it can come back on it), but only `rasa_replicas` are listed."""
        while len(self._replica_ports) < self.rasa_replicas - 1:
            self._replica_ports.append(free_port())
        kept = self._replica_ports[:self.rasa_replicas - 1]
        return [self.rasa_url] + [f"http://127.0.0.1:{port}" for port in kept]

    @staticmethod
    def rasa_name(index: int) -> str:
        """The process name of a Rasa replica: rasa, rasa-2, rasa-3..."""
        return "rasa" if index == 0 else f"rasa-{index + 1}"

    def start(self, log_dir: Path | None = None) -> Stack:
        """Start Redis and the Graph stand-in, the web app, Rasa (which calls the web app for
        answers), then the workers."""
        self.log_dir = log_dir
        self.start_web(log_dir)
        self.start_rasa(log_dir)
        for index in range(self.workers):
            self.start_worker(f"worker-{index + 1}", log_dir)
        return self

    def start_web(self, log_dir: Path | None = None) -> None:
        """Start Redis, the Graph stand-in, the web app and the console's events server."""
        self._start_redis()
        shutil.rmtree(self._metrics_dir(), ignore_errors=True)
        self._metrics_dir().mkdir(parents=True)
        self.secrets = self.secrets or _secrets()
        if not self.graph_url:
            port = self._unused_port()
            self._spawn("graph", [sys.executable, "-m", "webhook.simulator.graph_standin",
                                  "--port", str(port)], log_dir)
            self.graph_url = f"http://127.0.0.1:{port}"
            wait_for(f"{self.graph_url}/_standin/requests", "Graph API stand-in")
        self._spawn("web", self._web_command(), log_dir)
        self._spawn("events", [sys.executable, "-m", "webhook.console.events_server",
                               "--port", str(self.events_port)], log_dir)
        wait_for(f"{self.web_url}/nlg", "web app", expect_any_status=True)
        wait_for(self.events_url, "console events server", expect_any_status=True)

    def start_rasa(self, log_dir: Path | None = None) -> None:
        """Start every Rasa replica and wait until each has its model loaded."""
        for index in range(len(self.rasa_urls)):
            self.start_rasa_replica(index, log_dir, wait=False)
        for url in self.rasa_urls:
            _wait_for_model(url, self.rasa_auth)

    def start_rasa_replica(self, index: int, log_dir: Path | None = None,
                           wait: bool = True) -> None:
        """Start (or start again) one Rasa replica on its port."""
        url = self.rasa_urls[index]
        self._spawn(self.rasa_name(index), self._rasa_command(urlparse(url).port), log_dir)
        if wait:
            _wait_for_model(url, self.rasa_auth)

    def stop_service(self, name: str, kill: bool = False) -> None:
        """Stop one process (SIGKILL with kill=True, as a crash would)."""
        process = self.processes.pop(name)
        if kill:
            process.kill()
        else:
            process.terminate()
        process.wait(timeout=30)

    def start_worker(self, name: str, log_dir: Path | None = None) -> subprocess.Popen[bytes]:
        """Start one more worker process (tests use this to kill and replace workers)."""
        self._spawn(name, [sys.executable, "-m", "webhook.worker", "--name", name], log_dir)
        return self.processes[name]

    @property
    def owns_redis(self) -> bool:
        """True when this stack started the Redis server (and so can restart it)."""
        return self._redis is not None

    def restart_redis(self, down_seconds: float = 0.0, kill: bool = False) -> None:
        """Stop the embedded Redis (SIGKILL with kill=True, as a crash) and, after
        `down_seconds`, start it again on the same port and append-only file."""
        if self._redis is None:
            raise RuntimeError("only an embedded Redis can be restarted (REDIS_URL is set)")
        self._redis.stop(kill=kill)
        time.sleep(down_seconds)
        self._redis.start()

    def _start_redis(self) -> None:
        if not self.redis_url:
            self._redis = EmbeddedRedis(self.data_dir / "redis").start()
            self.redis_url = self._redis.url
            say(f"embedded Redis on {self.redis_url}")
            (self.data_dir / "redis-url").write_text(self.redis_url)  # for `make account`

    def stop(self) -> None:
        """Stop every process, newest first."""
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                say(f"stopped {name}")
        self.processes.clear()
        if self._redis:
            self._redis.stop()
            say("stopped Redis")

    def environment(self) -> dict[str, str]:
        """What every child process gets: our configuration on top of the caller's."""
        env = rasa_environment()
        env.update(rasa_store_environment(self.redis_url, f"{self.web_url}/nlg"))
        if self.rasa_replicas > 1:
            env["RASA_URLS"] = ",".join(self.rasa_urls)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self._metrics_dir())
        env["EVIDENCE_DIR"] = str(self.evidence_dir)
        env.update({"REDIS_URL": self.redis_url, "RASA_URL": self.rasa_url,
                    "WEB_PORT": str(self.web_port), "GRAPH_API_URL": self.graph_url,
                    "PUBLIC_WEB_URL": self.web_url, "CONSOLE_EVENTS_URL": self.events_url,
                    **self.secrets, **self.extra_env})
        return env

    @property
    def evidence_dir(self) -> Path:
        """Where the web app and the workers keep evidence files (EVIDENCE_DIR wins)."""
        return Path(os.environ.get("EVIDENCE_DIR") or self.data_dir / "evidence")

    def restart_workers(self, log_dir: Path | None = None) -> None:
        """Stop every worker and start it again (to pick up a changed `extra_env`)."""
        for name in [name for name in self.processes if name.startswith("worker")]:
            self.stop_service(name)
            self.start_worker(name, log_dir)

    def _unused_port(self) -> int:
        """A free port none of this stack's services was given: a port chosen earlier is
        free again until its service binds it, so the OS may hand it out twice."""
        taken = {self.web_port, self.events_port, self.rasa_port, *self._replica_ports}
        port = free_port()
        while port in taken:
            port = free_port()
        return port

    def _metrics_dir(self) -> Path:
        """Where this host's processes write their Prometheus metrics (emptied at start)."""
        return self.data_dir / "metrics"

    def _web_command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "16",
                "--config", "python:webhook.gunicorn_conf",
                "--graceful-timeout", "3",
                "--bind", f"127.0.0.1:{self.web_port}", "--access-logfile", "-",
                "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms', "webhook:create_app()"]

    def _rasa_command(self, port: int | None = None) -> list[str]:
        bot = ROOT / "bot"
        return [sys.executable, "-m", "bot.serve", "run", "--enable-api",  # rasa run, redacted logs
                "--model", str(self.model), "--port", str(port or self.rasa_port),
                "--interface", "127.0.0.1",
                "--endpoints", str(bot / "endpoints.yml"),
                "--credentials", str(bot / "credentials.yml")]

    def _spawn(self, name: str, command: list[str], log_dir: Path | None) -> None:
        log_dir = log_dir or self.log_dir
        output = None
        if log_dir:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        say(f"starting {name}")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.environment(), stdout=output, stderr=output
        )

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _secrets() -> dict[str, str]:
    """The Facebook secrets from the environment, or the generated development ones."""
    settings = config.from_environment()
    generated = config.ensure_secrets(settings)
    if generated:
        say(f"development mode: local secrets for {', '.join(generated)} "
            f"(generated once, kept in {config.DEV_SECRETS.relative_to(ROOT)})")
    return {name: settings[name] for name in config.SECRET_NAMES}


def wait_for(url: str, what: str, timeout: float = 60, expect_any_status: bool = False,
             ready=lambda response: response.ok,  # noqa: ANN001
             params: dict[str, str] | None = None) -> None:
    """Poll `url` until it answers (and `ready` holds), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=2, params=params)
            if expect_any_status or ready(response):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not become ready at {url} within {timeout:.0f} s")


def _wait_for_model(url: str, params: dict[str, str]) -> None:
    wait_for(f"{url}/status", "Rasa (loading the model takes about a minute)",
             timeout=300, ready=lambda r: bool(r.json().get("model_file")), params=params)


def say(message: str) -> None:
    """Progress for the person who ran `make run`."""
    print(f"[make run] {message}", flush=True)


def main() -> int:
    """Run until Ctrl-C."""
    from bot.train import model_path
    from webhook import config

    settings = config.from_environment()
    graph_url = os.environ.get("GRAPH_API_URL", "")  # set: real Graph API, no stand-in
    stack = Stack(model=model_path(), web_port=settings["WEB_PORT"], rasa_port=5005,
                  events_port=int(os.environ.get("EVENTS_PORT", settings["WEB_PORT"] + 1)),
                  redis_url=settings["REDIS_URL"], data_dir=ROOT / ".data",
                  graph_url=graph_url,
                  workers=int(os.environ.get("WORKERS", "2")),
                  rasa_replicas=int(os.environ.get("RASA_REPLICAS", "1") or 1))
    # Ctrl-C even when started from a script that ignores SIGINT; SIGTERM from service managers
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.start()
        say(f"ready: web {stack.web_url} (health: {stack.web_url}/healthz), "
            f"Rasa {', '.join(stack.rasa_urls)}")
        say(f"Messenger simulator: {stack.web_url}/simulator/  (Graph API: {stack.graph_url})")
        say(f"console: {stack.web_url}/console/  (moderators: the queue; editors: answers and "
            "settings; create an account: make account NAME=you ROLE=admin)")
        say("or chat in the terminal with `make chat`; Ctrl-C stops everything")
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        say("a service stopped unexpectedly; stopping the rest")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
