"""The answer editor's form: the posted fields as an answer's plain data, and problems by field.

Each language has repeated fields: `<lang>-bubble`, `<lang>-qr-title`/`<lang>-qr-payload`,
`<lang>-button-title`/`<lang>-button-target` and `<lang>-image`. Empty rows are dropped, so the
page can always offer a spare row to fill in.
"""

from __future__ import annotations

import re
from itertools import zip_longest
from typing import Any

from flask_babel import gettext, lazy_gettext
from werkzeug.datastructures import MultiDict

from webhook.content.model import LANGUAGES
from webhook.content.validate import Problem

LANGUAGE_NAMES = {"en": lazy_gettext("English"), "km": lazy_gettext("Khmer")}
_FIELD = re.compile(r"^(?P<language>en|km)(?:\.(?P<kind>[a-z_]+)(?:\[(?P<index>\d+)\])?"
                    r"(?:\.(?P<part>[a-z]+))?)?$")
_KIND_NAMES = {"bubbles": lazy_gettext("bubble"), "quick_replies": lazy_gettext("quick reply"),
               "buttons": lazy_gettext("button"), "image": lazy_gettext("image")}
_PART_NAMES = {"title": lazy_gettext("title"), "payload": lazy_gettext("goes to"),
               "url": lazy_gettext("link")}


def answer_from_form(form: MultiDict, published: dict[str, Any]) -> dict[str, Any]:
    """The answer's plain data (as stored) from the posted form.

    What the form does not edit (its topic, a system command) is kept from `published`.
    """
    data: dict[str, Any] = {key: published[key] for key in ("topic", "command")
                            if key in published}
    note = form.get("note", "").strip()
    if note:
        data["note"] = note
    for language in LANGUAGES:
        version = _version_from_form(form, language)
        if version:
            data[language] = version
    return data


def _version_from_form(form: MultiDict, language: str) -> dict[str, Any] | None:
    bubbles = [_clean(text) for text in form.getlist(f"{language}-bubble")]
    version: dict[str, Any] = {"bubbles": [text for text in bubbles if text]}
    quick = _rows(form, f"{language}-qr-title", f"{language}-qr-payload")
    if quick:
        version["quick_replies"] = [{"title": title, "payload": payload}
                                    for title, payload in quick]
    buttons = _rows(form, f"{language}-button-title", f"{language}-button-target")
    if buttons:
        version["buttons"] = [_button(title, target) for title, target in buttons]
    image = form.get(f"{language}-image", "").strip()
    if image:
        version["image"] = image
    return version if version != {"bubbles": []} else None


def _rows(form: MultiDict, first: str, second: str) -> list[tuple[str, str]]:
    pairs = zip_longest(form.getlist(first), form.getlist(second), fillvalue="")
    return [(a.strip(), b.strip()) for a, b in pairs if a.strip() or b.strip()]


def _button(title: str, target: str) -> dict[str, str]:
    if target.startswith("/"):
        return {"title": title, "payload": target}
    return {"title": title, "url": target}


def _clean(text: str) -> str:
    """Browsers send CRLF line ends; answers use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def problems_by_field(problems: list[Problem], name: str) -> dict[str, list[str]]:
    """Problems keyed by the field they concern: `en`, `km.bubbles[0]`,
    `en.quick_replies[2].title`, ... (`_` for the answer as a whole)."""
    fields: dict[str, list[str]] = {}
    for problem in problems:
        _, _, rest = problem.where.partition(f"{name}.")
        fields.setdefault(rest if _FIELD.match(rest) else "_", []).append(problem.message)
    return fields


def field_label(field: str) -> str:
    """`en.quick_replies[2].title` → "English · quick reply 3 · title"."""
    match = _FIELD.match(field)
    if not match:
        return gettext("This answer")
    parts = [str(LANGUAGE_NAMES[match["language"]])]
    if match["kind"]:
        kind = _KIND_NAMES.get(match["kind"], match["kind"].replace("_", " "))
        parts.append(f"{kind} {int(match['index']) + 1}" if match["index"] else str(kind))
    if match["part"]:
        parts.append(str(_PART_NAMES.get(match["part"], match["part"])))
    return " · ".join(parts)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def settings_from_form(form: MultiDict, current: dict[str, Any]) -> dict[str, Any]:
    """The settings' plain data from the posted form; the set of settings stays as it is."""
    entries = {}
    for key, entry in (current.get("settings") or {}).items():
        updated = {k: v for k, v in entry.items() if k == "help"}
        if "value" in entry:
            updated = {"value": form.get(f"s-{key}", "").strip(), **updated}
        else:
            updated = {**{language: form.get(f"s-{key}-{language}", "").strip()
                          for language in LANGUAGES}, **updated}
        entries[key] = updated
    schedule = {
        "timezone": form.get("timezone", "").strip(),
        "days": [day for day in WEEKDAYS if day in form.getlist("days")],
        "open": form.get("open", "").strip(),
        "close": form.get("close", "").strip(),
    }
    data = {key: value for key, value in current.items() if key == "about"}
    data.update({"default_language": form.get("default_language", ""), "settings": entries,
                 "office_hours_schedule": schedule})
    return data
