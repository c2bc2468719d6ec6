"""`make i18n-check`: every console string has a Khmer translation with the same placeholders.

    python -m webhook.console.i18n_check [LANGUAGE ...]

Extracts the console's strings afresh (pybabel extract with babel.cfg, into a temporary .pot,
so a string added to a template but never extracted is caught too), then lists each one that
is missing from the language's messages.po, untranslated, fuzzy, or whose placeholders
(%(name)s, %s, {name}) differ from the English. Exit status 1 when anything is listed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webhook" / "console" / "translations"
# besides pybabel's defaults (_, gettext, ngettext, N_, …): lazy strings, and the messages of
# webhook.handoff's errors (webhook.handoff.explained), which the console shows translated
KEYWORDS = ("lazy_gettext", "_l", "NotAllowed", "WindowClosed")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def extract(root: Path = ROOT) -> Catalog:
    """The console's strings as they are in the code now (a fresh pybabel extract)."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        command = [str(Path(sys.executable).parent / "pybabel"), "-q", "extract",
                   "-F", str(root / "babel.cfg"), "-o", str(pot)]
        command += [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
        subprocess.run([*command, "."], cwd=root, check=True)
        with pot.open("rb") as source:
            return read_po(source)


def placeholders(text: str) -> Counter[str]:
    """The placeholders in a message, counted (their order may change in a translation)."""
    return Counter(PLACEHOLDER.findall(text))


def problems(template: Catalog, translated: Catalog) -> list[str]:
    """One line per string of `template` that `translated` does not translate properly."""
    found = []
    for message in template:
        if not message.id:
            continue
        found += _message_problems(message, translated.get(message.id, message.context))
    return found


def _message_problems(wanted: Message, have: Message | None) -> list[str]:
    key = _text(wanted.id)
    if have is None:
        return [f"missing: {key!r}"]
    if have.fuzzy:
        return [f"fuzzy: {key!r}"]
    sources = wanted.id if isinstance(wanted.id, (list, tuple)) else [wanted.id]
    strings = have.string if isinstance(have.string, (list, tuple)) else [have.string]
    if not all(strings):
        return [f"untranslated: {key!r}"]
    allowed = [placeholders(source) for source in sources]
    wrong = [string for string in strings if placeholders(string) not in allowed]
    return [f"placeholders differ: {key!r} -> {_text(s)!r}" for s in wrong]


def _text(value: str | tuple[str, ...] | list[str]) -> str:
    return value if isinstance(value, str) else value[0]


def check(languages: list[str]) -> list[str]:
    """Problems of every language's catalogue against a fresh extract."""
    template = extract()
    found = []
    for language in languages:
        po_path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            found.append(f"{language}: no catalogue at {po_path.relative_to(ROOT)}")
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source)
        if catalogue.fuzzy:
            found.append(f"{language}: the header is marked fuzzy: pybabel compile skips it all")
        found += [f"{language}: {line}" for line in problems(template, catalogue)]
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the problems; 1 when there are any."""
    found = check(list(argv if argv is not None else sys.argv[1:]) or ["km"])
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} console string(s) need a translation: make i18n-update, "
              "translate them in the .po, then make i18n-compile", file=sys.stderr)
        return 1
    print("every console string is translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
