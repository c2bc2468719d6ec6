"""Evidence in the console: thumbnails, files, "keep as evidence" and the case bundle.

Served only to the moderator who holds the case and to admins. Pictures and sound are shown in
the page; anything else is a download (Content-Disposition: attachment), never inline HTML or
SVG, with nosniff and a sandbox so a browser never runs what a user sent.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from webhook.console import audit
from webhook.console.auth import current_account, role_required
from webhook.evidence import bundle, sniff
from webhook.evidence.blobs import StoreUnavailable
from webhook.evidence.store import EvidenceStore

bp = Blueprint("evidence", __name__, url_prefix="/console/c/<ref>")


def store() -> EvidenceStore:
    """The evidence store beside the app's Redis."""
    handoffs = current_app.extensions.get("handoffs")
    if handoffs is None:
        abort(503, description="REDIS_URL is not set")
    return EvidenceStore(handoffs.client, handoffs.conversations.retention)


@bp.errorhandler(StoreUnavailable)
def store_unavailable(_: StoreUnavailable) -> ResponseReturnValue:
    """The folder or the S3 service failed: say so, try again later (counted in metrics)."""
    return gettext("The evidence store does not answer just now. Try again in a minute."), 503


def may_see(state: dict[str, str]) -> bool:
    """The moderator holding the case, or an admin."""
    account = current_account()
    return account.role == "admin" or state.get("claimed_by") == account.username


def _psid_if_allowed(ref: str) -> str:
    handoffs = current_app.extensions["handoffs"]
    psid = handoffs.conversations.psid_for(ref)
    if psid is None:
        abort(404, description=gettext("This conversation no longer exists."))
    if not may_see(handoffs.conversations.get(psid)):
        abort(403, description=gettext(
            "Only the moderator holding this case (or an admin) sees its files."))
    return psid


def _record(psid: str, file_id: str) -> dict[str, Any]:
    record = store().record(psid, file_id) if file_id.isalnum() else None
    if record is None:
        abort(404, description=gettext("This file is no longer kept."))
    return record


@bp.get("/evidence/<file_id>/thumb")
@role_required("moderator")
def thumb(ref: str, file_id: str) -> ResponseReturnValue:
    """An image's server-made thumbnail (JPEG, no metadata)."""
    psid = _psid_if_allowed(ref)
    if not _record(psid, file_id).get("thumb"):
        abort(404)
    return _send(_read(file_id, thumb=True), "image/jpeg", inline=True)


@bp.get("/evidence/<file_id>")
@role_required("moderator")
def original(ref: str, file_id: str) -> ResponseReturnValue:
    """The file as received: pictures and sound inline, anything else as a download."""
    psid = _psid_if_allowed(ref)
    record = _record(psid, file_id)
    data = _read(file_id)
    inline = sniff.served_inline(record["mime"])
    return _send(data, record["mime"] if inline else sniff.GENERIC, inline,
                 bundle.file_name(record).removeprefix("files/"))


@bp.post("/evidence/<file_id>/keep")
@role_required("moderator")
def keep(ref: str, file_id: str) -> ResponseReturnValue:
    """Keep as evidence (exempt from retention) or release; audited either way."""
    psid = _psid_if_allowed(ref)
    kept = request.form.get("keep") == "1"
    if not store().set_kept(psid, file_id, kept):
        abort(404, description=gettext("This file is no longer kept."))
    audit.record(current_app.extensions["redis"], current_account().username,
                 "keep_evidence" if kept else "release_evidence", conversation=ref,
                 detail=file_id)
    return redirect(url_for("console.conversation", ref=ref))


@bp.get("/bundle.zip")
@role_required("moderator")
def case_bundle(ref: str) -> ResponseReturnValue:
    """Transcript, files and a manifest with SHA-256 hashes, as one zip (audited)."""
    psid = _psid_if_allowed(ref)
    handoffs = current_app.extensions["handoffs"]
    me = current_account().username
    data = bundle.build(store(), psid, ref, handoffs.transcript.read(psid), me)
    audit.record(current_app.extensions["redis"], me, "download_bundle", conversation=ref)
    return _send(data, "application/zip", inline=False, name=f"case-{ref}.zip")


def _read(file_id: str, thumb: bool = False) -> bytes:
    try:
        return store().read(file_id, thumb)
    except FileNotFoundError:
        abort(404, description=gettext("This file is no longer kept."))


def _send(data: bytes, mime: str, inline: bool, name: str = "file") -> Response:
    response = Response(data, mimetype=mime)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
