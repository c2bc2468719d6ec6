"""`make i18n-check` itself: a catalogue with missing, empty, fuzzy and broken translations is
refused line by line, and the console's own Khmer catalogue passes a fresh extract."""

from babel.messages.catalog import Catalog

from webhook.console import i18n_check


def template():
    pot = Catalog()
    for text in ("Sign in", "Queue", "Saved “%(name)s”.", "Send", "Version %(revision)s"):
        pot.add(text)
    pot.add(("%(num)s file", "%(num)s files"))
    pot.add("bot", context="conversation owner")
    return pot


def test_missing_empty_fuzzy_and_broken_translations_are_listed():
    km = Catalog(locale="km")
    km.add("Sign in", "ចូល")
    km.add("Saved “%(name)s”.", "បានរក្សាទុក «%(nom)s»។")  # renamed placeholder
    km.add("Send", "")                                     # untranslated
    km.add("Version %(revision)s", "កំណែ %(revision)s", flags=["fuzzy"])
    km.add(("%(num)s file", "%(num)s files"), ["ឯកសារ %(num)s"])
    km.add("bot", "បូត")                                    # no context: not the same string
    problems = i18n_check.problems(template(), km)
    assert problems == [
        "missing: 'Queue'",
        "placeholders differ: 'Saved “%(name)s”.' -> 'បានរក្សាទុក «%(nom)s»។'",
        "untranslated: 'Send'",
        "fuzzy: 'Version %(revision)s'",
        "missing: 'bot'",
    ]


def test_a_complete_catalogue_has_no_problems():
    km = Catalog(locale="km")
    for message in template():
        if message.id:
            string = (["x %(num)s"] if isinstance(message.id, tuple)
                      else "x " + " ".join(i18n_check.placeholders(message.id)))
            km.add(message.id, string, context=message.context)
    assert i18n_check.problems(template(), km) == []


def test_placeholders_are_counted_in_any_order():
    assert i18n_check.placeholders("%(a)s %(b)s {x}") == i18n_check.placeholders("{x} %(b)s %(a)s")
    assert i18n_check.placeholders("%(a)s") != i18n_check.placeholders("%(a)s %(a)s")


def test_the_console_catalogue_covers_a_fresh_extract():
    assert i18n_check.check(["km"]) == []
