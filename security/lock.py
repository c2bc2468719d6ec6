"""`make lock`: write the package index's sha256 of every pinned file into the lock files.

    python -m security.lock requirements.lock security/audit-requirements.lock

Each `name==version` line of a lock becomes that pin followed by one `--hash=sha256:…` per file
of that release on the index (PEP 691 JSON simple API, $PIP_INDEX_URL or PyPI) that CPython 3.10
can install on any platform: its sdists and its wheels tagged cp310, abi3, py3 or py310. Hashes
are the index's own, sorted, so the same pins always give the same file. Comment lines stay
where they are; old hash lines are dropped. It fails when a release has no file that pip could
pick on linux x86_64 CPython 3.10, so the lock always installs there.
To move a pin: change the version on its line, run `make lock`, then `make venv` and `make test`.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from security.osv import PIN

INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
_SDIST = (".tar.gz", ".zip")
_LINUX = [f"manylinux_2_{minor}_x86_64" for minor in range(35, 4, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]
LINUX_CP310 = {*cpython_tags((3, 10), platforms=_LINUX),
               *compatible_tags((3, 10), "cp310", platforms=_LINUX)}


def for_cp310(filename: str) -> bool:
    """Whether CPython 3.10 on some platform can install this file (sdists always)."""
    if filename.endswith(_SDIST):
        return True
    if not filename.endswith(".whl"):
        return False
    tags = parse_wheel_filename(filename)[3]
    return any(t.interpreter in ("cp310", "py3", "py310", "py30") or t.abi == "abi3"
               and t.interpreter.startswith("cp3") and int(t.interpreter[3:]) <= 10
               for t in tags)


def picks_on_linux(filenames: list[str]) -> bool:
    """Whether pip on linux x86_64 CPython 3.10 finds one of these files (a wheel or sdist)."""
    return any(f.endswith(_SDIST) or f.endswith(".whl")
               and set(parse_wheel_filename(f)[3]) & LINUX_CP310 for f in filenames)


def release_files(name: str, version: str, index: str = INDEX) -> dict[str, str]:
    """Filename -> sha256 of every file of `name==version` on the index, for CPython 3.10."""
    request = urllib.request.Request(f"{index}/{canonicalize_name(name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (the index)
        files: list[dict[str, Any]] = json.load(answer)["files"]
    wanted = Version(version)
    return {f["filename"]: f["hashes"]["sha256"] for f in files
            if "sha256" in f.get("hashes", {}) and for_cp310(f["filename"])
            and _version_of(f["filename"], name) == wanted}


def _version_of(filename: str, name: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            found, version = parse_wheel_filename(filename)[:2]
        else:
            found, version = parse_sdist_filename(filename)
    except ValueError:  # InvalidWheelFilename, InvalidSdistFilename, InvalidVersion
        return None
    return version if found == canonicalize_name(name) else None


def hashed(name: str, version: str, files: dict[str, str]) -> list[str]:
    """The lock lines of one pin: the pin, then its hashes, sorted."""
    hashes = sorted(set(files.values()))
    return [f"{name}=={version} \\"] + [
        f"    --hash=sha256:{digest}" + (" \\" if i < len(hashes) - 1 else "")
        for i, digest in enumerate(hashes)]


def relock(text: str, lookup: Any = release_files) -> str:
    """The lock text with every pin's hashes rewritten (comments kept, old hashes dropped)."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        match = PIN.match(stripped)
        if match:
            files = lookup(*match.groups())
            if not picks_on_linux(list(files)):
                raise LookupError(f"{match.group(0)}: no file on the index that pip can install "
                                  f"on linux x86_64 CPython 3.10 (found {sorted(files)})")
            out += hashed(*match.groups(), files)
        elif stripped and not stripped.startswith("--hash="):
            out.append(line)
    return "\n".join(out) + "\n"


def main(paths: list[str]) -> int:
    """Relock each file in place; 1 when a pin has no installable file."""
    for path in map(Path, paths):
        try:
            path.write_text(relock(path.read_text(encoding="utf-8")), encoding="utf-8")
        except LookupError as error:
            print(f"lock: {path}: {error}", file=sys.stderr)
            return 1
        print(f"lock: {path}: {sum(1 for _ in _pins(path))} pins hashed from {INDEX}")
    return 0


def _pins(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if PIN.match(line)]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.lock", "security/audit-requirements.lock",
                                   "deploy/kubernetes/validate-requirements.lock"]))
