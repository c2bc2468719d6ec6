"""The console in Khmer and English: Flask-Babel, the language choice, Phnom Penh times.

Which language a page is in: the signed-in account's choice (stored with the account), else the
choice made on the login page (kept in the session), else the browser's Accept-Language best
match among km and en, else English. `POST /console/language` (a small form on every page,
CSRF-checked like every console form) saves the choice.

Catalogues: webhook/console/translations/km/LC_MESSAGES/messages.po (sources, in git);
`make i18n-extract | i18n-update | i18n-compile`. The compiled .mo is not in git: `make`
compiles it, and `init_app` compiles it too when it is missing or older than the .po, so a
checkout run straight from pytest or gunicorn never shows a stale translation.

Times: every time a page shows is in Asia/Phnom_Penh, formatted for the page's language
(templates: `|localtime` for epoch seconds, `|localtime_iso` for ISO strings).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from babel.dates import get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
)
from flask.typing import ResponseReturnValue
from flask_babel import Babel, format_datetime, get_locale, gettext, pgettext, refresh

from webhook.console import accounts
from webhook.console.auth import current_account, home_url, safe_next
from webhook.handoff.explained import Explained

log = logging.getLogger(__name__)
bp = Blueprint("i18n", __name__, url_prefix="/console")

LANGUAGES = ("en", "km")
DEFAULT_LANGUAGE = "en"
TIMEZONE = "Asia/Phnom_Penh"
TRANSLATIONS = Path(__file__).parent / "translations"
SESSION_KEY = "lang"
# per language: a date and time a moderator reads at a glance (CLDR pattern, Phnom Penh time)
TIME_PATTERN = {"en": "yyyy-MM-dd HH:mm", "km": "dd/MM/yyyy HH:mm"}


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for extraction only"
    """Mark a string for the catalogue without translating it here."""
    return text


# what moderation.js draws itself; it reads them translated from the body's data-strings
SCRIPT_TEXTS = (
    N_("Helpline console"), N_("Claim"), N_("Nobody is waiting."), N_("%(minutes)s min"),
    N_("conversation"), N_("(you)"), N_("None."), N_("Picture the user sent"),
    N_("Download %(kind)s (%(mime)s, %(size)s KB)"), N_("Live updates: on"),
    N_("Live updates: reconnecting…"), N_("A new conversation is waiting."),
    N_("Sound and notifications on"),
)


def select_locale() -> str:
    """The page's language: account, then session, then Accept-Language, then English."""
    if not has_request_context():  # a command or a worker: messages stay in English
        return DEFAULT_LANGUAGE
    account = current_account()
    if account is not None and account.language in LANGUAGES:
        return account.language
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def page_language() -> str:
    """The language code of the page being drawn (for `<html lang>` and scripts)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def switch_target() -> str:
    """Where the language switch returns: this page with its query, keeping a `next` in it only
    when it is a path on this site (the login page never carries an outside address)."""
    if request.method != "GET":
        return ""
    args = [(key, value) for key, value in request.args.items(multi=True)
            if key != "next" or safe_next(value)]
    return f"{request.path}?{urlencode(args)}" if args else request.path


@bp.post("/language")
def choose_language() -> ResponseReturnValue:
    """Save the language chosen on the page (for the account when signed in), then go back."""
    language = request.form.get("lang", "")
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    session[SESSION_KEY] = language
    account = current_account()
    client = current_app.extensions.get("redis")
    if account is not None and client is not None:
        accounts.set_language(client, account.username, language)
        g.pop("console_account", None)
    refresh()
    return redirect(safe_next(request.form.get("next")) or home_url())


def localtime(seconds: float | None) -> str:
    """Epoch seconds as a Phnom Penh date and time in the page's language ('' for none)."""
    if seconds is None or seconds == "":
        return ""
    moment = datetime.fromtimestamp(float(seconds), timezone.utc)
    return format_datetime(moment, TIME_PATTERN.get(page_language(), TIME_PATTERN["en"]))


def localtime_of(moment: datetime) -> str:
    """A datetime (naive means UTC) as Phnom Penh time in the page's language."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment, TIME_PATTERN.get(page_language(), TIME_PATTERN["en"]))


def explain(error: Explained) -> str:
    """A service's error message (webhook.handoff) in the page's language."""
    return gettext(error.text, **error.values)


def explain_window(window: dict) -> str:
    """Why Messenger's window is closed (the conversation's `window` dict), translated."""
    if "reason_text" in window:
        return gettext(window["reason_text"], **window.get("reason_values", {}))
    return str(window.get("reason", ""))


def role_name(role: str) -> str:
    """An account role as the page's language names it."""
    names = {"moderator": pgettext("role", "moderator"), "editor": pgettext("role", "editor"),
             "admin": pgettext("role", "admin")}
    return names.get(role, role)


def owner_name(owner: str) -> str:
    """Who holds a conversation (bot, queued, person) in the page's language."""
    names = {"bot": pgettext("conversation owner", "bot"),
             "queued": pgettext("conversation owner", "queued"),
             "person": pgettext("conversation owner", "person")}
    return names.get(owner, owner)


def weekday_name(day: str) -> str:
    """A weekday code (mon … sun) as the page's language names it, e.g. Monday, ច័ន្ទ."""
    index = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(day)
    return get_day_names("wide", locale=get_locale())[index]


def script_strings() -> dict[str, str]:
    """The strings moderation.js draws itself, translated (read from body's data-strings)."""
    strings = {text: gettext(text) for text in SCRIPT_TEXTS}
    strings.update({owner: owner_name(owner) for owner in ("bot", "queued", "person")})
    return strings


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Write each language's .mo from its .po when missing or older; the files written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source)
        with mo_path.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the console's locale and time-zone choices and template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    try:
        compile_catalogues()
    except OSError as error:  # a read-only install: `make i18n-compile` ran at build time
        log.warning("could not compile the console's translations: %s", error)
    Babel(app, locale_selector=select_locale)
    app.add_template_global(page_language)
    app.add_template_global(switch_target)
    app.add_template_global(role_name)
    app.add_template_global(owner_name)
    app.add_template_global(script_strings)
    app.add_template_global(weekday_name)
    app.add_template_global(explain_window, "window_reason")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(localtime_of, "localtime_of")
