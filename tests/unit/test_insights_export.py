"""Assigned examples -> nlu_data/<language>/studio_examples.yml, always in a temporary folder
(writing the real nlu_data/ would change the model's hash and force a retrain)."""

import os
import time

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from webhook import cli_redis
from webhook.insights import examples, nlu_export
from webhook.insights.nlu_export import export

EXISTING_EN = """version: "3.1"
nlu:
- intent: scam_check
  examples: |
    - is this a scam
    - can I trust this [ABA](bank) message
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "nlu" / "en").mkdir(parents=True)
    (tmp_path / "nlu" / "en" / "scams.yml").write_text(EXISTING_EN, encoding="utf-8")
    return tmp_path / "nlu"


def _assign(client, items, intent, now=None):
    return examples.assign(client, items, intent, "editor1", now or time.time())


def _read(path):
    reader = RasaYAMLReader()
    data = reader.reads(path.read_text(encoding="utf-8"))
    return sorted((m.get("intent"), m.get("text")) for m in data.intent_examples)


def test_assigned_examples_are_written_per_language_and_marked_exported(redis_db, folder):
    _assign(redis_db, [("where do I report a fake ministry page", "en"),
                       ("page ក្រសួងក្លែងក្លាយ រាយការណ៍នៅណា", "km"),
                       ("page krosuong klaeng klay report nov na", "km-Latn")], "gov_page_verify")
    _assign(redis_db, [("someone is sending me threats on telegram", "en")], "online_harassment")
    result = export(redis_db, folder, now=1000.0)
    en = folder / "en" / "studio_examples.yml"
    assert result.written == {en: 2, folder / "km" / "studio_examples.yml": 1,
                              folder / "km-Latn" / "studio_examples.yml": 1}
    assert _read(en) == [("gov_page_verify", "where do I report a fake ministry page"),
                         ("online_harassment", "someone is sending me threats on telegram")]
    text = en.read_text(encoding="utf-8")
    assert text.startswith("# Examples staff assigned") and 'version: "3.1"\nnlu:\n' in text
    assert "- intent: gov_page_verify\n  examples: |\n    - where do I report" in text
    assert _read(folder / "km" / "studio_examples.yml") == [
        ("gov_page_verify", "page ក្រសួងក្លែងក្លាយ រាយការណ៍នៅណា")]
    everything = examples.all_examples(redis_db, time.time(), 10**9)
    assert all(example.exported_at == 1000.0 for example in everything)
    assert export(redis_db, folder).written == {}, "a second export has nothing new"


def test_examples_already_in_the_training_data_are_skipped(redis_db, folder):
    _assign(redis_db, [("Is this a scam?", "en"), ("can i trust this aba message", "en"),
                       ("is this facebook message a scam or real", "en")], "scam_check")
    result = export(redis_db, folder)
    assert sorted(example.text for example in result.already_present) == [
        "Is this a scam?", "can i trust this aba message"]
    assert _read(folder / "en" / "studio_examples.yml") == [
        ("scam_check", "is this facebook message a scam or real")]
    assert len(examples.all_examples(redis_db, time.time(), 10**9)) == 1


def test_examples_in_the_held_out_set_are_skipped_too(redis_db, folder, tmp_path):
    held_out = tmp_path / "eval"
    held_out.mkdir()
    (held_out / "en.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n'
                                     "    - hello there friend\n", encoding="utf-8")
    _assign(redis_db, [("hello there friend", "en")], "greet")
    assert export(redis_db, folder, [held_out]).written == {}


def test_a_later_export_adds_to_the_file(redis_db, folder):
    _assign(redis_db, [("what is two factor login", "en")], "two_factor")
    export(redis_db, folder)
    _assign(redis_db, [("how do I turn on 2fa on tiktok", "en"),
                       ("my account was stolen yesterday", "en")], "two_factor")
    _assign(redis_db, [("someone hacked my instagram last night", "en")], "account_hacked")
    export(redis_db, folder)
    assert _read(folder / "en" / "studio_examples.yml") == [
        ("account_hacked", "someone hacked my instagram last night"),
        ("two_factor", "how do I turn on 2fa on tiktok"),
        ("two_factor", "my account was stolen yesterday"),
        ("two_factor", "what is two factor login")]


def test_text_rasa_would_misread_is_not_exported(redis_db, folder):
    _assign(redis_db, [("call [my bank](bank) now please", "en"),
                       ("line one\nline two: with a colon # and a hash", "en")], "scam_check")
    result = export(redis_db, folder)
    assert [example.text for example in result.refused] == ["call [my bank](bank) now please"]
    assert _read(folder / "en" / "studio_examples.yml") == [
        ("scam_check", "line one line two: with a colon # and a hash")]


def test_the_same_text_assigned_twice_is_one_example_and_the_last_intent_wins(redis_db):
    _assign(redis_db, [("my page was copied", "en")], "account_hacked")
    _assign(redis_db, [("My page was copied!", "en")], "scam_report")
    [example] = examples.all_examples(redis_db, time.time(), 10**9)
    assert example.intent == "scam_report"


def test_unknown_languages_are_not_assigned(redis_db):
    assert _assign(redis_db, [("👍", ""), ("ok", "fr")], "thank") == 0


def test_exported_examples_wait_until_a_newer_model_exists(redis_db, folder, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    model = models / "helpline-abc.tar.gz"
    model.write_bytes(b"")
    os.utime(model, (2000, 2000))
    _assign(redis_db, [("a question about a scam call", "en")], "scam_check")
    export(redis_db, folder, now=3000.0)
    everything = examples.all_examples(redis_db, 3000.0, 10**9)
    assert [e.text for e in examples.awaiting_training(everything, models)] == [
        "a question about a scam call"]
    os.utime(model, (4000, 4000))  # trained after the export
    assert examples.awaiting_training(everything, models) == []


def test_the_command_needs_redis(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli_redis.config, "from_environment", lambda: {"REDIS_URL": ""})
    assert nlu_export.main(["--folder", str(tmp_path)]) == 2
    assert "REDIS_URL is not set" in capsys.readouterr().err


def test_the_command_exports_into_the_given_folder(redis_db, redis_server, monkeypatch, capsys,
                                                   folder):
    monkeypatch.setattr(cli_redis.config, "from_environment",
                        lambda: {"REDIS_URL": redis_server})
    _assign(redis_db, [("is this sms from the bank real", "en")], "scam_check")
    assert nlu_export.main(["--folder", str(folder), "--skip-also", str(folder)]) == 0
    assert "wrote 1 example(s)" in capsys.readouterr().out
    assert (folder / "en" / "studio_examples.yml").exists()
