"""Run the security review's probes against a running stack and report each as closed or open.

    python -m tests.security.probe http://127.0.0.1:8000 [--rasa URL] [--redis URL]

Every module `probes_<area>.py` in this package exports `PROBES`, a list of `Probe`. A probe
gets the `Target` and returns a `Result`; it must only talk to the addresses it was given
(loopback in tests), bound its requests, and never print secrets. The exit code is 0 when every
probe that could run is closed, 1 when one is open, 2 when none could run.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import tests.security as package


@dataclass
class Target:
    """Where the stack under test listens (what a probe may touch)."""

    web_url: str
    rasa_url: str = ""
    redis_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """A probe's finding: closed (the attack failed), open, or skipped (could not be tried)."""

    status: str  # "closed" | "open" | "skipped"
    detail: str = ""


@dataclass
class Probe:
    """One check of one finding of the review (issue 10), numbered as there."""

    finding: int
    name: str
    run: Callable[[Target], Result]


def all_probes() -> list[Probe]:
    """Every probe of every `probes_*` module, in finding order."""
    probes: list[Probe] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("probes_"):
            probes += importlib.import_module(f"{package.__name__}.{module.name}").PROBES
    return sorted(probes, key=lambda probe: (probe.finding, probe.name))


def run_all(target: Target) -> list[tuple[Probe, Result]]:
    """Run every probe; a probe that raises counts as open (with the error's type only)."""
    results = []
    for probe in all_probes():
        try:
            result = probe.run(target)
        except Exception as exc:  # noqa: BLE001 - a crashing probe must not hide the others
            result = Result("open", f"probe raised {type(exc).__name__}")
        results.append((probe, result))
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line: print one line per probe and a summary; exit 1 if any is open."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the web app, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rasa", default="", help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--redis", default="", help="a redis:// URL, for probes that need it")
    args = parser.parse_args(argv)
    results = run_all(Target(args.url.rstrip("/"), args.rasa.rstrip("/"), args.redis))
    for probe, result in results:
        print(f"{result.status.upper():7} finding {probe.finding:>2} {probe.name}: {result.detail}")
    counts = {s: sum(r.status == s for _, r in results) for s in ("closed", "open", "skipped")}
    print(f"{counts['closed']} closed, {counts['open']} open, {counts['skipped']} skipped")
    if counts["open"]:
        return 1
    return 0 if counts["closed"] else 2


if __name__ == "__main__":
    sys.exit(main())
