"""requirements.lock: hash-pinned, complete, installed as it is (security/lock.py, `make lock`)."""

import importlib.util
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from security import lock, osv

ROOT = Path(__file__).resolve().parents[2]
LOCKS = (ROOT / "requirements.lock", ROOT / "security" / "audit-requirements.lock",
         ROOT / "deploy" / "kubernetes" / "validate-requirements.lock")
REMOVED = ROOT / "security" / "removed-packages.txt"
_HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def removed_packages():
    lines = REMOVED.read_text(encoding="utf-8").splitlines()
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[osv.normalise(name)] = reason.strip()
    return found


def entries(path):
    """(pin, [hash options]) per requirement of a lock, continuation lines joined."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.split() for line in text.splitlines() if line.strip() and line[0] != "#"]
    return [(words[0], words[1:]) for words in lines]


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_every_line_is_an_exact_pin_with_index_hashes(path):
    assert entries(path)
    for pin, options in entries(path):
        assert re.match(r"^[A-Za-z0-9][\w.-]*==[\w.+!-]+$", pin), pin
        assert options and all(_HASH.match(option) for option in options), pin
    assert "make lock" in path.read_text(encoding="utf-8")  # how to regenerate it


def test_pip_and_its_build_tools_are_pinned_too():
    pins = osv.read_pins(LOCKS[0])
    assert {"pip", "setuptools", "wheel"} <= pins.keys()


def test_every_requirement_of_the_locked_packages_is_locked_except_the_removed_ones():
    pins = osv.read_pins(LOCKS[0])
    removed = removed_packages()
    extras: dict[str, set[str]] = {}
    unmet = []
    for _ in range(2):  # a second pass sees the extras that later packages ask for
        unmet.clear()
        for name, version in pins.items():
            dist = distribution(name)
            assert Version(dist.version) == Version(version), f"{name}: .venv is not the lock"
            for line in dist.requires or []:
                need = Requirement(line)
                wanted = extras.get(name, set()) | {""}
                if need.marker and not any(need.marker.evaluate({"extra": extra})
                                           for extra in wanted):
                    continue
                other = osv.normalise(need.name)
                extras.setdefault(other, set()).update(need.extras)
                if other in removed:
                    continue
                if other not in pins or not need.specifier.contains(pins[other],
                                                                     prereleases=True):
                    unmet.append(f"{name} needs {line}, lock has {pins.get(other)}")
    assert unmet == []


def test_the_removed_packages_are_neither_locked_nor_installed_and_each_says_why():
    removed = removed_packages()
    assert removed and all(len(reason) > 40 for reason in removed.values())
    pins = osv.read_pins(LOCKS[0])
    for name in removed:
        assert name not in pins
        with pytest.raises(PackageNotFoundError):
            distribution(name)
    assert importlib.util.find_spec("pydantic") is None and importlib.util.find_spec("dns") is None


def test_make_and_the_image_install_the_lock_with_hashes_and_nothing_else():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for text in (makefile, dockerfile):
        installs = [line for line in text.splitlines() if "pip install" in line]
        assert installs and all("--require-hashes" in line for line in installs), installs


def fake_index(files):
    return lambda name, version: files.get((name, version), {})


def test_relock_writes_sorted_hashes_keeps_comments_and_is_reproducible():
    files = {("aiohttp", "3.9.5"): {
        "aiohttp-3.9.5-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": "b" * 64,
        "aiohttp-3.9.5.tar.gz": "a" * 64}}
    text = "# header\naiohttp==3.9.5 \\\n    --hash=sha256:" + "f" * 64 + "\n"
    once = lock.relock(text, fake_index(files))
    assert once == ("# header\naiohttp==3.9.5 \\\n    --hash=sha256:" + "a" * 64 + " \\\n"
                    "    --hash=sha256:" + "b" * 64 + "\n")
    assert lock.relock(once, fake_index(files)) == once


def test_relock_refuses_a_release_pip_cannot_install_on_linux_cp310():
    files = {("tensorflow", "2.12.0"): {
        "tensorflow-2.12.0-cp310-cp310-macosx_10_15_x86_64.whl": "c" * 64}}
    with pytest.raises(LookupError, match="linux x86_64 CPython 3.10"):
        lock.relock("tensorflow==2.12.0\n", fake_index(files))


@pytest.mark.parametrize(("filename", "kept"), [
    ("numpy-1.23.5-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", True),
    ("numpy-1.23.5-cp310-cp310-win_amd64.whl", True),
    ("numpy-1.23.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", False),
    ("cryptography-50.0.2-cp37-abi3-manylinux_2_28_x86_64.whl", True),
    ("cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl", False),
    ("six-1.17.0-py2.py3-none-any.whl", True),
    ("numpy-1.23.5.tar.gz", True),
    ("numpy-1.23.5.exe", False),
])
def test_only_files_cpython_310_can_install_are_hashed(filename, kept):
    assert lock.for_cp310(filename) is kept
