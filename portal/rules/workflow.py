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

import sqlalchemy as sa

from portal.applications import sections
from portal.applications.models import Application, StatusChange
from portal.auth.models import User
from portal.extensions import db
from portal.rules.checks import findings_for, format_datetime_cn
from portal.textutil import format_date_cn, iso_date
from portal.timeutil import local_today, utcnow
from portal.vocabulary import CLOSED_STATUSES, STATUS_LABELS, STATUSES
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
    if to in ("reported", "resubmitted") and sections.missing(app, "materials"):
        rows = app.section_data("materials").get("rows") or []
        names = [
            r.get("name") or "材料" for r in rows if isinstance(r, dict) and not r.get("received")
        ]
        what = f"尚未收到{'、'.join(f'“{n}”' for n in names)}" if names else "尚未登记收取情况"
        return (
            f"纸质材料尚未收齐（{what}），收齐并在“纸质材料”中勾选后才能报送"
            f"（{defn.cite('materials')}）。"
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
    before = _snapshot(app)
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
    _clear_unlock(app)

    change = StatusChange(
        application_id=app.id,
        from_status=from_status,
        to_status=to,
        note=note.strip(),
        at=now,
        user_id=user.id if user else None,
        before=before,
    )
    db.session.add(change)
    return change


# What a status change may alter besides the status; kept on the change to reverse it.
_SNAPSHOT_FIELDS = (
    "submissions",
    "returned_reason",
    "resubmit_due",
    "publicity_start",
    "publicity_end",
)


def _snapshot(app: Application) -> dict:
    """The fields a change may alter, as JSON (dates and times as ISO text)."""
    out = {}
    for name in _SNAPSHOT_FIELDS:
        value = getattr(app, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _restore(app: Application, before: dict) -> None:
    """Put back the fields of a snapshot."""
    app.submissions = before.get("submissions") or 0
    app.returned_reason = before.get("returned_reason") or ""
    due = before.get("resubmit_due")
    app.resubmit_due = datetime.fromisoformat(due) if due else None
    app.publicity_start = iso_date(before.get("publicity_start"))
    app.publicity_end = iso_date(before.get("publicity_end"))


def _clear_unlock(app: Application) -> None:
    """A status change ends an explicit unlock: the new status decides about editing."""
    app.unlocked_at = None
    app.unlocked_by_id = None
    app.unlock_reason = ""


def submission_number(app: Application, to: str) -> int | None:
    """Which submission to the committee the change to ``to`` would be (1, 2, 3), else None."""
    if (app.status, to) not in COUNTED:
        return None
    return (app.submissions or 0) + 1


def consequence(app: Application, to: str) -> str | None:
    """What follows a consequential change, to ask before it (None: nothing to ask).

    报送 and 重新提交 use one of the limited submissions; 退回 starts the time to resubmit;
    已受理 and 不予受理 close the application for good.
    """
    rules = app.campaign.definition.rules
    number = submission_number(app, to)
    if number is not None:
        left = rules.max_submissions - number
        rest = f"此后还可提交{left}次" if left > 0 else "这是最后一次提交机会"
        return (
            f"这将是第{number}次提交（最多{rules.max_submissions}次，{rest}）；"
            "报送后各部分锁定，不能再修改。"
        )
    if to == "returned":
        hours = rules.resubmit_hours
        due = f"须在{hours}小时内修改后重新提交，逾期视为放弃申报" if hours else "修改后可重新提交"
        return f"退回后各部分可以修改，{due}。"
    if to in CLOSED_STATUSES:
        return f"改为“{label(to, app)}”即告办结：不能再改变状态，也不能再修改内容。"
    return None


def reverse_last(
    app: Application, user: User, reason: str, now: datetime | None = None
) -> StatusChange:
    """An admin reverses the last status change, with a reason; the reversal is recorded.

    The application goes back to the status it had, with the submissions count, the return and
    the publicity dates as they were before that change. A reversal is not reversed in turn.
    The caller records it in the audit log.
    """
    if user is None or not user.is_admin:
        raise WorkflowError("只有管理员可以撤销状态变更。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写撤销的原因。")
    last = last_change(app)
    if last is None:
        raise WorkflowError("此申报还没有状态变更，无可撤销。")
    if last.reverses_id is not None:
        raise WorkflowError("上一次变更已是撤销，不能再撤销；如需改变状态，请正常办理。")
    if last.to_status != app.status:
        raise WorkflowError("办理记录与当前状态不一致，不能撤销，请联系系统管理员。")
    current, before = app.status, _snapshot(app)
    if last.before is not None:
        _restore(app, last.before)
    elif (last.from_status, last.to_status) in COUNTED:  # recorded before snapshots were kept
        app.submissions = max((app.submissions or 0) - 1, 0)
    app.status = last.from_status
    _clear_unlock(app)
    change = StatusChange(
        application_id=app.id,
        from_status=current,
        to_status=last.from_status,
        note=f"撤销上一次变更（{label(current, app)}）：{reason}",
        at=now or utcnow(),
        user_id=user.id,
        before=before,
        reverses_id=last.id,
    )
    db.session.add(change)
    return change


def last_change(app: Application) -> StatusChange | None:
    """The most recent status change of an application."""
    return db.session.scalars(
        sa.select(StatusChange)
        .where(StatusChange.application_id == app.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(1)
    ).first()


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
