"""Issue 10, finding 14 (and the image's part of 8): the Dockerfile, read statically (no Docker
engine here). A multi-stage build; the runtime stage runs as a user that owns nothing it
runs (code, packages, model: root-owned, read-only); no test tools in it; the base image pinned
by a digest that has no default; APP_ENV=production."""

import os
import re
import subprocess
from dataclasses import dataclass

import pytest

from webhook.config import ROOT

TEST_TOOLS = ("pytest", "hypothesis", "playwright", "ruff")


@dataclass
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined, current = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") and not current:
            continue
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            if current.strip():
                joined.append(current.strip())
            current = ""
    return [Instruction(*(line.split(None, 1) + [""])[:2]) for line in joined]


def stages(parsed: list[Instruction]) -> dict[str, list[Instruction]]:
    found: dict[str, list[Instruction]] = {}
    name = ""
    for instruction in parsed:
        if instruction.keyword.upper() == "FROM":
            name = instruction.args.split(" AS ")[-1].strip() if " AS " in instruction.args else ""
            found[name] = []
        elif name:
            found[name].append(instruction)
    return found


@pytest.fixture(scope="module")
def dockerfile():
    parsed = instructions((ROOT / "Dockerfile").read_text())
    return parsed, stages(parsed)


def test_the_base_image_is_pinned_by_a_digest_without_a_default(dockerfile):
    parsed, _ = dockerfile
    before_from = parsed[:[i.keyword for i in parsed].index("FROM")]
    assert Instruction("ARG", "PYTHON_DIGEST") in before_from, "declared, and with no default"
    froms = [i.args for i in parsed if i.keyword == "FROM"]
    assert len(froms) >= 2, "a multi-stage build"
    assert all(re.match(r"\$\{PYTHON_IMAGE\}@\$\{PYTHON_DIGEST\} AS \w+$", f) for f in froms)


def test_the_build_script_refuses_to_build_without_a_real_digest():
    for digest in ("", "latest", "sha256:1234", "sha256:" + "G" * 64):
        done = subprocess.run(["sh", str(ROOT / "docker" / "build.sh")], timeout=30,
                              env={"PATH": os.environ["PATH"], "PYTHON_DIGEST": digest},
                              capture_output=True, text=True)
        assert done.returncode == 2 and "PYTHON_DIGEST" in done.stderr


def test_the_runtime_stage_runs_as_a_user_who_can_write_no_code_or_model(dockerfile):
    _, found = dockerfile
    runtime = found[list(found)[-1]]
    keywords = [i.keyword for i in runtime]
    user_at = keywords.index("USER")
    assert runtime[user_at].args not in ("root", "0") and "USER" not in keywords[user_at + 1:]
    locking = " ".join(i.args for i in runtime[:user_at] if i.keyword == "RUN")
    assert "chown -R root:root /app /opt/venv" in locking
    assert "chmod -R a-w,a+rX /app /opt/venv" in locking
    copies = [i.args for i in runtime if i.keyword == "COPY"]
    assert not any("--chown" in copy for copy in copies), "copies stay root's"
    assert any("/app/models" in copy for copy in copies), "the trained model comes from build"
    assert not any("tests" in copy or "requirements" in copy for copy in copies)
    assert "APP_ENV=production" in " ".join(i.args for i in runtime if i.keyword == "ENV")


def test_no_test_tool_is_installed_in_the_image(dockerfile):
    _, found = dockerfile
    build = " ".join(i.args for i in found["build"] if i.keyword == "RUN")
    assert "runtime-lock.sh requirements.lock dev-only.txt > runtime.lock" in build
    assert "-r runtime.lock" in build
    dev_only = [line for line in (ROOT / "docker" / "dev-only.txt").read_text().splitlines()
                if line and not line.startswith("#")]
    lock = {line.split("==")[0].lower() for line in (ROOT / "requirements.lock").read_text()
            .splitlines() if "==" in line}
    assert set(TEST_TOOLS) <= set(dev_only) and set(dev_only) <= lock
    runtime_checks = " ".join(i.args for i in found["runtime"] if i.keyword == "RUN")
    assert all(f" {tool}" in runtime_checks for tool in TEST_TOOLS), "the build proves it"
    for path in [*ROOT.glob("webhook/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        imports = re.findall(r"^\s*(?:from|import) (\w+)", path.read_text(), re.MULTILINE)
        assert not set(imports) & {"pytest", "hypothesis", "playwright", "ruff", "pluggy",
                                   "iniconfig"}, path


def test_secrets_and_tests_stay_out_of_the_build_context():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".data", "tests", ".git", "models"} <= set(ignored)


def _runtime_lock(tmp_path, lock_text: str) -> str:
    (tmp_path / "lock").write_text(lock_text)
    return subprocess.run(["sh", str(ROOT / "docker" / "runtime-lock.sh"), str(tmp_path / "lock"),
                           str(ROOT / "docker" / "dev-only.txt")], capture_output=True,
                          text=True, check=True, timeout=30).stdout


def test_the_runtime_lock_drops_the_test_tools_with_their_hashes(tmp_path):
    plain = _runtime_lock(tmp_path, (ROOT / "requirements.lock").read_text())
    names = {line.split("==")[0].lower() for line in plain.splitlines() if "==" in line}
    assert not names & set(TEST_TOOLS) and {"rasa", "flask", "gunicorn"} <= names
    hashed = _runtime_lock(tmp_path, "flask==3.1.0 \\\n    --hash=sha256:aa \\\n"
                           "    --hash=sha256:bb\n    # via rasa\nPyTest==8.4.2 \\\n"
                           "    --hash=sha256:cc\nruff==0.17.6 \\\n    --hash=sha256:dd\n"
                           "redis==4.6.0 \\\n    --hash=sha256:ee\n")
    assert hashed == ("flask==3.1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
                      "    # via rasa\nredis==4.6.0 \\\n    --hash=sha256:ee\n")
