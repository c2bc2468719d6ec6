"""security/osv.py and the offline half of `make audit`: OSV ranges matched as PEP 440 versions.

Small made-up advisory files in the PyPA database's layout (vulns/<package>/<id>.yaml), and one
check against the real snapshot in ../shared/advisory-db."""

from pathlib import Path

import pytest

from security import audit, osv


def advisory(ident, package, ranges=(), versions=(), **extra):
    return {"id": ident, "aliases": extra.pop("aliases", []), "summary": f"{package} bug",
            "affected": [{"package": {"ecosystem": extra.pop("ecosystem", "PyPI"),
                                      "name": package},
                          "ranges": [{"type": "ECOSYSTEM", "events": list(events)}
                                     for events in ranges],
                          "versions": list(versions)}], **extra}


def hit(entry_advisory, version):
    return any(osv.affects(entry, version) for entry in entry_advisory["affected"])


def test_versions_compare_as_versions_not_strings():
    fixed_392 = advisory("PYSEC-1", "aiohttp", [[{"introduced": "0"}, {"fixed": "3.9.2"}]])
    assert hit(fixed_392, "3.9.1")
    assert hit(fixed_392, "3.9.2rc1")  # a pre-release comes before its release
    assert not hit(fixed_392, "3.9.2")  # `fixed` is exclusive
    assert not hit(fixed_392, "3.10.0")  # as strings, "3.10.0" < "3.9.2"
    assert not hit(fixed_392, "3.9.2.post1")


def test_several_introduced_and_fixed_events_in_any_order():
    two_spans = advisory("PYSEC-2", "sanic", [[{"fixed": "2.1.3"}, {"introduced": "2.0"},
                                               {"fixed": "1.2"}, {"introduced": "1.0"}]])
    assert [hit(two_spans, v) for v in ("0.9", "1.0", "1.1.9", "1.2", "1.5", "2.0.0", "2.1.2",
                                        "2.1.3", "21.12.2")] == [
        False, True, True, False, False, True, True, False, False]


def test_last_affected_is_inclusive_and_an_open_range_has_no_end():
    last = advisory("PYSEC-3", "pymongo", [[{"introduced": "4.0"}, {"last_affected": "4.3.3"}]])
    assert hit(last, "4.3.3") and not hit(last, "4.3.4") and not hit(last, "3.13.0")
    open_ended = advisory("PYSEC-4", "keras", [[{"introduced": "2.12.0"}]])
    assert hit(open_ended, "2.12.0") and hit(open_ended, "99") and not hit(open_ended, "2.11.9")


def test_listed_versions_match_as_versions_and_git_ranges_are_ignored():
    listed = advisory("PYSEC-5", "dnspython", versions=["2.3", "2.4.0"])
    assert hit(listed, "2.3.0") and hit(listed, "2.4.0") and not hit(listed, "2.3.1")
    git_only = advisory("PYSEC-6", "protobuf")
    git_only["affected"][0]["ranges"] = [{"type": "GIT", "repo": "https://example.org/x",
                                          "events": [{"introduced": "0"},
                                                     {"fixed": "33ccdfb0a12690af"}]}]
    assert not hit(git_only, "4.23.3")


def test_findings_normalise_names_and_skip_withdrawn_and_other_ecosystems():
    pins = {"sanic-cors": "2.0.1"}
    base = {"ranges": [[{"introduced": "0"}, {"fixed": "2.1"}]]}
    assert [f.id for f in osv.findings(advisory("PYSEC-7", "Sanic_Cors", **base), pins)] == [
        "PYSEC-7"]
    assert not list(osv.findings(advisory("PYSEC-8", "sanic-cors", withdrawn="2024-01-01",
                                          **base), pins))
    assert not list(osv.findings(advisory("PYSEC-9", "sanic-cors", ecosystem="npm", **base),
                                 pins))


def test_pins_are_read_from_a_hashed_lock(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nSanic_Cors==2.0.1 \\\n    --hash=sha256:" + "a" * 64 + " \\\n"
                    "    --hash=sha256:" + "b" * 64 + "\npymongo==4.3.3 ; python_version < '4'\n")
    assert osv.read_pins(lock) == {"sanic-cors": "2.0.1", "pymongo": "4.3.3"}


def write_db(root: Path, advisories) -> Path:
    import yaml

    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("PyPA advisory database (commit 3ccb, dated\n2024-10-10)\n")
    for item in advisories:
        folder = root / "vulns" / item["affected"][0]["package"]["name"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{item['id']}.yaml").write_text(yaml.safe_dump(item))
    return root


def test_the_audit_reads_the_database_folder_and_its_date(tmp_path):
    db = write_db(tmp_path, [
        advisory("PYSEC-10", "aiohttp", [[{"introduced": "0"}, {"fixed": "3.10.11"}]],
                 aliases=["GHSA-8495-4g3g-x7pr"]),
        advisory("PYSEC-11", "aiohttp", [[{"introduced": "0"}, {"fixed": "3.9.2"}]]),
        advisory("PYSEC-12", "flask", [[{"introduced": "0"}, {"fixed": "3.1.3"}]])])
    found = osv.audit(db, {"aiohttp": "3.9.5", "flask": "3.1.3"})
    assert [(f.package, f.id, f.fixed) for f in found] == [("aiohttp", "PYSEC-10", ("3.10.11",))]
    assert found[0].ids == {"PYSEC-10", "GHSA-8495-4g3g-x7pr"}
    assert osv.snapshot_date(db) == "2024-10-10"
    with pytest.raises(FileNotFoundError):
        osv.audit(tmp_path / "missing", {"aiohttp": "3.9.5"})


def finding(ident, aliases=()):
    return osv.Finding("aiohttp", "3.9.5", ident, tuple(aliases), ("3.10.11",), "smuggling")


def test_an_exception_matches_the_id_or_an_alias_and_the_rest_fail(tmp_path):
    db = write_db(tmp_path, [])
    code, lines = audit.offline_verdict([finding("PYSEC-10", ["GHSA-x"]), finding("PYSEC-11")],
                                        {"GHSA-x": "client only", "CVE-1": "old"}, 3, db)
    assert code == 1
    assert "snapshot dated 2024-10-10" in lines[0]
    assert "  excepted: aiohttp 3.9.5: PYSEC-10" in lines
    assert any("not in this snapshot" in line and "CVE-1" in line for line in lines)
    assert any(line.startswith("  aiohttp 3.9.5: PYSEC-11 (no alias; fixed in 3.10.11)")
               for line in lines)
    assert audit.offline_verdict([finding("PYSEC-10", ["GHSA-x"])], {"GHSA-x": "why"}, 3,
                                 db)[0] == 0


def test_offline_reads_every_lock_and_a_missing_database_is_never_a_pass(tmp_path, monkeypatch):
    db = write_db(tmp_path / "db", [advisory("PYSEC-13", "pymongo", versions=["4.3.3"])])
    lock = tmp_path / "requirements.lock"
    lock.write_text("pymongo==4.3.3 \\\n    --hash=sha256:" + "c" * 64 + "\n")
    monkeypatch.setattr(audit, "REQUIREMENTS", (lock,))
    monkeypatch.setenv("ADVISORY_DB", str(db))
    code, lines = audit.offline({})
    assert code == 1 and any("pymongo 4.3.3: PYSEC-13" in line for line in lines)
    assert audit.offline({"PYSEC-13": "unused: Redis tracker store"})[0] == 0
    monkeypatch.setenv("ADVISORY_DB", str(tmp_path / "nowhere"))
    code, lines = audit.offline({})
    assert code == 2 and "AUDIT NOT DONE (offline)" in lines[0]


def test_the_real_snapshot_finds_a_fixed_advisory_for_an_old_version():
    found = osv.audit(osv.database(), {"aiohttp": "3.9.1", "werkzeug": "3.1.9"})
    assert {"PYSEC-2024-24", "PYSEC-2024-26"} <= {f.id for f in found}
    assert {f.package for f in found} == {"aiohttp"}
    assert osv.snapshot_date(osv.database()) == "2024-10-10"
