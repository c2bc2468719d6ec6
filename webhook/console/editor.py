"""The content editor: answers by topic, English and Khmer side by side, a phone preview,
drafts, publishing with validation, history with diffs, restore, and the settings.

For the editor and admin roles. Views check access, turn the form into data, and call the
content store (webhook.content.versions); a publish is used by the next answer.
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from bot.project import intents
from webhook.console import audit
from webhook.console.auth import current_account, role_required
from webhook.console.content_form import (
    LANGUAGE_NAMES,
    WEEKDAYS,
    answer_from_form,
    field_label,
    problems_by_field,
    settings_from_form,
)
from webhook.console.i18n import localtime
from webhook.content.codec import ContentError, settings_from_data
from webhook.content.completeness import topic_rows
from webhook.content.diff import item_diff
from webhook.content.model import LANGUAGES, SETTINGS_ITEM
from webhook.content.preview import messenger_messages
from webhook.content.published import PublishedContent
from webhook.content.validate import Problem, response_problems, settings_problems
from webhook.content.versions import Conflict, ContentVersions, Opened, response_from_item
from webhook.feedback.store import FeedbackStore
from webhook.guides.check import problems_with_step
from webhook.guides.tree import step_payloads
from webhook.insights.days import last_days

FEEDBACK_DAYS = 30
bp = Blueprint("editor", __name__, url_prefix="/console/content", template_folder="templates")
EDITORS = ("editor",)  # admins pass every role check


def _store() -> PublishedContent:
    store = current_app.extensions.get("content_store")
    if not isinstance(store, PublishedContent):
        abort(503, description=gettext("The content store needs Redis (REDIS_URL is not set)."))
    return store


def _versions() -> ContentVersions:
    return _store().versions


def _me() -> str:
    return current_account().username


def _published(item: str) -> tuple[dict[str, Any], int]:
    _store().responses()  # seeds a fresh store before the first edit
    data, revision = _versions().item(item)
    if data is None:
        abort(404, description=gettext("There is no answer named %(item)s.", item=repr(item)))
    return data, revision


@bp.get("/")
@role_required(*EDITORS)
def index() -> ResponseReturnValue:
    """Answers grouped by topic, with what is missing or older in one language, and drafts."""
    content = _store()
    rows = topic_rows(content.responses(), _versions())
    return render_template("console/content_index.html", topics=rows,
                           revision=_versions().revision())


@bp.get("/a/<name>")
@role_required(*EDITORS)
def answer(name: str) -> ResponseReturnValue:
    """The editor for one answer: its draft if there is one, else what is published."""
    published, _ = _published(name)
    draft = _versions().draft(name)
    data = draft.data if draft else published
    return _answer_page(name, data, _versions().opened(name), draft=draft)


@bp.post("/a/<name>")
@role_required(*EDITORS)
def answer_submit(name: str) -> ResponseReturnValue:
    """Save as draft, publish, or discard the draft."""
    published, _ = _published(name)
    action = request.form.get("action", "save")
    opened = Opened.from_token(request.form.get("opened", ""))
    if action == "discard":
        _versions().discard_draft(name)
        flash(gettext("Draft discarded: the published answer is unchanged."), "success")
        return redirect(url_for("editor.answer", name=name))
    data = answer_from_form(request.form, published)
    try:
        if action == "publish":
            return _publish_answer(name, data, opened)
        _versions().save_draft(name, data, opened, _me())
    except Conflict as conflict:
        return _answer_page(name, data, _versions().opened(name), conflict=conflict,
                            status=409)
    flash(gettext("Draft saved. Users still get the published answer until you publish."),
          "success")
    return redirect(url_for("editor.answer", name=name))


def _publish_answer(name: str, data: dict[str, Any], opened: Opened) -> ResponseReturnValue:
    problems = _answer_problems(name, data)
    if problems:
        return _answer_page(name, data, opened, problems=problems, status=422)
    comment = request.form.get("comment", "").strip()[:200]
    revision = _versions().publish(name, data, opened, _me(), comment)
    audit.record(current_app.extensions["redis"], _me(), "content_publish", detail=name[:64])
    flash(gettext("Published as version %(revision)s: users get it from their next message.",
                  revision=revision), "success")
    return redirect(url_for("editor.answer", name=name))


@bp.post("/a/<name>/preview")
@role_required(*EDITORS)
def preview(name: str) -> ResponseReturnValue:
    """The phone previews (and problems) of the posted form, for the live preview."""
    published, _ = _published(name)
    data = answer_from_form(request.form, published)
    return render_template("console/_answer_preview.html", **_preview_context(name, data))


@bp.get("/<item>/history")
@role_required(*EDITORS)
def history(item: str) -> ResponseReturnValue:
    """Every published version of an answer (or of the settings), newest first."""
    _published(item)
    return render_template("console/content_history.html", item=item,
                           versions=_versions().history(item),
                           opened=_versions().opened(item).token(), edit_url=_edit_url(item))


@bp.get("/<item>/diff/<int:revision>")
@role_required(*EDITORS)
def diff(item: str, revision: int) -> ResponseReturnValue:
    """What version `revision` changed, line by line, against the version before it."""
    _published(item)
    versions = _versions().history(item, limit=1000)
    index = next((i for i, v in enumerate(versions) if v.revision == revision), None)
    if index is None:
        abort(404, description=gettext("%(item)s has no version %(revision)s.", item=item,
                                        revision=revision))
    before = versions[index + 1].data if index + 1 < len(versions) else None
    return render_template("console/content_diff.html", item=item, version=versions[index],
                           lines=item_diff(before, versions[index].data),
                           edit_url=_edit_url(item))


@bp.post("/<item>/restore/<int:revision>")
@role_required(*EDITORS)
def restore(item: str, revision: int) -> ResponseReturnValue:
    """Publish an earlier version again (as a new version)."""
    _published(item)
    opened = Opened.from_token(request.form.get("opened", ""))
    try:
        new = _versions().restore(item, revision, opened, _me(),
                                  request.form.get("comment", "").strip()[:200])
    except KeyError:
        abort(404, description=gettext("%(item)s has no version %(revision)s.", item=item,
                                        revision=revision))
    except Conflict as conflict:
        again = gettext("Look at the history again before restoring.")
        flash(f"{_conflict_text(conflict)} {again}", "error")
        return redirect(url_for("editor.history", item=item))
    audit.record(current_app.extensions["redis"], _me(), "content_restore", detail=item[:64])
    flash(gettext("Version %(revision)s restored as version %(new)s.", revision=revision, new=new),
          "success")
    return redirect(_edit_url(item))


@bp.get("/settings")
@role_required(*EDITORS)
def settings() -> ResponseReturnValue:
    """The organisation's settings: names, contacts, reporting channels, office hours."""
    published, _ = _published(SETTINGS_ITEM)
    draft = _versions().draft(SETTINGS_ITEM)
    return _settings_page(draft.data if draft else published, _versions().opened(SETTINGS_ITEM),
                          draft=draft)


@bp.post("/settings")
@role_required(*EDITORS)
def settings_submit() -> ResponseReturnValue:
    """Save the settings as a draft, publish them, or discard the draft."""
    published, _ = _published(SETTINGS_ITEM)
    action = request.form.get("action", "save")
    if action == "discard":
        _versions().discard_draft(SETTINGS_ITEM)
        flash(gettext("Draft discarded: the published settings are unchanged."), "success")
        return redirect(url_for("editor.settings"))
    data = settings_from_form(request.form, published)
    opened = Opened.from_token(request.form.get("opened", ""))
    try:
        if action == "publish":
            return _publish_settings(data, opened)
        _versions().save_draft(SETTINGS_ITEM, data, opened, _me())
    except Conflict as conflict:
        return _settings_page(data, _versions().opened(SETTINGS_ITEM), conflict=conflict,
                              status=409)
    flash(gettext("Draft saved. Answers use the published settings until you publish."),
          "success")
    return redirect(url_for("editor.settings"))


def _publish_settings(data: dict[str, Any], opened: Opened) -> ResponseReturnValue:
    problems = settings_problems(settings_from_data(data))
    if problems:
        return _settings_page(data, opened, problems=problems, status=422)
    revision = _versions().publish(SETTINGS_ITEM, data, opened, _me(),
                                   request.form.get("comment", "").strip()[:200])
    audit.record(current_app.extensions["redis"], _me(), "content_publish",
                 detail=SETTINGS_ITEM)
    flash(gettext("Settings published as version %(revision)s: answers use them at once.",
                  revision=revision), "success")
    return redirect(url_for("editor.settings"))


def _answer_problems(name: str, data: dict[str, Any]) -> list[Problem]:
    try:
        response = response_from_item(name, data)
    except ContentError as exc:
        return [Problem(name, str(exc))]
    return (response_problems(response, _store().settings(), intents())
            + problems_with_step(_store().responses(), response))


def _preview_context(name: str, data: dict[str, Any]) -> dict[str, Any]:
    response = response_from_item(name, data)
    settings = _store().settings()
    previews = {language: messenger_messages(response, language, settings)
                for language in LANGUAGES}
    return {"previews": previews, "language_names": LANGUAGE_NAMES}


def _feedback(name: str) -> list[Any]:
    """How often this answer was shown and found helpful in the last 30 days, per language."""
    client = current_app.extensions.get("redis")
    if client is None:
        return []
    days = last_days(FEEDBACK_DAYS, time.time())
    return [item for item in FeedbackStore(client).stats(days) if item.answer == name]


def _answer_page(name: str, data: dict[str, Any], opened: Opened, *, draft: Any = None,
                 problems: list[Problem] | None = None, conflict: Conflict | None = None,
                 status: int = 200) -> ResponseReturnValue:
    problems = problems if problems is not None else _answer_problems(name, data)
    fields = problems_by_field(problems, name)
    published, _ = _versions().item(name)
    context = {
        "name": name, "data": data, "opened": opened.token(), "draft": draft,
        "fields": fields, "field_label": field_label, "status": status,
        "problem_list": [(field_label(field), message)
                         for field, messages in fields.items() for message in messages],
        "conflict": conflict, "conflict_text": _conflict_text(conflict) if conflict else "",
        "conflict_diff": item_diff(published, data) if conflict else [],
        "intents": sorted(intents()), "languages": LANGUAGES,
        "feedback": _feedback(name),
        "step_payloads": step_payloads(_store().responses(), str(data.get("topic", ""))),
        **_preview_context(name, data),
    }
    return render_template("console/content_answer.html", **context), status


def _settings_page(data: dict[str, Any], opened: Opened, *, draft: Any = None,
                   problems: list[Problem] | None = None, conflict: Conflict | None = None,
                   status: int = 200) -> ResponseReturnValue:
    problems = problems if problems is not None else settings_problems(settings_from_data(data))
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.where.removeprefix("settings.yml: "), []).append(
            problem.message)
    context = {
        "data": data, "opened": opened.token(), "draft": draft, "fields": fields,
        "conflict": conflict, "conflict_text": _conflict_text(conflict) if conflict else "",
        "weekdays": WEEKDAYS, "languages": LANGUAGES, "language_names": LANGUAGE_NAMES,
        "status": status,
    }
    return render_template("console/content_settings.html", **context), status


def _conflict_text(conflict: Conflict) -> str:
    if conflict.draft:
        who = gettext("%(author)s saved a draft at %(time)s", author=conflict.draft.author,
                      time=localtime(conflict.draft.time))
    elif conflict.latest:
        who = gettext("%(author)s published version %(revision)s at %(time)s",
                      author=conflict.latest.author, revision=conflict.latest.revision,
                      time=localtime(conflict.latest.time))
    else:
        who = gettext("someone changed it")
    return gettext("This changed since you opened it: %(who)s. Nothing of yours was saved, and "
                   "nothing of theirs was overwritten.", who=who)


def _edit_url(item: str) -> str:
    if item == SETTINGS_ITEM:
        return url_for("editor.settings")
    return url_for("editor.answer", name=item)
