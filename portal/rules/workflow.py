"""The status workflow of an application: allowed changes, their conditions and their record.

draft → in_publicity → publicity_ended → recommended → reported → returned → resubmitted →
(reported again / returned again / accepted / rejected). Every change is recorded as a
StatusChange with who and when; a refused change says why in plain Chinese. Numbers (the
submissions limit, the hours to resubmit) come from the campaign definition. The caller
commits the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from portal.applications.models import Application, StatusChange
from portal.auth.models import User
from portal.extensions import db
from portal.rules.checks import findings_for, format_datetime_cn
from portal.textutil import format_date_cn, iso_date
from portal.timeutil import local_today, utcnow
from portal.vocabulary import STATUS_LABELS, STATUSES
from portal.workdays.services import publicity_period_for

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_publicity",),
    "in_publicity": ("publicity_ended",),
    "publicity_ended": ("recommended",),
    "recommended": ("reported",),
    "reported": ("returned", "accepted", "rejected"),
    # 002 四（三）: 逾期未补充提交的视为放弃申报 — a returned application may be closed.
    "returned": ("resubmitted", "rejected"),
    "resubmitted": ("reported", "returned", "accepted", "rejected"),
    "accepted": (),
    "rejected": (),
}

# Changes that count as one more submission to the committee (000 八（四）, 002 四（三）).
COUNTED: frozenset[tuple[str, str]] = frozenset(
    {("recommended", "reported"), ("returned", "resubmitted")}
)


class WorkflowError(Exception):
    """A refused status change; ``message`` says why in Chinese."""

    def __init__(self, message: str) -> None:
        """Keep the Chinese message."""
        self.message = message
        super().__init__(message)


# Moves that send the application on: refused while the checks find a blocking problem.
NEEDS_CLEAN_CHECK = ("recommended", "reported", "resubmitted")


def label(status: str, app: Application | None = None) -> str:
    """The Chinese label of a status (in the words of the application's campaign, if given)."""
    labels = app.campaign.definition.status_labels() if app is not None else STATUS_LABELS
    return labels.get(status, status)


def publicity_start_of(app: Application) -> date | None:
    """The publicity start: the application's column, else the publicity section's date."""
    if app.publicity_start is not None:
        return app.publicity_start
    return iso_date(app.section_data("publicity").get("start"))


def objection_open_of(app: Application) -> bool:
    """Whether an objection raised during the publicity is still open."""
    return bool(app.objection_open or app.section_data("publicity").get("objection_open"))


def can_transition(
    app: Application,
    to: str,
    today: date | None = None,
    now: datetime | None = None,
    note: str | None = None,
) -> str | None:
    """None when the change is allowed now, else the reason in Chinese."""
    # ``note`` is the reason of a return; None skips that check (to list possible changes).
    today = today or local_today()
    now = now or utcnow()
    if to not in STATUSES:
        return f"未知的状态：{to}"
    if to == app.status:
        return f"申报已是“{label(to, app)}”状态。"
    allowed = TRANSITIONS.get(app.status, ())
    if to not in allowed:
        if allowed:
            options = "、".join(f"“{label(s, app)}”" for s in allowed)
            return (
                f"“{label(app.status, app)}”的申报不能改为“{label(to, app)}”，只能改为{options}。"
            )
        return f"“{label(app.status, app)}”的申报已办结，不能再改变状态。"

    defn = app.campaign.definition
    rules = defn.rules
    if to == "in_publicity" and publicity_start_of(app) is None:
        return "请先在“公示与推荐”中填写公示开始日期。"
    if to == "publicity_ended":
        end = app.publicity_end
        if end is None:
            return "尚未确定公示结束日期，不能出具公示结果。"
        if today <= end:
            return (
                f"公示期至{format_date_cn(end)}止，"
                f"{format_date_cn(end + timedelta(days=1))}起方可出具公示结果。"
            )
        if objection_open_of(app):
            return "公示期间收到的异议尚未处理完毕，不能出具公示结果。"
    if (app.status, to) in COUNTED and (app.submissions or 0) >= rules.max_submissions:
        return (
            f"已提交{app.submissions}次，提交次数不得超过{rules.max_submissions}次"
            f"（{defn.cite('submissions')}）。"
        )
    if to == "returned" and note is not None and not note.strip():
        return "退回时请填写退回原因。"
    if to == "resubmitted" and app.resubmit_due is not None and now > app.resubmit_due:
        return (
            f"已超过重新提交期限（{format_datetime_cn(app.resubmit_due)}），"
            f"逾期未补充提交的视为放弃申报（{defn.cite('resubmit')}）。"
        )
    if to in NEEDS_CLEAN_CHECK:
        blocking = [f for f in findings_for(app, today, now=now) if f.blocking]
        if blocking:
            return (
                f"还有{len(blocking)}项必须修改的问题（如：{blocking[0].message}），"
                "请先按审核页的提示修改。"
            )
    return None


def allowed_targets(
    app: Application, today: date | None = None, now: datetime | None = None
) -> list[tuple[str, str | None]]:
    """Each status the application may go to next, with the reason it cannot yet (or None)."""
    return [(to, can_transition(app, to, today, now)) for to in TRANSITIONS.get(app.status, ())]


def transition(
    app: Application,
    to: str,
    user: User | None,
    note: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> StatusChange:
    """Change the status, apply its effects and record who and when; raise WorkflowError."""
    today = today or local_today()
    now = now or utcnow()
    reason = can_transition(app, to, today, now, note=note)
    if reason is not None:
        raise WorkflowError(reason)

    from_status = app.status
    rules = app.campaign.definition.rules
    if to == "in_publicity":
        app.publicity_start = publicity_start_of(app)
        if app.publicity_end is None:
            app.publicity_end = publicity_period_for(app, app.publicity_start).end
    if (from_status, to) in COUNTED:
        app.submissions = (app.submissions or 0) + 1
    if to == "returned":
        app.returned_reason = note.strip()
        hours = rules.resubmit_hours
        app.resubmit_due = now + timedelta(hours=hours) if hours else None
    if to == "resubmitted":
        app.resubmit_due = None
    app.status = to

    change = StatusChange(
        application_id=app.id,
        from_status=from_status,
        to_status=to,
        note=note.strip(),
        at=now,
        user_id=user.id if user else None,
    )
    db.session.add(change)
    return change


def bulk_transition(
    apps: Iterable[Application],
    to: str,
    user: User | None,
    note: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> tuple[list[Application], list[tuple[Application, str]]]:
    """Apply one change to many applications: those changed, and those refused with why."""
    done: list[Application] = []
    refused: list[tuple[Application, str]] = []
    for app in apps:
        try:
            transition(app, to, user, note=note, today=today, now=now)
        except WorkflowError as exc:
            refused.append((app, exc.message))
        else:
            done.append(app)
    return done, refused
