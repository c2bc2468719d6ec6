"""The content store: seeding, versions, drafts, conflicts, restore, live reads, export/import."""

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.project import RESPONSES
from webhook.content import transfer
from webhook.content.codec import response_to_data
from webhook.content.loader import ContentError, load_folder
from webhook.content.model import SETTINGS_ITEM
from webhook.content.published import PublishedContent
from webhook.content.versions import Conflict, ContentVersions, Opened


@pytest.fixture
def versions(redis_db):
    store = ContentVersions(redis_db)
    store.seed(load_folder(RESPONSES))
    return store


def _greeting(versions):
    data, _ = versions.item("utter_greet")
    return data


def _with_km_text(data, text):
    changed = {**data, "km": {**data["km"], "bubbles": [text]}}
    return changed


def test_seeding_gives_exactly_what_the_files_hold(versions):
    revision, content = versions.snapshot()
    files = load_folder(RESPONSES)
    assert revision == len(files.responses) + 1  # a version per answer, and the settings
    assert content.responses == files.responses
    assert content.settings == files.settings
    assert content.topics == files.topics
    assert list(content.responses) == list(files.responses)  # file order kept


def test_seeding_again_adds_only_what_is_new_and_keeps_edits(versions, redis_db):
    edited = _with_km_text(_greeting(versions), "សួស្តី!")
    versions.publish("utter_greet", edited, versions.opened("utter_greet"), "dara", "shorter")
    before = versions.revision()
    assert versions.seed(load_folder(RESPONSES)) == []
    assert versions.revision() == before
    assert _greeting(versions)["km"]["bubbles"] == ["សួស្តី!"]


def test_a_published_change_is_a_version_with_author_time_and_comment(versions):
    opened = versions.opened("utter_greet")
    edited = _with_km_text(_greeting(versions), "សួស្តី! តើខ្ញុំអាចជួយអ្វីបាន?")
    revision = versions.publish("utter_greet", edited, opened, "dara", "friendlier greeting")
    latest = versions.history("utter_greet")[0]
    assert (latest.revision, latest.author, latest.comment) == (revision, "dara",
                                                                "friendlier greeting")
    assert latest.time > 0 and latest.languages == ("km",)
    assert latest.data == edited
    assert versions.language_revisions("utter_greet")["km"] == revision
    assert versions.language_revisions("utter_greet")["en"] < revision


def test_restore_brings_an_old_version_back_as_a_new_version(versions):
    original = _greeting(versions)
    first = versions.history("utter_greet")[0].revision
    versions.publish("utter_greet", _with_km_text(original, "ថ្មី"),
                     versions.opened("utter_greet"), "dara", "try")
    restored = versions.restore("utter_greet", first, versions.opened("utter_greet"), "sokha")
    assert _greeting(versions) == original
    assert versions.history("utter_greet")[0].comment == f"Restored version {first}"
    assert versions.history("utter_greet")[0].revision == restored
    with pytest.raises(KeyError):
        versions.restore("utter_help", first, versions.opened("utter_help"), "sokha")


def test_the_second_of_two_editors_is_told_instead_of_overwriting(versions):
    both_open = versions.opened("utter_greet")
    data = _greeting(versions)
    versions.publish("utter_greet", _with_km_text(data, "A"), both_open, "dara", "a")
    with pytest.raises(Conflict) as refused:
        versions.publish("utter_greet", _with_km_text(data, "B"), both_open, "sokha", "b")
    assert refused.value.latest.author == "dara"
    assert _greeting(versions)["km"]["bubbles"] == ["A"]
    with pytest.raises(Conflict):
        versions.save_draft("utter_greet", _with_km_text(data, "B"), both_open, "sokha")


def test_drafts_are_kept_apart_from_what_users_see_until_published(versions):
    opened = versions.opened("utter_greet")
    data = _greeting(versions)
    draft = versions.save_draft("utter_greet", _with_km_text(data, "draft"), opened, "dara")
    assert _greeting(versions) == data
    assert versions.draft("utter_greet").data["km"]["bubbles"] == ["draft"]
    with pytest.raises(Conflict) as refused:  # opened before the draft existed
        versions.save_draft("utter_greet", data, opened, "sokha")
    assert refused.value.draft.author == "dara"
    now = Opened(opened.revision, draft.stamp)
    versions.publish("utter_greet", _with_km_text(data, "draft"), now, "dara", "ok")
    assert versions.draft("utter_greet") is None
    versions.save_draft("utter_greet", data, versions.opened("utter_greet"), "dara")
    versions.discard_draft("utter_greet")
    assert versions.draft("utter_greet") is None


def test_exactly_one_of_many_simultaneous_publishes_wins(versions):
    opened, data = versions.opened("utter_greet"), _greeting(versions)
    outcomes, start = [], threading.Barrier(8)

    def publish(index):
        start.wait()
        try:
            versions.publish("utter_greet", _with_km_text(data, str(index)), opened, "x", "")
            outcomes.append("won")
        except Conflict:
            outcomes.append("told")

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["told"] * 7 + ["won"]


def test_a_published_change_is_served_at_once_by_every_process(redis_db):
    first, second = PublishedContent(redis_db, RESPONSES), PublishedContent(redis_db, RESPONSES)
    assert first.reply("utter_greet", "km") == second.reply("utter_greet", "km")
    versions = first.versions
    edited = _with_km_text(versions.item("utter_greet")[0], "សួស្តី ពី {org_name}")
    versions.publish("utter_greet", edited, versions.opened("utter_greet"), "dara", "")
    for process in (first, second):
        assert process.reply("utter_greet", "km")["text"] == "សួស្តី ពី ខ្សែជំនួយសិទ្ធិឌីជីថល"


def test_settings_are_versioned_like_answers(versions):
    data, _ = versions.item(SETTINGS_ITEM)
    data["settings"]["org_phone"]["value"] = "+855 12 345 678"
    versions.publish(SETTINGS_ITEM, data, versions.opened(SETTINGS_ITEM), "admin", "phone")
    _, content = versions.snapshot()
    assert content.settings.value("org_phone", "km") == "+855 12 345 678"
    assert versions.history(SETTINGS_ITEM)[0].comment == "phone"


def test_export_writes_the_files_back_byte_for_byte(versions, redis_db, tmp_path):
    transfer.export(redis_db, tmp_path)
    for original in sorted(RESPONSES.glob("*.yml")):
        assert (tmp_path / original.name).read_text() == original.read_text(), original.name
    assert sorted(p.name for p in tmp_path.glob("*.yml")) == \
        sorted(p.name for p in RESPONSES.glob("*.yml"))


def test_an_edit_survives_export_and_import_into_a_new_store(versions, redis_db, tmp_path):
    edited = _with_km_text(_greeting(versions), "សួស្តី!\n\n1. ជំហាន «ទី១»")
    edited["note"] = "Said first: keep it short."
    versions.publish("utter_greet", edited, versions.opened("utter_greet"), "dara", "")
    transfer.export(redis_db, tmp_path)
    _, published = versions.snapshot()
    redis_db.flushdb()
    message = transfer.import_folder(redis_db, tmp_path, "deploy", "new server")
    assert "imported" in message
    _, imported = ContentVersions(redis_db).snapshot()
    assert imported == published


def test_import_publishes_only_what_changed_and_refuses_broken_files(versions, redis_db,
                                                                    tmp_path):
    transfer.export(redis_db, tmp_path)
    assert "already matched" in transfer.import_folder(redis_db, tmp_path, "x", "")
    scams = tmp_path / "scams.yml"
    scams.write_text(scams.read_text().replace("title: I lost money",
                                               "title: I lost money and my phone"))
    before = versions.revision()
    with pytest.raises(ContentError, match="quick_replies.*at most 20"):
        transfer.import_folder(redis_db, tmp_path, "x", "")
    assert versions.revision() == before
    scams.write_text(scams.read_text().replace("I lost money and my phone", "Money lost"))
    assert "utter_scam_check" in transfer.import_folder(redis_db, tmp_path, "x", "fix")


def test_the_command_line_reports_a_missing_redis_clearly(monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", "")
    assert transfer.main(["export", "--to", "/tmp/nowhere"]) == 2
    assert "REDIS_URL is not set" in capsys.readouterr().err


def test_a_note_round_trips_through_the_plain_form():
    response = load_folder(RESPONSES).responses["utter_scam_victim"]
    assert response.note.startswith("Urgent.")
    assert response_to_data(replace(response, note=""))["en"] == response_to_data(response)["en"]


def test_export_of_an_empty_store_is_refused(redis_db, tmp_path):
    with pytest.raises(ContentError, match="empty"):
        transfer.export(redis_db, Path(tmp_path))


def test_a_store_that_lost_its_data_is_seeded_again_from_the_files(redis_db):
    content = PublishedContent(redis_db, RESPONSES)
    greeting = content.reply("utter_greet", "en")
    redis_db.flushdb()  # Redis restarted without its append-only file
    assert content.reply("utter_greet", "en") == greeting
