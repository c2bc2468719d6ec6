"""`make audit`: pip-audit over the pinned packages, with the known exceptions.

Runs pip-audit (from its own virtualenv, see audit-requirements.lock) against PyPI's
vulnerability data for every line of requirements.lock and of audit-requirements.lock, and
ignores the ids listed in audit-exceptions.txt. Exit 0: every package was audited and nothing
unexcepted was found; 1: vulnerabilities; 2: the audit could not be done (PyPI's vulnerability
service unreachable, or it did not answer for some packages), which is never a pass, unless
AUDIT_IF_UNREACHABLE=warn, which turns only that case into a loud warning.

Standard library only: it runs with the audit virtualenv's Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = (ROOT / "requirements.lock", ROOT / "security" / "audit-requirements.lock")
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


def main() -> int:
    """Run the audit and print the verdict."""
    try:
        ignored = read_exceptions(EXCEPTIONS)
    except ValueError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    try:
        code, lines = verdict({"dependencies": [dependency for requirements in REQUIREMENTS
                                                for dependency in audit(requirements, ignored)]})
    except RuntimeError as error:
        code, lines = 2, str(error).splitlines()
    if code == 2 and os.environ.get("AUDIT_IF_UNREACHABLE") == "warn":
        lines.append("AUDIT_IF_UNREACHABLE=warn: passing WITHOUT an audit.")
        code = 0
    print("\n".join(lines), file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
