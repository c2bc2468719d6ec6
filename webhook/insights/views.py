"""Console pages: analytics (with CSV downloads) and unanswered questions.

Who sees what: the analytics hold only aggregates, useful to whoever staffs the queue, so
moderators, editors and admins see them. The unanswered questions show what users wrote
(masked) and lead to training data, so only editors and admins open them and assign groups.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from flask import (
    Blueprint,
    Response,
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

from bot.project import MODELS, intents
from webhook.console import audit
from webhook.console.auth import current_account, role_required
from webhook.feedback.store import AnswerStats, FeedbackStore
from webhook.insights import charts, examples, stats, unanswered
from webhook.insights.days import last_days
from webhook.insights.grouping import group_texts
from webhook.insights.report import (
    DEFAULT_PERIOD,
    PERIODS,
    Report,
    daily_csv,
    intents_csv,
    median,
    rate,
)
from webhook.insights.stats import DayStats
from webhook.services import retention_seconds

bp = Blueprint("insights", __name__, url_prefix="/console/insights",
               template_folder="templates")
ANALYTICS = ("moderator", "editor")  # admins pass every role check
EDITORS = ("editor",)
MAX_GROUPED = 2000
MAX_GROUPS_SHOWN = 50
MAX_VARIANTS_SHOWN = 10
TOP_INTENTS = 12
MAX_MISSING_SHOWN = 5


@bp.get("/")
@role_required(*ANALYTICS)
def analytics() -> ResponseReturnValue:
    """Charts and totals of the chosen period."""
    days = _period()
    report = _report(days)
    account = current_account()
    return render_template("insights/analytics.html", report=report, days=days,
                           periods=PERIODS, charts=_charts(report), median=median,
                           can_edit=account.has_role(*EDITORS),
                           feedback=answer_feedback(_redis(), days, account.has_role(*EDITORS)))


def answer_feedback(client: redis.Redis, days: int, with_texts: bool) -> list[AnswerStats]:
    """Per answer and language: shown, rated, share helpful; the "what was missing" texts
    (masked) grouped, for editors only (they are what users wrote)."""
    stats = FeedbackStore(client).stats(last_days(days, time.time()))
    for item in stats:
        groups = group_texts(item.missing) if with_texts else []
        item.missing = [f"{item.missing[g.members[0]]} (× {len(g.members)})"
                        if len(g.members) > 1 else item.missing[g.members[0]]
                        for g in groups[:MAX_MISSING_SHOWN]]
    return stats


@bp.get("/analytics.csv")
@role_required(*ANALYTICS)
def analytics_csv() -> ResponseReturnValue:
    """One row per day of the period."""
    days = _period()
    return _download(daily_csv(_report(days, with_groups=False)), f"analytics-{days}d.csv")


@bp.get("/intents.csv")
@role_required(*ANALYTICS)
def intents_download() -> ResponseReturnValue:
    """One row per day and intent of the period."""
    days = _period()
    return _download(intents_csv(_report(days, with_groups=False)), f"intents-{days}d.csv")


@bp.get("/unanswered")
@role_required(*EDITORS)
def unanswered_page() -> ResponseReturnValue:
    """Groups of unanswered questions, with the form to assign them, and what awaits training."""
    client, now = _redis(), time.time()
    groups = unanswered.group(_questions(client, now))
    assigned = examples.all_examples(client, now, retention_seconds())
    models = current_app.config.get("INSIGHTS_MODELS_DIR", MODELS)
    return render_template(
        "insights/unanswered.html", groups=groups[:MAX_GROUPS_SHOWN],
        hidden_groups=max(len(groups) - MAX_GROUPS_SHOWN, 0), max_variants=MAX_VARIANTS_SHOWN,
        intents=sorted(intents()), pending=examples.pending(assigned),
        awaiting=examples.awaiting_training(assigned, models),
        retention_days=retention_seconds() // 86400)


@bp.post("/unanswered/assign")
@role_required(*EDITORS)
def assign() -> ResponseReturnValue:
    """Keep the chosen questions (and their repeats) as examples of an intent."""
    intent = request.form.get("intent", "")
    if intent not in intents():
        flash(gettext("Choose the intent these messages should have been understood as."), "error")
        return redirect(url_for("insights.unanswered_page"))
    client, now = _redis(), time.time()
    ticked, repeats = _chosen(client, now)
    usable = [question for question in ticked if question.language in examples.LANGUAGES]
    if ticked and not usable:
        flash(gettext("Not assigned: these messages show no clear language (English, Khmer or "
                      "Khmer in Latin letters). Dismiss them instead."), "error")
    elif usable:
        kept = examples.assign(client, ((q.text, q.language) for q in usable), intent,
                               current_account().username, now)
        unanswered.remove(client, unanswered.same_wording(repeats, usable))
        audit.record(client, current_account().username, "examples_assigned", detail=intent)
        flash(gettext("%(count)s example(s) assigned to %(intent)s. They wait for the next "
                      "export and training (below).", count=kept, intent=intent), "ok")
    return redirect(url_for("insights.unanswered_page"))


@bp.post("/unanswered/dismiss")
@role_required(*EDITORS)
def dismiss() -> ResponseReturnValue:
    """Forget the chosen questions (and their repeats): nothing to learn from them."""
    client, now = _redis(), time.time()
    _, repeats = _chosen(client, now)
    if repeats:
        unanswered.remove(client, repeats)
        audit.record(client, current_account().username, "questions_dismissed",
                     detail=str(len(repeats)))
        flash(gettext("%(count)s message(s) dismissed.", count=len(repeats)), "ok")
    return redirect(url_for("insights.unanswered_page"))


# --- helpers ----------------------------------------------------------------------------------

def _chosen(client: redis.Redis, now: float) -> tuple[list[unanswered.Question],
                                                      list[unanswered.Question]]:
    """The ticked questions (the wordings the editor saw), and those with every repeat of
    their wording; flashes when none is left."""
    ticked = unanswered.find(client, request.form.getlist("question"))
    if not ticked:
        flash(gettext("Tick at least one message (it may have been handled already)."), "error")
        return [], []
    repeats = unanswered.same_wording(_questions(client, now), ticked)
    return ticked, list({q.id: q for q in [*ticked, *repeats]}.values())


def _questions(client: redis.Redis, now: float) -> list[unanswered.Question]:
    return unanswered.recent(client, _retention_days(), now, MAX_GROUPED)


def _report(days: int, with_groups: bool = True) -> Report:
    client, now = _redis(), time.time()
    report = Report(stats.read_days(client, last_days(days, now)))
    if with_groups:
        questions = unanswered.recent(client, min(days, _retention_days()), now, MAX_GROUPED)
        report.unanswered_groups = len(unanswered.group(questions))
    return report


def _charts(report: Report) -> dict[str, charts.Chart]:
    def daily(value: Callable[[DayStats], float | None]) -> list[tuple[str, float | None]]:
        return [(day.day, value(day)) for day in report.days]

    return {
        "conversations": charts.columns(daily(lambda day: day.conversations), charts.count),
        "messages": charts.columns(daily(lambda day: day.messages), charts.count),
        "fallback_rate": charts.columns(daily(lambda day: rate(day.fallbacks, day.turns)),
                                        charts.percent),
        "handoff_rate": charts.columns(
            daily(lambda day: rate(day.handoffs, day.conversations)), charts.percent),
        "wait": charts.columns(daily(lambda day: median(day.waits)), charts.minutes),
        "topics": charts.rows(report.topics()[:TOP_INTENTS], charts.count),
        "intents": charts.rows(report.intents()[:TOP_INTENTS], charts.count),
        "answers": charts.rows(report.answers(), charts.count),
        "reasons": charts.rows(report.handoff_reasons(), charts.count),
    }


def _period() -> int:
    days = request.args.get("days", type=int)
    return days if days in PERIODS else DEFAULT_PERIOD


def _retention_days() -> int:
    return max(retention_seconds() // 86400, 1) + 1  # the day the oldest ones were recorded


def _download(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _redis() -> redis.Redis:
    client = current_app.extensions.get("redis")
    if client is None:
        abort(503, description="REDIS_URL is not set")
    return client
