"""The moderator console: accounts, sign-in and access checks, the audit log, and its pages.

`accounts` stores who may sign in and with which role; `auth` holds the login page, the
session, the `login_required` and `role_required` decorators, CSRF checks and security
headers; `audit` records what moderators did, without message text or user ids.
"""
