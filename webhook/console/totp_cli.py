"""`python -m webhook.console.accounts totp-enrol|totp-reset USERNAME` (and `make account`):
a second factor from the command line, for an admin who cannot enrol in the browser."""

from __future__ import annotations

import io
import sys

import qrcode
import redis

from webhook.console import audit, totp
from webhook.console.accounts import AccountError, NoSuchAccount, account_key


def run(client: redis.Redis, command: str, username: str) -> str:
    """Carry out a totp-* command (audited as actor `cli`); what to print at the end."""
    if not client.exists(account_key(username)):
        raise NoSuchAccount(f"there is no account named {username!r}")
    if command == "totp-reset":
        totp.reset(client, username)
        audit.record(client, "cli", "totp_reset", detail=username)
        return f"second factor removed for {username!r}"
    secret = totp.start_enrolment(client, username)
    uri = totp.provisioning_uri(username, secret)
    print(f"Scan this with the authenticator app, or type the key {secret}\n{_ascii_qr(uri)}"
          f"\n{uri}")
    code = input("The 6-digit code the app shows: ") if sys.stdin.isatty() else \
        sys.stdin.readline()
    if not totp.confirm_enrolment(client, username, code.strip()):
        raise AccountError("that code is not right: run the command again")
    audit.record(client, "cli", "totp_enrolled", detail=username)
    return f"second factor on for {username!r}"


def _ascii_qr(uri: str) -> str:
    code = qrcode.QRCode(border=1)
    code.add_data(uri)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()
