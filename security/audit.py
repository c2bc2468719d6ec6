"""`make audit`: the pinned packages against known advisories, with the known exceptions.

Two checks over every line of requirements.lock, audit-requirements.lock, the Kubernetes
validator's lock (deploy/kubernetes/validate-requirements.lock) and the tests' S3 server's
(tests/s3-requirements.lock):
1. offline, against the snapshot of the PyPA advisory database in ../shared/advisory-db
   (ADVISORY_DB elsewhere; security/osv.py), whose date it prints: it always runs;
2. online, pip-audit (from its own virtualenv, see audit-requirements.lock) against PyPI's
   vulnerability data, which is newer than the snapshot where it can be reached.
Ids listed in audit-exceptions.txt (or any of an advisory's aliases) are ignored. Exit 0:
nothing unexcepted was found; 1: vulnerabilities; 2: an audit could not be done (no snapshot;
PyPI's vulnerability service unreachable or silent for some packages), which is never a pass,
unless AUDIT_IF_UNREACHABLE=warn, which turns only the online case into a loud warning.

Runs with the audit virtualenv's Python (packaging and PyYAML for the offline check).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script (`python security/audit.py`)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from security import osv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = (ROOT / "requirements.lock", ROOT / "security" / "audit-requirements.lock",
                ROOT / "deploy" / "kubernetes" / "validate-requirements.lock",
                ROOT / "tests" / "s3-requirements.lock")
EXCEPTIONS = ROOT / "security" / "audit-exceptions.txt"
_ID = re.compile(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9-]+$")  # PYSEC-…, GHSA-…, CVE-…, OSV-…


def read_exceptions(path: Path) -> dict[str, str]:
    """Vulnerability id -> reason, one per line (`ID  reason`); `#` starts a comment.

    ValueError for a line without a reason or with something that is not an id.
    """
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not _ID.match(vuln_id) or not reason.strip():
            raise ValueError(f"{path.name}:{number}: write `ID  reason`, got {line!r}")
        found[vuln_id] = reason.strip()
    return found


def command(requirements: Path, ignored: list[str]) -> list[str]:
    """The pip-audit call for one pinned file (no resolution), JSON out."""
    args = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--format", "json",
            "--progress-spinner", "off", "--desc", "off", "-r", str(requirements)]
    for vuln_id in ignored:
        args += ["--ignore-vuln", vuln_id]
    return args


def verdict(report: dict[str, Any]) -> tuple[int, list[str]]:
    """The exit code and what to say, from pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if skipped:
        return 2, [f"AUDIT NOT DONE: {len(skipped)} of {len(dependencies)} packages could not "
                   "be audited (PyPI's vulnerability service, https://pypi.org/pypi/<name>/"
                   "<version>/json, did not answer for them), e.g.:",
                   *(f"  {d['name']}: {d['skip_reason']}" for d in skipped[:5])]
    found = [f"  {d['name']} {d['version']}: {v['id']} "
             f"(fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})"
             for d in dependencies for v in d.get("vulns", [])]
    if found:
        return 1, [f"{len(found)} known vulnerabilities:", *found,
                   "Upgrade the pin, or add the id to security/audit-exceptions.txt with why "
                   "it cannot be fixed and why it does not matter here."]
    return 0, [f"{len(dependencies)} pinned packages audited: no known vulnerabilities "
               "(apart from the listed exceptions)."]


def audit(requirements: Path, ignored: list[str]) -> list[dict[str, Any]]:
    """pip-audit's findings for one file (each file alone: they pin some packages apart)."""
    done = subprocess.run(command(requirements, ignored), capture_output=True, text=True,
                          check=False)
    try:
        return json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError) as error:
        last_words = "\n".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"AUDIT NOT DONE: pip-audit failed on {requirements.name} (exit "
                           f"{done.returncode}); is https://pypi.org reachable?\n{last_words}"
                           ) from error


def offline_verdict(found: list[osv.Finding], excepted: dict[str, str], checked: int,
                    db: Path) -> tuple[int, list[str]]:
    """The exit code and what to say, from the findings of the offline snapshot."""
    lines = [f"offline: {checked} pinned packages against the PyPA advisory database "
             f"snapshot dated {osv.snapshot_date(db)} ({db})"]
    open_ = [f for f in found if not f.ids & excepted.keys()]
    lines += [f"  excepted: {f.package} {f.version}: {f.id}" for f in found if f not in open_]
    unmatched = sorted(set(excepted) - {i for f in found for i in f.ids})
    if unmatched:
        lines.append(f"  {len(unmatched)} exceptions are not in this snapshot (newer, or not "
                     f"PyPA's): {' '.join(unmatched)}")
    if not open_:
        return 0, [*lines, "offline: no unexcepted advisory."]
    return 1, [*lines, f"offline: {len(open_)} known vulnerabilities:",
               *(f"  {f.package} {f.version}: {f.id} ({', '.join(f.aliases) or 'no alias'}; "
                 f"fixed in {', '.join(f.fixed) or 'no release yet'}) {f.summary}"
                 for f in open_)]


def offline(excepted: dict[str, str]) -> tuple[int, list[str]]:
    """Every lock file against the snapshot; 2 when there is no snapshot to check against."""
    db = osv.database()
    locks = [osv.read_pins(requirements) for requirements in REQUIREMENTS]
    try:
        found = {finding for pins in locks for finding in osv.audit(db, pins)}
    except FileNotFoundError as error:
        return 2, [f"AUDIT NOT DONE (offline): {error}; set ADVISORY_DB to the folder holding "
                   "the PyPA advisory database's vulns/ and README.md."]
    checked = len({pin for pins in locks for pin in pins.items()})
    ordered = sorted(found, key=lambda f: (f.package, f.id))
    return offline_verdict(ordered, excepted, checked, db)


def online(excepted: dict[str, str]) -> tuple[int, list[str]]:
    """pip-audit over every lock file; 2 becomes a warning with AUDIT_IF_UNREACHABLE=warn."""
    try:
        found = [dependency for requirements in REQUIREMENTS
                 for dependency in audit(requirements, list(excepted))]
        code, lines = verdict({"dependencies": found})
    except RuntimeError as error:
        code, lines = 2, str(error).splitlines()
    lines = [f"online: {line}" if i == 0 else line for i, line in enumerate(lines)]
    if code == 2 and os.environ.get("AUDIT_IF_UNREACHABLE") == "warn":
        lines.append("AUDIT_IF_UNREACHABLE=warn: the online audit did NOT run; only the "
                     "offline snapshot above was checked.")
        code = 0
    return code, lines


def main() -> int:
    """Run both audits and print their verdicts; the worse one is the exit code."""
    try:
        excepted = read_exceptions(EXCEPTIONS)
    except ValueError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    codes = []
    for check in (offline, online):
        code, lines = check(excepted)
        codes.append(code)
        print("\n".join(lines), file=sys.stderr if code else sys.stdout, flush=True)
    return 1 if 1 in codes else max(codes)


if __name__ == "__main__":
    sys.exit(main())
