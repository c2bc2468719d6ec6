"""The moderators' console: the queue, a conversation, replies, notes, labels, live updates.

Views only check access, call the handoff service and render; the service changes state.
Conversations are addressed by a reference, never by the user's Facebook id.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import audit
from webhook.console.accounts import list_accounts
from webhook.console.auth import current_account, role_required
from webhook.console.case_facts import scam_verdict, topic_label
from webhook.console.evidence import may_see
from webhook.console.evidence import store as evidence_store
from webhook.console.i18n import explain, page_language
from webhook.console.reasons import reason_name
from webhook.content.model import ContentSet
from webhook.content.render import to_nlg_reply
from webhook.guides.summary import case_summary
from webhook.guides.walker import SUMMARY_FIELD
from webhook.handoff.access import Actor, NotAllowed
from webhook.handoff.service import Handoffs
from webhook.handoff.window import WindowClosed
from webhook.messenger.send_api import SendError
from webhook.nlg.clarify_reply import topic_titles
from webhook.privacy.erase import erase_user
from webhook.routing import teams
from webhook.scamcheck.conversation import VERDICT_FIELD
from webhook.scamcheck.library import AlertLibrary

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
MODERATION = ("moderator",)  # admins pass every role check
MAX_REPLY_CHARS = 2000


def _handoffs() -> Handoffs:
    service = current_app.extensions.get("handoffs")
    if service is None:
        abort(503, description="REDIS_URL is not set")
    return service


def _me() -> str:
    return current_account().username


def _actor() -> Actor:
    account = current_account()
    return Actor(account.username, admin=account.role == "admin")


def _case(ref: str) -> dict[str, Any]:
    """The conversation's details, or 404 when it is gone (expired or deleted); NotAllowed
    (403) when it is closed and the reader is neither admin nor its last owner."""
    try:
        return _handoffs().details(ref, _actor())
    except LookupError:
        abort(404, description=gettext("This conversation no longer exists."))


@bp.errorhandler(NotAllowed)
def _not_allowed(error: NotAllowed) -> ResponseReturnValue:
    return render_template("console/error.html", title=gettext("Not allowed"),
                           message=explain(error)), 403


@bp.get("/")
@role_required(*MODERATION)
def queue() -> ResponseReturnValue:
    """Waiting conversations, oldest first, and the ones people are answering."""
    names = teams.names(page_language())
    return render_template("console/queue.html", waiting=_routed_queue(),
                           owned=_owned(), me=_me(),
                           my_teams=[names[t] for t in teams.teams_of(_redis(), _me())
                                     if t in names])


@bp.get("/queue.json")
@role_required(*MODERATION)
def queue_json() -> ResponseReturnValue:
    """The same lists, for the page's live refresh."""
    return jsonify({"waiting": _routed_queue(), "owned": _owned(), "me": _me()})


@bp.get("/c/<ref>")
@role_required(*MODERATION)
def conversation(ref: str) -> ResponseReturnValue:
    """One conversation: transcript, window, reply box, canned answers, notes, labels."""
    case = _case(ref)
    audit.record(_redis(), _me(), "view_transcript", conversation=ref)
    language = case["state"].get("language") or "km"
    content = _content()
    summary = case_summary(case["state"].get(SUMMARY_FIELD), content.responses)
    return render_template("console/conversation.html", case=case, me=_me(),
                           evidence=_evidence(ref, case), evidence_shown=may_see(case["state"]),
                           canned=_canned_answers(language), colleagues=_colleagues(),
                           account_role=current_account().role, summary=summary,
                           teams=teams.names(page_language()), **_facts(case["state"], content))


@bp.get("/c/<ref>/transcript.json")
@role_required(*MODERATION)
def transcript_json(ref: str) -> ResponseReturnValue:
    """The transcript and state, for the page's live refresh."""
    case = _case(ref)
    audit.record_read(_redis(), _me(), ref)
    return jsonify({"transcript": case["transcript"], "owner": case["state"].get("owner"),
                    "claimed_by": case["state"].get("claimed_by", ""),
                    "window": case["window"], "evidence": _evidence(ref, case)})


@bp.post("/c/<ref>/claim")
@role_required(*MODERATION)
def claim(ref: str) -> ResponseReturnValue:
    """Take a waiting case (when a colleague was first, say so)."""
    _case(ref)
    if _handoffs().claim(ref, _me()):
        audit.record(_redis(), _me(), "claim", conversation=ref)
    else:
        flash(gettext("Someone else already took this conversation."), "warning")
    return redirect(url_for("console.conversation", ref=ref))


@bp.post("/c/<ref>/assign")
@role_required(*MODERATION)
def assign(ref: str) -> ResponseReturnValue:
    """Give the case to a colleague."""
    _case(ref)
    colleague = request.form.get("to", "")
    if colleague not in _colleagues():
        abort(400, description=gettext("Choose a colleague from the list."))
    _handoffs().assign(ref, colleague, _actor())
    audit.record(_redis(), _me(), "assign", conversation=ref, detail=colleague)
    return redirect(url_for("console.conversation", ref=ref))


@bp.post("/c/<ref>/team")
@role_required(*MODERATION)
def hand_to_team(ref: str) -> ResponseReturnValue:
    """Hand the case to another team's queue, with a note saying why (audited)."""
    _case(ref)
    team, note = request.form.get("team", ""), request.form.get("note", "").strip()
    if team not in teams.names() or not note or len(note) > MAX_REPLY_CHARS:
        abort(400, description=gettext("Choose a team and write a note for them."))
    _handoffs().hand_to_team(ref, team, _me(), note, _actor())
    audit.record(_redis(), _me(), "hand_to_team", conversation=ref, detail=team)
    return redirect(url_for("console.queue"))


@bp.post("/c/<ref>/release")
@role_required(*MODERATION)
def release(ref: str) -> ResponseReturnValue:
    """Put the case back in the queue."""
    _case(ref)
    _handoffs().release(ref, _actor())
    audit.record(_redis(), _me(), "release", conversation=ref)
    return redirect(url_for("console.queue"))


@bp.post("/c/<ref>/resolve")
@role_required(*MODERATION)
def resolve(ref: str) -> ResponseReturnValue:
    """Done: the assistant takes the conversation back."""
    _case(ref)
    _handoffs().resolve(ref, by=_me(), actor=_actor())
    audit.record(_redis(), _me(), "resolve", conversation=ref)
    return redirect(url_for("console.queue"))


@bp.post("/c/<ref>/reply")
@role_required(*MODERATION)
def reply(ref: str) -> ResponseReturnValue:
    """Send the moderator's message (within Messenger's rules) to the user."""
    case = _case(ref)
    text = request.form.get("text", "").strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        abort(400, description=gettext("Write a message of 1 to %(max)s characters.",
                                        max=MAX_REPLY_CHARS))
    if case["state"].get("claimed_by") != _me() and not _actor().admin:
        abort(409, description=gettext("Claim the conversation before you reply."))
    try:
        _handoffs().reply(ref, _me(), text, _actor())
    except WindowClosed as closed:
        flash(explain(closed), "error")
    except SendError as error:
        flash(gettext("Facebook refused the message (code %(code)s). Nothing was sent.",
                      code=error.code), "error")
    else:
        audit.record(_redis(), _me(), "reply", conversation=ref)
    return redirect(url_for("console.conversation", ref=ref))


@bp.post("/c/<ref>/note")
@role_required(*MODERATION)
def note(ref: str) -> ResponseReturnValue:
    """An internal note, never sent to the user."""
    _case(ref)
    text = request.form.get("text", "").strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        abort(400, description=gettext("Write a note of 1 to %(max)s characters.",
                                        max=MAX_REPLY_CHARS))
    _handoffs().add_note(ref, _me(), text, _actor())
    audit.record(_redis(), _me(), "note", conversation=ref)
    return redirect(url_for("console.conversation", ref=ref))


@bp.post("/c/<ref>/labels")
@role_required(*MODERATION)
def labels(ref: str) -> ResponseReturnValue:
    """Replace the labels (comma separated, short words)."""
    _case(ref)
    names = [label.strip().lower()[:30] for label in request.form.get("labels", "").split(",")]
    chosen = sorted({name for name in names if name})[:10]
    _handoffs().set_labels(ref, chosen, _actor())
    audit.record(_redis(), _me(), "labels", conversation=ref,
                 detail=audit.short_detail(",".join(chosen)))
    return redirect(url_for("console.conversation", ref=ref))


@bp.post("/c/<ref>/erase")
@role_required("admin")
def erase(ref: str) -> ResponseReturnValue:
    """Delete everything held about this person (on their request, made another way)."""
    _case(ref)
    psid = _handoffs().conversations.psid_for(ref)
    erase_user(_redis(), psid, actor=_me())
    flash(gettext("All data about this person was deleted. Only an audit entry remains."),
          "status")
    return redirect(url_for("console.queue"))


def _canned_answers(language: str) -> list[dict[str, str]]:
    """Published answers in the conversation's language, to paste into a reply."""
    store = current_app.extensions["content_store"]
    settings = store.settings()
    answers = []
    for name, response in sorted(store.responses().items()):
        if language in response.versions and not response.command:
            text = to_nlg_reply(response, language, settings)["text"]
            answers.append({"name": name.removeprefix("utter_").replace("_", " "),
                            "text": text[:MAX_REPLY_CHARS]})
    return answers


def _routed_queue() -> list[dict[str, Any]]:
    """The queue with my teams' cases first, each case marked with its team's name."""
    mine = teams.teams_of(_redis(), _me())
    names, titles = teams.names(page_language()), _topic_titles()
    items = [{**item, "team_name": names.get(item["team"], item["team"]),
              "reason_name": reason_name(item["reason"], titles),
              "mine": item["team"] in mine} for item in _handoffs().queue()]
    return teams.my_teams_first(items, mine)


def _owned() -> list[dict[str, Any]]:
    """Cases people hold now, each with its reason in words."""
    titles = _topic_titles()
    return [{**item, "reason_name": reason_name(item.get("handoff_reason", ""), titles)}
            for item in _handoffs().mine_and_others()]


def _content() -> ContentSet:
    return current_app.extensions["content_store"].current()


def _topic_titles(content: ContentSet | None = None) -> dict[str, str]:
    """The main menu's topic titles in the page's language (how topics are named to staff)."""
    return topic_titles(content or _content(), page_language())


def _facts(state: dict[str, str], content: ContentSet) -> dict[str, Any]:
    """The topic, the reason and the scam check's verdict, worded in the page's language
    (decision 74)."""
    alerts = AlertLibrary(_redis()).alerts() if state.get(VERDICT_FIELD) else []
    titles = _topic_titles(content)
    return {"topic": topic_label(state, titles),
            "reason_name": reason_name(state.get("handoff_reason", ""), titles),
            "scam": scam_verdict(state, content, alerts, page_language())}


def _evidence(ref: str, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's files with their console addresses (none for those who may not see them)."""
    if not may_see(case["state"]):
        return []
    psid = _handoffs().conversations.psid_for(ref) or ""
    return [{**record, "url": url_for("evidence.original", ref=ref, file_id=record["id"]),
             "thumb_url": url_for("evidence.thumb", ref=ref, file_id=record["id"])
             if record["thumb"] else ""} for record in evidence_store().records(psid)]


def _colleagues() -> list[str]:
    return [a.username for a in list_accounts(_redis())
            if not a.disabled and a.role in ("moderator", "admin")]


def _redis() -> Any:
    return current_app.extensions["redis"]
