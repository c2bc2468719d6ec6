"""Console accounts against a real Redis: argon2 hashes, rules, sign-in checks and the CLI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from webhook.console import accounts, audit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
MODULE_HASHER = accounts.HASHER  # argon2-cffi's defaults, as the app uses them


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Fast argon2 parameters, except where a test puts the module's own hasher back."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))


def all_stored_bytes(redis_db) -> bytes:
    """Every key and value in the database, as one blob to search."""
    blob = b""
    for key in redis_db.scan_iter():
        blob += key + b"\n"
        kind = redis_db.type(key)
        if kind == b"hash":
            blob += b"\n".join(k + b"=" + v for k, v in redis_db.hgetall(key).items())
        elif kind == b"set":
            blob += b"\n".join(redis_db.smembers(key))
        elif kind == b"stream":
            blob += repr(redis_db.xrange(key)).encode()
        elif kind == b"string":
            blob += redis_db.get(key)
    return blob


def test_the_password_is_kept_only_as_an_argon2id_hash_with_the_default_parameters(
        redis_db, monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", MODULE_HASHER)
    account = accounts.create_account(redis_db, "Dara", "Dara Sok", "moderator", PASSWORD)
    assert account.username == "dara" and not hasattr(account, "password_hash")
    stored = redis_db.hget(accounts.account_key("dara"), "password_hash").decode()
    defaults = PasswordHasher()
    assert stored.startswith("$argon2id$")
    assert (f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}"
            in stored)
    assert PASSWORD.encode() not in all_stored_bytes(redis_db)


def test_duplicates_are_refused_whatever_the_case(redis_db):
    accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    with pytest.raises(accounts.AccountExists):
        accounts.create_account(redis_db, "DARA", "Someone else", "admin", PASSWORD + "!")
    assert accounts.get_account(redis_db, "dara").role == "moderator"


def test_short_passwords_are_refused_and_nothing_is_stored(redis_db):
    with pytest.raises(accounts.WeakPassword, match="12"):
        accounts.create_account(redis_db, "dara", "Dara", "moderator", "elevenchars")
    assert redis_db.dbsize() == 0
    assert accounts.create_account(redis_db, "dara", "Dara", "moderator", "twelve chars")


@pytest.mark.parametrize("username", ["ab", "a" * 33, "has space", "ümlaut", "a:b", ""])
def test_bad_usernames_are_refused(redis_db, username):
    with pytest.raises(accounts.InvalidAccount):
        accounts.create_account(redis_db, username, "Name", "moderator", PASSWORD)


@pytest.mark.parametrize(("name", "role"), [("", "moderator"), ("x" * 65, "moderator"),
                                            ("Dara", "root"), ("Dara", "")])
def test_bad_display_names_and_roles_are_refused(redis_db, name, role):
    with pytest.raises(accounts.InvalidAccount):
        accounts.create_account(redis_db, "dara", name, role, PASSWORD)


def test_verify_login_accepts_only_the_right_password_of_an_enabled_account(redis_db):
    accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    account = accounts.verify_login(redis_db, " Dara ", PASSWORD)
    assert account.username == "dara" and account.last_login_at is not None
    assert accounts.verify_login(redis_db, "dara", PASSWORD + "x") is None
    assert accounts.verify_login(redis_db, "nobody", PASSWORD) is None
    assert accounts.verify_login(redis_db, "not a name!", PASSWORD) is None
    accounts.disable_account(redis_db, "dara")
    assert accounts.verify_login(redis_db, "dara", PASSWORD) is None
    accounts.enable_account(redis_db, "dara")
    assert accounts.verify_login(redis_db, "dara", PASSWORD) is not None


def test_an_unknown_username_costs_an_argon2_verification_too(redis_db, monkeypatch):
    calls = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "HASHER", Counting(time_cost=1, memory_cost=1024))
    assert accounts.verify_login(redis_db, "nobody", PASSWORD) is None
    assert accounts.verify_login(redis_db, "bad name!", PASSWORD) is None
    assert len(calls) == 2 and calls[0].startswith("$argon2id$")


def test_sign_in_rehashes_when_the_parameters_have_grown(redis_db, monkeypatch):
    before = accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    old_hash = redis_db.hget(accounts.account_key("dara"), "password_hash")
    monkeypatch.setattr(accounts, "HASHER", MODULE_HASHER)
    after = accounts.verify_login(redis_db, "dara", PASSWORD)
    new_hash = redis_db.hget(accounts.account_key("dara"), "password_hash").decode()
    assert new_hash != old_hash.decode() and not PasswordHasher().check_needs_rehash(new_hash)
    assert after.session_version == before.session_version  # a rehash keeps sessions
    assert accounts.verify_login(redis_db, "dara", PASSWORD) is not None


def test_a_new_password_or_disabling_replaces_the_session_version(redis_db):
    created = accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    changed = accounts.set_password(redis_db, "dara", "another long password")
    assert changed.session_version != created.session_version
    assert accounts.verify_login(redis_db, "dara", PASSWORD) is None
    assert accounts.verify_login(redis_db, "dara", "another long password") is not None
    disabled = accounts.disable_account(redis_db, "dara")
    assert disabled.disabled and disabled.session_version != changed.session_version
    enabled = accounts.enable_account(redis_db, "dara")
    assert not enabled.disabled and enabled.session_version == disabled.session_version
    with pytest.raises(accounts.WeakPassword):
        accounts.set_password(redis_db, "dara", "short")


def test_changing_an_account_that_does_not_exist_creates_nothing(redis_db):
    for change in (accounts.disable_account, accounts.enable_account):
        with pytest.raises(accounts.NoSuchAccount):
            change(redis_db, "ghost")
    with pytest.raises(accounts.NoSuchAccount):
        accounts.set_password(redis_db, "ghost", PASSWORD)
    assert redis_db.dbsize() == 0


def test_list_accounts_by_username(redis_db):
    for name, role in (("vanna", "editor"), ("dara", "moderator"), ("sokha", "admin")):
        accounts.create_account(redis_db, name, name.title(), role, PASSWORD)
    listed = accounts.list_accounts(redis_db)
    assert [(a.username, a.role) for a in listed] == [
        ("dara", "moderator"), ("sokha", "admin"), ("vanna", "editor")]
    assert listed[1].has_role("editor") and not listed[0].has_role("admin")


# --- the command line -------------------------------------------------------------------------

def cli(redis_url, *args, password=None):
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "webhook.console.accounts", *args],
                          input=password, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)


def test_cli_creates_lists_and_disables(redis_server, redis_db):
    made = cli(redis_server, "create", "Dara", "--role", "admin", "--name", "Dara Sok",
               "--password-stdin", password=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert "created admin account 'dara'" in made.stdout
    assert accounts.verify_login(redis_db, "dara", PASSWORD).role == "admin"

    again = cli(redis_server, "create", "dara", "--name", "Again", "--password-stdin",
                password=PASSWORD + "\n")
    assert again.returncode == 1 and "already exists" in again.stderr

    weak = cli(redis_server, "create", "sokha", "--name", "Sokha", "--password-stdin",
               password="short\n")
    assert weak.returncode == 1 and "12 characters" in weak.stderr

    assert cli(redis_server, "disable", "dara").returncode == 0
    listed = cli(redis_server, "list")
    assert listed.returncode == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith("dara "))
    assert "admin" in row and "disabled" in row and "Dara Sok" in row
    assert accounts.verify_login(redis_db, "dara", PASSWORD) is None
    actions = [(e.actor, e.action, e.detail) for e in audit.recent(redis_db)]
    assert ("cli", "account_created", "dara") in actions
    assert ("cli", "account_disabled", "dara") in actions


def test_cli_sets_a_password_and_enables(redis_server, redis_db):
    accounts.create_account(redis_db, "dara", "Dara", "moderator", PASSWORD)
    accounts.disable_account(redis_db, "dara")
    changed = cli(redis_server, "set-password", "dara", "--password-stdin",
                  password="a brand new passphrase\n")
    assert changed.returncode == 0, changed.stderr
    assert cli(redis_server, "enable", "dara").returncode == 0
    assert accounts.verify_login(redis_db, "dara", "a brand new passphrase") is not None
    missing = cli(redis_server, "disable", "ghost")
    assert missing.returncode == 1 and "no account named 'ghost'" in missing.stderr


def test_cli_says_when_redis_url_is_not_set():
    answer = cli("", "list")
    assert answer.returncode == 2 and "REDIS_URL is not set" in answer.stderr
