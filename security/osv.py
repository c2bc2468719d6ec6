"""Offline audit: pinned packages against a local copy of the PyPA advisory database (OSV).

The database is the `vulns/` folder of github.com/pypa/advisory-database: one YAML file per
advisory, in the OSV schema (https://ossf.github.io/osv-schema/). A pinned version is affected
when it is listed under `affected[].versions`, or when it falls in one of the
`affected[].ranges` of type ECOSYSTEM, evaluated as the schema says: events sorted by version,
`introduced` opens a range, `fixed` (exclusive) and `last_affected` (inclusive) close it.
Versions compare as PEP 440 versions (`packaging`), never as strings: 3.10 > 3.9.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
# Beside the clone in CI and in the worktrees; ADVISORY_DB points elsewhere.
DEFAULT_DB = ROOT.parent / "shared" / "advisory-db"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")  # name==version
_DATED = re.compile(r"dated\s+(\d{4}-\d{2}-\d{2})")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Finding:
    """One advisory that applies to one pinned package."""

    package: str
    version: str
    id: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    summary: str

    @property
    def ids(self) -> set[str]:
        """The advisory's own id and its aliases (CVE-…, GHSA-…): any of them may be excepted."""
        return {self.id, *self.aliases}


def normalise(name: str) -> str:
    """A package name as PyPI compares them (PEP 503): `Sanic_Cors` == `sanic-cors`."""
    return canonicalize_name(name)


def read_pins(path: Path) -> dict[str, str]:
    """Normalised name -> version of every `name==version` line (hash lines are skipped)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def _version(text: str) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _event_key(event: dict[str, Any]) -> Version:
    (value,) = event.values()
    return _version(value) or Version("0")


def in_range(version: Version, events: list[dict[str, Any]]) -> bool:
    """Whether `version` is affected by one ECOSYSTEM range (OSV's evaluation algorithm)."""
    affected = False
    for event in sorted(events, key=_event_key):
        kind, value = next(iter(event.items()))
        bound = _version(value)
        if bound is None:
            continue  # `limit` of a GIT-like event or a non-PEP 440 string: no version meaning
        if kind == "introduced" and version >= bound:
            affected = True
        elif (kind == "fixed" and version >= bound) or (
                kind == "last_affected" and version > bound):
            affected = False
    return affected


def affects(entry: dict[str, Any], version: str) -> bool:
    """Whether one `affected[]` entry of an advisory covers `version` of its package."""
    parsed = _version(version)
    if any(parsed is not None and _version(v) == parsed or str(v) == version
           for v in entry.get("versions") or []):
        return True
    return parsed is not None and any(
        in_range(parsed, spec.get("events") or [])
        for spec in entry.get("ranges") or [] if spec.get("type") == "ECOSYSTEM")


def _fixes(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(event["fixed"]) for spec in entry.get("ranges") or []
                 if spec.get("type") == "ECOSYSTEM"
                 for event in spec.get("events") or [] if "fixed" in event)


def findings(advisory: dict[str, Any], pins: dict[str, str]) -> Iterator[Finding]:
    """The findings of one parsed advisory for the pinned packages (none if withdrawn)."""
    if advisory.get("withdrawn"):
        return
    for entry in advisory.get("affected") or []:
        package = entry.get("package") or {}
        name = normalise(str(package.get("name", "")))
        if package.get("ecosystem") != "PyPI" or name not in pins:
            continue
        if affects(entry, pins[name]):
            summary = str(advisory.get("summary") or advisory.get("details") or "")
            yield Finding(name, pins[name], str(advisory["id"]),
                          tuple(str(a) for a in advisory.get("aliases") or []),
                          _fixes(entry), " ".join(summary.split())[:160])


def _advisory_files(vulns: Path, names: Iterable[str]) -> Iterator[Path]:
    wanted = set(names)
    for folder in sorted(vulns.iterdir()):
        if folder.is_dir() and normalise(folder.name) in wanted:
            yield from sorted(folder.glob("*.yaml"))


def audit(db: Path, pins: dict[str, str]) -> list[Finding]:
    """Every finding for the pinned packages in the database at `db` (its `vulns/` folder)."""
    vulns = db / "vulns"
    if not vulns.is_dir():
        raise FileNotFoundError(f"no advisory database at {db} (expected {vulns}/)")
    found = []
    for path in _advisory_files(vulns, pins):
        advisory = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
        found.extend(findings(advisory or {}, pins))
    return found


def snapshot_date(db: Path) -> str:
    """The snapshot's date as its README states it ("dated YYYY-MM-DD"), or 'unknown'."""
    readme = db / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    match = _DATED.search(" ".join(text.split()))
    return match.group(1) if match else "unknown"


def database() -> Path:
    """Where the snapshot is: $ADVISORY_DB, else ../shared/advisory-db beside the project."""
    return Path(os.environ.get("ADVISORY_DB") or DEFAULT_DB)
