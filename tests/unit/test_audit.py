"""security/audit.py, behind `make audit`: the exceptions file and pip-audit's verdicts.

The audit itself needs PyPI's vulnerability service; these tests cover what we decide from
its JSON report, in pip-audit's own shape."""

import pytest

from security import audit


def test_the_shipped_exceptions_file_parses():
    assert isinstance(audit.read_exceptions(audit.EXCEPTIONS), dict)


def test_exceptions_need_an_id_and_a_reason(tmp_path):
    path = tmp_path / "exceptions.txt"
    path.write_text("# comment\n\nGHSA-abcd-efgh-ijkl  tensorflow pinned by rasa  # note\n"
                    "PYSEC-2024-26 aiohttp: only the client is used\n")
    assert audit.read_exceptions(path) == {
        "GHSA-abcd-efgh-ijkl": "tensorflow pinned by rasa",
        "PYSEC-2024-26": "aiohttp: only the client is used"}
    for bad in ("GHSA-abcd-efgh-ijkl\n", "because reasons\n", "ghsa-x reason\n"):
        path.write_text(bad)
        with pytest.raises(ValueError, match="ID  reason"):
            audit.read_exceptions(path)


def test_each_exception_is_passed_to_pip_audit():
    args = audit.command(audit.REQUIREMENTS[0], ["GHSA-1", "PYSEC-2"])
    assert args[args.index("-r") + 1].endswith("requirements.lock")
    assert "--no-deps" in args and "--disable-pip" in args
    assert " ".join(args).endswith("--ignore-vuln GHSA-1 --ignore-vuln PYSEC-2")


def test_a_package_that_could_not_be_audited_is_never_a_pass():
    code, lines = audit.verdict({"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "rasa", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]})
    assert code == 2 and "AUDIT NOT DONE: 1 of 2 packages" in lines[0]


def test_vulnerabilities_fail_with_their_ids_and_fixes():
    code, lines = audit.verdict({"dependencies": [
        {"name": "aiohttp", "version": "3.9.5", "vulns": [
            {"id": "GHSA-x", "fix_versions": ["3.10.11"], "aliases": []}]},
        {"name": "tensorflow", "version": "2.12.0", "vulns": [
            {"id": "PYSEC-y", "fix_versions": [], "aliases": []}]},
    ]})
    assert code == 1
    assert "  aiohttp 3.9.5: GHSA-x (fixed in 3.10.11)" in lines
    assert "  tensorflow 2.12.0: PYSEC-y (fixed in no release yet)" in lines


def test_a_clean_report_passes():
    code, lines = audit.verdict({"dependencies": [{"name": "flask", "version": "3.1.3",
                                                   "vulns": []}]})
    assert code == 0 and "1 pinned packages audited" in lines[0]
