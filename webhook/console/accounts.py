"""Console accounts: who may sign in to the moderator console, and with which role.

One Redis hash per account (`hl:account:<username>`) and a set of every username
(`hl:accounts`). The username is the account's id: lowercase, 3-32 characters of a-z, 0-9,
`.`, `_` and `-`, never renamed. Passwords are hashed with argon2id (argon2-cffi's
PasswordHasher defaults) and rehashed at sign-in when those defaults have grown. Each account
carries a random session version: a new password or disabling the account replaces it, which
ends every session that holds the old one (`webhook.console.auth` checks it on each request).

Roles: `moderator` handles conversations, `editor` edits content, `admin` does everything.

Errors, all ValueError so a caller can show the message as it is:

    AccountError
    ├── InvalidAccount   a username, display name or role that cannot be used
    ├── WeakPassword     under 12 characters (or absurdly long), or two entries that differ
    ├── AccountExists    create_account with a username that is taken
    └── NoSuchAccount    changing an account that does not exist

Command line (REDIS_URL from the environment or `.env`; the password is asked twice, or read
as one line from standard input with --password-stdin):

    python -m webhook.console.accounts create USERNAME --role moderator --name "Display Name"
    python -m webhook.console.accounts set-password USERNAME
    python -m webhook.console.accounts disable USERNAME | enable USERNAME | list
    python -m webhook.console.accounts totp-enrol USERNAME | totp-reset USERNAME
"""

from __future__ import annotations

import argparse
import getpass
import re
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def account_key(username: str) -> str:
    """The hash of one account's fields."""
    return f"hl:account:{username}"


def accounts_index() -> str:
    """The set of every account's username."""
    return "hl:accounts"


ROLES = ("moderator", "editor", "admin")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 64
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,32}")
HASHER = PasswordHasher()  # module-level so tests can swap in cheaper parameters
_DUMMY_HASHES: dict[PasswordHasher, str] = {}

# Create only when absent, and index it, in one step. ARGV: username, then field/value pairs.
_CREATE = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 2))
redis.call('sadd', KEYS[2], ARGV[1])
return 1
"""
# Change fields of an account that exists. ARGV: field/value pairs.
_UPDATE = """
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV))
return 1
"""
# Store a rehash only if the password was not changed meanwhile. ARGV: old hash, new hash.
_REHASH = """
if redis.call('hget', KEYS[1], 'password_hash') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'password_hash', ARGV[2])
return 1
"""


class AccountError(ValueError):
    """An account operation that cannot be done; the message says why."""


class InvalidAccount(AccountError):
    """A username, display name or role that cannot be used."""


class WeakPassword(AccountError):
    """A password that is too short or too long (or two entries that differ)."""


class AccountExists(AccountError):
    """create_account with a username that is already taken."""


class NoSuchAccount(AccountError):
    """An operation on an account that does not exist."""


@dataclass(frozen=True)
class Account:
    """One console user, as views and templates see it: never the password hash."""

    username: str
    display_name: str
    role: str
    disabled: bool
    created_at: float
    last_login_at: float | None
    session_version: str
    language: str = ""  # the console's language for this account (km, en); "" = not chosen

    def has_role(self, *roles: str) -> bool:
        """True when the account may act as one of `roles` (an admin may act as any)."""
        return self.role == "admin" or self.role in roles


def normalise_username(username: str) -> str:
    """The username in lowercase; InvalidAccount when it breaks the rules."""
    name = (username or "").strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidAccount("a username is 3 to 32 characters: a-z, 0-9, '.', '_' or '-'")
    return name


def check_password(password: str) -> None:
    """Raise WeakPassword unless the password has 12 to 1024 characters."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def create_account(client: redis.Redis, username: str, display_name: str, role: str,
                   password: str) -> Account:
    """Create an account; raise InvalidAccount, WeakPassword or AccountExists."""
    username = normalise_username(username)
    display_name = _check_display_name(display_name)
    if role not in ROLES:
        raise InvalidAccount(f"the role is one of {', '.join(ROLES)}")
    check_password(password)
    fields = {"username": username, "display_name": display_name, "role": role,
              "password_hash": HASHER.hash(password), "disabled": "0",
              "created_at": repr(time.time()), "last_login_at": "",
              "session_version": _new_session_version()}
    flat = [part for pair in fields.items() for part in pair]
    if not client.eval(_CREATE, 2, account_key(username), accounts_index(), username, *flat):
        raise AccountExists(f"an account named {username!r} already exists")
    return _account(fields)


def get_account(client: redis.Redis, username: str) -> Account | None:
    """The account, or None when there is none by that name."""
    fields = _load(client, username)
    return _account(fields) if fields else None


def list_accounts(client: redis.Redis) -> list[Account]:
    """Every account, by username."""
    names = sorted(name.decode() for name in client.smembers(accounts_index()))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(account_key(name))
    return [_account(_decode(raw)) for raw in pipe.execute() if raw]


def set_language(client: redis.Redis, username: str, language: str) -> Account:
    """Remember the console language the account chose (a code such as km or en)."""
    return _update(client, username, {"language": language})


def disable_account(client: redis.Redis, username: str) -> Account:
    """Stop the account from signing in and end its sessions; NoSuchAccount if absent."""
    return _update(client, username, {"disabled": "1",
                                      "session_version": _new_session_version()})


def end_sessions(client: redis.Redis, username: str) -> Account:
    """End every session of the account (logout): its session version is replaced."""
    return _update(client, username, {"session_version": _new_session_version()})


def enable_account(client: redis.Redis, username: str) -> Account:
    """Let a disabled account sign in again (its old sessions stay ended)."""
    return _update(client, username, {"disabled": "0"})


def set_password(client: redis.Redis, username: str, password: str) -> Account:
    """Give the account a new password and end all its sessions (WeakPassword, NoSuchAccount).

    A console page that changes the signed-in user's own password should call
    `webhook.console.auth.start_session` with the returned account to keep that session.
    """
    check_password(password)
    return _update(client, username, {"password_hash": HASHER.hash(password),
                                      "session_version": _new_session_version()})


def verify_login(client: redis.Redis, username: str, password: str) -> Account | None:
    """The account when the password is right and the account enabled, else None.

    An unknown username costs one argon2 verification too (against a dummy hash), so the
    answer's timing does not tell which usernames exist. Records the sign-in time and
    rehashes the password when the hasher's parameters have changed.
    """
    try:
        fields = _load(client, normalise_username(username))
    except InvalidAccount:
        fields = None
    if not fields:
        _password_matches(_dummy_hash(), password)
        return None
    stored_hash = fields["password_hash"]
    if not _password_matches(stored_hash, password) or fields["disabled"] == "1":
        return None
    if HASHER.check_needs_rehash(stored_hash):
        new_hash = HASHER.hash(password)
        client.eval(_REHASH, 1, account_key(fields["username"]), stored_hash, new_hash)
    return _update(client, fields["username"], {"last_login_at": repr(time.time())})


def _password_matches(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    if HASHER not in _DUMMY_HASHES:
        _DUMMY_HASHES[HASHER] = HASHER.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[HASHER]


def _check_display_name(display_name: str) -> str:
    name = " ".join((display_name or "").split())
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH or not name.isprintable():
        raise InvalidAccount(f"a display name has 1 to {MAX_DISPLAY_NAME_LENGTH} characters")
    return name


def _new_session_version() -> str:
    return secrets.token_urlsafe(12)


def _load(client: redis.Redis, username: str) -> dict[str, str] | None:
    if not USERNAME_PATTERN.fullmatch(username or ""):
        return None
    return _decode(client.hgetall(account_key(username))) or None


def _update(client: redis.Redis, username: str, changes: dict[str, str]) -> Account:
    username = normalise_username(username)
    flat = [part for pair in changes.items() for part in pair]
    if not client.eval(_UPDATE, 1, account_key(username), *flat):
        raise NoSuchAccount(f"there is no account named {username!r}")
    account = get_account(client, username)
    if account is None:
        raise NoSuchAccount(f"there is no account named {username!r}")
    return account


def _decode(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in raw.items()}


def _account(fields: dict[str, str]) -> Account:
    return Account(username=fields["username"], display_name=fields["display_name"],
                   role=fields["role"], disabled=fields["disabled"] == "1",
                   created_at=float(fields["created_at"]),
                   last_login_at=float(fields["last_login_at"]) if fields["last_login_at"]
                   else None,
                   session_version=fields["session_version"],
                   language=fields.get("language", ""))


# --- command line -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success, 1 on refusal, 2 on bad set-up."""
    from webhook import cli_redis

    args = _parser().parse_args(argv)
    return cli_redis.run(lambda client: _run(client, args), (AccountError,))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m webhook.console.accounts",
                                     description="Manage moderator console accounts.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (("create", "create an account"), ("set-password", "give a new password"),
                       ("disable", "stop an account from signing in and end its sessions"),
                       ("enable", "let a disabled account sign in again")):
        command = commands.add_parser(name, help=text)
        command.add_argument("username")
        if name in ("create", "set-password"):
            command.add_argument("--password-stdin", action="store_true",
                                 help="read the password as one line from standard input")
    commands.choices["create"].add_argument("--role", choices=ROLES, default="moderator")
    commands.choices["create"].add_argument("--name", required=True,
                                            help="the name other staff see")
    commands.add_parser("list", help="list every account")
    for name, text in (("totp-enrol", "add a second factor: prints the key and a QR code, then "
                                      "asks for a code from the app"),
                       ("totp-reset", "remove a lost second factor (admins enrol again at "
                                      "their next sign-in)")):
        commands.add_parser(name, help=text).add_argument("username")
    return parser


def _run(client: redis.Redis, args: argparse.Namespace) -> str:
    """Carry out one parsed command (audited as actor `cli`); return what to print."""
    from webhook.console import audit

    if args.command == "list":
        return _table(list_accounts(client))
    if args.command.startswith("totp-"):
        from webhook.console import totp_cli

        return totp_cli.run(client, args.command, normalise_username(args.username))
    if args.command == "create":
        password = _read_password(args.password_stdin)
        account = create_account(client, args.username, args.name, args.role, password)
        done, action = f"created {account.role} account", "account_created"
    elif args.command == "set-password":
        if get_account(client, normalise_username(args.username)) is None:
            raise NoSuchAccount(f"there is no account named {args.username!r}")
        account = set_password(client, args.username, _read_password(args.password_stdin))
        done, action = "sessions ended: new password for", "password_set"
    else:
        change = disable_account if args.command == "disable" else enable_account
        account = change(client, args.username)
        done, action = f"{args.command}d", f"account_{args.command}d"
    audit.record(client, "cli", action, detail=account.username)
    return f"{done} {account.username!r}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"Password ({MIN_PASSWORD_LENGTH} characters or more): ")
    if getpass.getpass("The same password again: ") != password:
        raise WeakPassword("the two passwords differ")
    return password


def _table(every: list[Account]) -> str:
    if not every:
        return "no accounts yet: create one with `create USERNAME --role admin --name NAME`"
    rows = [("USERNAME", "ROLE", "STATUS", "LAST SIGN-IN (UTC)", "NAME")]
    rows += [(a.username, a.role, "disabled" if a.disabled else "active",
              _utc(a.last_login_at), a.display_name) for a in every]
    return "\n".join(f"{u:<32} {r:<9} {s:<8} {t:<18} {n}" for u, r, s, t, n in rows)


def _utc(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M")


if __name__ == "__main__":
    sys.exit(main())
