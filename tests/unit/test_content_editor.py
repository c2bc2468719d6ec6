"""The content editor in the console, with Flask's test client and real Redis."""

import re

import pytest

from tests.unit.console_client import page_token, sign_in
from webhook import create_app
from webhook.console import audit
from webhook.console.accounts import create_account

PASSWORD = "a long enough passphrase"
GREET = "/console/content/a/utter_greet"


@pytest.fixture
def app(redis_server, redis_db):
    app = create_app({"TESTING": True, "REDIS_URL": redis_server, "FB_APP_SECRET": "secret",
                      "FB_PAGE_ACCESS_TOKEN": "token", "FB_VERIFY_TOKEN": "v",
                      "SECRET_KEY": "test-key" * 4, "SESSION_COOKIE_SECURE": False})
    for name, role in (("kanha", "editor"), ("vanna", "editor"), ("dara", "moderator"),
                       ("admin1", "admin")):
        create_account(redis_db, name, name.title(), role, PASSWORD)
    return app


def signed_in(app, username):
    client = app.test_client()
    sign_in(client, username, PASSWORD)
    return client


def form_of(page):
    """The answer form's fields as the browser would post them (lists for repeated names)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        fields.setdefault(name, []).append(_unescape(value))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>',
                                  page):
        fields.setdefault(name, []).append(_unescape(value))
    return fields


def _unescape(text):
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))


def open_greeting(client):
    page = client.get(GREET).get_data(as_text=True)
    return form_of(page)


def nlg_text(app, name="utter_greet", language="km"):
    return app.extensions["content_store"].reply(name, language)["text"]


def test_editors_see_answers_by_topic_with_translation_status(app):
    page = signed_in(app, "kanha").get("/console/content/").get_data(as_text=True)
    assert "Basics" in page and "utter_greet" in page and "utter_scam_victim" in page
    assert 'class="chip chip-ok">complete' in page


def test_the_editor_lands_editors_on_the_answers(app):
    answer = sign_in(app.test_client(), "kanha", PASSWORD)
    assert answer.headers["Location"].endswith("/console/content/")


def test_moderators_and_strangers_cannot_reach_the_editor(app):
    moderator = signed_in(app, "dara")
    for path in ("/console/content/", GREET, "/console/content/settings",
                 "/console/content/utter_greet/history"):
        assert moderator.get(path).status_code == 403
        assert app.test_client().get(path).status_code == 302
    token = page_token(moderator, "/console/")
    assert moderator.post(GREET, data={"action": "publish", "csrf_token": token}
                          ).status_code == 403


def test_a_published_khmer_edit_is_the_next_answer(app, redis_db):
    client = signed_in(app, "kanha")
    form = open_greeting(client)
    form["km-bubble"][0] = "សួស្តី! ខ្ញុំជាជំនួយការ {org_name}។"
    answer = client.post(GREET, data={**form, "action": "publish", "comment": "shorter"})
    assert answer.status_code == 302
    assert nlg_text(app).startswith("សួស្តី! ខ្ញុំជាជំនួយការ ខ្សែជំនួយសិទ្ធិឌីជីថល។")
    history = client.get("/console/content/utter_greet/history").get_data(as_text=True)
    assert "shorter" in history and "<td>kanha</td>" in history
    assert audit.recent(redis_db, action="content_publish")[0].detail == "utter_greet"


def test_a_draft_is_not_served_until_published(app):
    client = signed_in(app, "kanha")
    before = nlg_text(app)
    form = open_greeting(client)
    form["km-bubble"][0] = "ព្រាង"
    assert client.post(GREET, data={**form, "action": "save"}).status_code == 302
    assert nlg_text(app) == before
    page = client.get(GREET).get_data(as_text=True)
    assert "Draft by kanha" in page and "ព្រាង" in page
    client.post(GREET, data={**open_greeting(client), "action": "discard"})
    assert "ព្រាង" not in client.get(GREET).get_data(as_text=True)


def test_a_too_long_quick_reply_title_is_refused_next_to_the_field(app):
    client = signed_in(app, "kanha")
    form = open_greeting(client)
    before = nlg_text(app, language="en")
    form["en-qr-title"][0] = "A title of 25 characters"[:20] + "xxxxx"
    answer = client.post(GREET, data={**form, "action": "publish"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'data-field="en.quick_replies[0].title">25 characters; at most 20' in page
    assert "English · quick reply 1 · title: 25 characters; at most 20" in page
    assert nlg_text(app, language="en") == before


def test_an_answer_without_english_is_refused(app):
    client = signed_in(app, "kanha")
    form = open_greeting(client)
    for field in ("en-bubble", "en-qr-title", "en-qr-payload", "en-button-title",
                  "en-button-target", "en-image"):
        form[field] = [""] * len(form.get(field, [""]))
    answer = client.post(GREET, data={**form, "action": "publish"})
    assert answer.status_code == 422
    assert "missing: every answer needs English and Khmer" in answer.get_data(as_text=True)
    assert nlg_text(app, language="en")


def test_the_second_editor_is_told_the_answer_changed_since_they_opened_it(app):
    first, second = signed_in(app, "kanha"), signed_in(app, "vanna")
    form_a, form_b = open_greeting(first), open_greeting(second)
    form_a["km-bubble"][0] = "កំណែ A"
    form_b["km-bubble"][0] = "កំណែ B"
    assert first.post(GREET, data={**form_a, "action": "publish"}).status_code == 302
    refused = second.post(GREET, data={**form_b, "action": "publish"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "kanha published version" in page and "nothing of theirs was overwritten" in page
    assert "កំណែ B" in page  # their text is still in the form
    assert nlg_text(app).startswith("កំណែ A")


def test_history_shows_a_readable_diff_and_restore_brings_the_old_text_back(app):
    client = signed_in(app, "kanha")
    original = nlg_text(app)
    form = open_greeting(client)
    form["km-bubble"][0] = "អត្ថបទថ្មី"
    client.post(GREET, data={**form, "action": "publish", "comment": "try"})
    history = client.get("/console/content/utter_greet/history").get_data(as_text=True)
    revisions = re.findall(r'data-revision="(\d+)"', history)
    latest, first = revisions[0], revisions[-1]
    diff = client.get(f"/console/content/utter_greet/diff/{latest}").get_data(as_text=True)
    assert '<span class="diff-added">+ ' in diff and "អត្ថបទថ្មី" in diff
    assert '<span class="diff-removed">− ' in diff
    opened = re.search(r'name="opened" value="([^"]+)"', history).group(1)
    answer = client.post(f"/console/content/utter_greet/restore/{first}",
                         data={"opened": opened, "csrf_token": form["csrf_token"][0]})
    assert answer.status_code == 302
    assert nlg_text(app) == original
    assert f"Restored version {first}" in client.get(
        "/console/content/utter_greet/history").get_data(as_text=True)


def test_restore_with_a_stale_page_is_refused(app):
    client = signed_in(app, "kanha")
    history = client.get("/console/content/utter_greet/history").get_data(as_text=True)
    first = re.findall(r'data-revision="(\d+)"', history)[-1]
    form = open_greeting(client)
    form["km-bubble"][0] = "ផ្សេង"
    client.post(GREET, data={**form, "action": "publish"})
    client.post(f"/console/content/utter_greet/restore/{first}",
                data={"opened": "0.", "csrf_token": form["csrf_token"][0]})
    assert nlg_text(app).startswith("ផ្សេង")


def test_the_live_preview_draws_bubbles_and_escapes_markup(app):
    client = signed_in(app, "kanha")
    form = open_greeting(client)
    form["en-bubble"][0] = "<script>alert(1)</script> Hello from {org_name}"
    answer = client.post(f"{GREET}/preview", data=form,
                         headers={"X-CSRF-Token": form["csrf_token"][0]})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hello from the digital rights helpline" in page
    assert "<script>" not in page and 'class="quick-reply"' in page


def test_posting_without_the_csrf_token_is_refused(app):
    client = signed_in(app, "kanha")
    form = open_greeting(client)
    form.pop("csrf_token")
    assert client.post(GREET, data={**form, "action": "publish"}).status_code == 400


def test_settings_are_edited_and_used_by_answers_at_once(app):
    client = signed_in(app, "admin1")
    page = client.get("/console/content/settings").get_data(as_text=True)
    form = form_of(page)
    form["s-org_name-en"] = ["Open Line"]
    form["timezone"], form["open"], form["close"] = ["Asia/Phnom_Penh"], ["08:00"], ["17:00"]
    form["days"] = ["mon", "tue"]
    form["default_language"] = ["km"]
    answer = client.post("/console/content/settings", data={**form, "action": "publish"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert "Open Line" in nlg_text(app, language="en")
    settings = app.extensions["content_store"].settings()
    assert settings.office_hours_schedule["days"] == ["mon", "tue"]


def test_bad_settings_are_refused_with_the_reason(app):
    client = signed_in(app, "kanha")
    form = form_of(client.get("/console/content/settings").get_data(as_text=True))
    form["s-police_report_url"] = ["http://hotline.example"]
    form["s-org_name-km"] = [""]
    form["open"], form["close"], form["timezone"] = ["18:00"], ["17:00"], ["Asia/Phnom_Penh"]
    form["days"], form["default_language"] = ["mon"], ["km"]
    answer = client.post("/console/content/settings", data={**form, "action": "publish"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "links must start with https://" in page and "must not be empty" in page
    assert "must be after open" in page
    assert app.extensions["content_store"].settings().value(
        "police_report_url", "en").startswith("https://")


def test_an_unknown_answer_is_a_clear_404(app):
    answer = signed_in(app, "kanha").get("/console/content/a/utter_nothing")
    assert answer.status_code == 404


def test_publishing_keeps_what_the_form_does_not_edit(app):
    client = signed_in(app, "kanha")
    path = "/console/content/a/utter_handoff"
    form = form_of(client.get(path).get_data(as_text=True))
    form["en-bubble"][0] = "Connecting you with a person now."
    assert client.post(path, data={**form, "action": "publish"}).status_code == 302
    reply = app.extensions["content_store"].reply("utter_handoff", "en")
    assert reply["text"].startswith("Connecting you with a person now.")
    assert reply["custom"]["command"] == "handoff"


def test_publishing_a_guided_step_checks_its_whole_tree(app):
    client = signed_in(app, "kanha")
    url = "/console/content/a/guide_harassment_what"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="/guide{&#34;to&#34;:&#34;guide_harassment_threats&#34;}">' in page
    form = form_of(page)
    # the only way to the "threats" step goes: that step would be unreachable
    for language in ("en", "km"):
        payloads = form[f"{language}-qr-payload"]
        index = next(i for i, p in enumerate(payloads) if "guide_harassment_threats" in p)
        form[f"{language}-qr-payload"][index] = ""
        form[f"{language}-qr-title"][index] = ""
    answer = client.post(url, data={**form, "action": "publish"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "guides/harassment.yml: guide_harassment_threats: no quick reply of the tree " \
           "leads here (unreachable)" in page
    assert app.extensions["content_store"].reply("guide_harassment_what", "en")["buttons"][1][
        "payload"] == '/guide{"to":"guide_harassment_threats"}'
