"""Review page, status changes (one or many) for applications."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.applications import operations, sections
from portal.applications.listing import load_application
from portal.applications.models import Application, StatusChange
from portal.audit import record
from portal.extensions import db
from portal.formutil import positive_int
from portal.rules.checks import derived_for, findings_for, group_by_section
from portal.rules.workflow import (
    WorkflowError,
    allowed_targets,
    bulk_transition,
    can_transition,
    consequence,
    label,
    reverse_last,
    submission_number,
    transition,
)
from portal.security import can_edit_office, safe_next, scope
from portal.timeutil import local_today
from portal.vocabulary import CLOSED_STATUSES, LOCKED_STATUSES, STATUS_LABELS
from portal.workdays.services import publicity_period_for


def review(app_id: int):
    """Findings grouped by section with links to the field, derived values and the workflow."""
    app = load_application(app_id)
    today = local_today()
    findings = findings_for(app, today)
    period = publicity_period_for(app, app.publicity_start) if app.publicity_start else None
    targets = allowed_targets(app, today)
    history = db.session.scalars(
        sa.select(StatusChange)
        .where(StatusChange.application_id == app.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    ).all()
    return render_template(
        "applications/review.html",
        app=app,
        grouped=group_by_section(findings),
        blocking=sum(1 for f in findings if f.blocking),
        warnings=sum(1 for f in findings if not f.blocking),
        derived=derived_for(app, period),
        period=period,
        targets=targets,
        submission_numbers={to: submission_number(app, to) for to, _ in targets},
        history=history,
        sections=sections.SECTIONS,
        labels={s.key: s.label for s in sections.SECTIONS},
        status_labels=app.campaign.definition.status_labels(),
        notes=app.campaign.definition.notes_for(app.level),
        can_edit=can_edit_office(app.office_id),
        closed=CLOSED_STATUSES,
        locked_statuses=LOCKED_STATUSES,
        locked_why=operations.locked_why(app),
        can_unlock=operations.can_unlock(app) is None,
        last=history[0] if history else None,
    )


def _confirmed() -> bool:
    """Whether the clerk confirmed a consequential change on the confirmation page."""
    return request.form.get("confirmed") == "1"


def _confirm_page(
    to: str, wording: str, asks: list, refused: list, action: str, back: str, ids: list[int]
):
    """Ask before a consequential change: what follows for each application, then confirm."""
    return render_template(
        "applications/confirm_status.html",
        to=to,
        label=wording,
        asks=asks,
        refused=refused,
        action=action,
        back=back,
        ids=ids,
        note=request.form.get("note", "").strip(),
        final=to in CLOSED_STATUSES,
        needs_note=to == "returned",
    )


def change_status(app_id: int):
    """Move one application to another status; ask first when the change has consequences."""
    app = load_application(app_id, write=True)
    to = request.form.get("to", "")
    if to not in STATUS_LABELS:
        abort(400)
    wording = app.campaign.definition.status_labels()[to]
    note = request.form.get("note", "").strip()
    reason = can_transition(app, to)
    if reason is None and consequence(app, to) and not _confirmed():
        return _confirm_page(
            to,
            wording,
            [(app, consequence(app, to))],
            [],
            url_for("applications.change_status", app_id=app.id),
            url_for("applications.review", app_id=app.id),
            [],
        )
    try:
        transition(app, to, current_user, note=note)
    except WorkflowError as exc:
        db.session.rollback()
        flash(f"不能改为“{wording}”：{exc.message}", "danger")
    else:
        db.session.commit()
        flash(f"{app.name} 的状态已改为“{wording}”。", "success")
    return redirect(url_for("applications.review", app_id=app_id))


def bulk_status():
    """Change the status of the applications selected in the list, asking first if it matters."""
    if not current_user.is_clerk:
        abort(403)
    to = request.form.get("to", "")
    back = safe_next(request.form.get("back")) or url_for("applications.index")
    if to not in STATUS_LABELS:
        flash("请选择要改成的状态。", "warning")
        return redirect(back)
    ids = [i for i in (positive_int(v) for v in request.form.getlist("ids")) if i]
    if not ids:
        flash("请先勾选申报人员。", "warning")
        return redirect(back)
    stmt = scope(
        sa.select(Application)
        .where(Application.id.in_(ids))
        .options(selectinload(Application.sections), selectinload(Application.campaign))
        .order_by(Application.name, Application.id),
        Application,
    )
    apps = [a for a in db.session.scalars(stmt) if can_edit_office(a.office_id)]
    # One notice's own words (已报送州 / 已报送地区); the neutral label across several.
    wordings = {a.campaign.definition.status_labels()[to] for a in apps}
    wording = wordings.pop() if len(wordings) == 1 else STATUS_LABELS[to]
    if not _confirmed():
        checked = [(a, can_transition(a, to)) for a in apps]
        asks = [(a, consequence(a, to)) for a, why in checked if why is None]
        if any(text for _a, text in asks):
            refused = [(a, why) for a, why in checked if why is not None]
            action = url_for("applications.bulk_status")
            ids = [a.id for a, _ in asks]
            return _confirm_page(to, wording, asks, refused, action, back, ids)
    done, refused = bulk_transition(apps, to, current_user, note=request.form.get("note", ""))
    db.session.commit()
    if done:
        flash(f"已将 {len(done)} 人的状态改为“{wording}”。", "success")
    for app, reason in refused:
        flash(f"{app.name}：不能改为“{wording}”，{reason}", "danger")
    return redirect(back)


def unlock(app_id: int):
    """Unlock a reported application's sections for a correction (reason required, audited)."""
    app = load_application(app_id, write=True)
    try:
        operations.unlock(app, current_user, request.form.get("reason", ""))
    except ValueError as exc:
        db.session.rollback()
        flash(f"不能解锁：{exc}", "danger")
    else:
        db.session.commit()
        flash(
            f"已解锁 {app.name} 的申报，可以修改；修改完毕请重新锁定。解锁已记入操作日志。",
            "success",
        )
    return redirect(url_for("applications.review", app_id=app_id))


def relock(app_id: int):
    """Lock an unlocked application again."""
    app = load_application(app_id, write=True)
    operations.relock(app, current_user)
    db.session.commit()
    flash(f"已重新锁定 {app.name} 的申报。", "success")
    return redirect(url_for("applications.review", app_id=app_id))


def reverse(app_id: int):
    """An admin reverses the last status change, with the reason (recorded and audited)."""
    if not current_user.is_admin:
        abort(403)
    app = load_application(app_id, write=True)
    was = app.status
    reason = request.form.get("reason", "").strip()
    try:
        change = reverse_last(app, current_user, reason)
    except WorkflowError as exc:
        db.session.rollback()
        flash(f"不能撤销：{exc.message}", "danger")
    else:
        record(  # details in words, as the audit page prints them
            "status_reverse",
            current_user,
            {
                "申报人": app.name,
                "撤销的变更": f"{label(change.to_status, app)} → {label(was, app)}",
                "恢复为": label(change.to_status, app),
                "原因": reason,
            },
            office_id=app.office_id,
        )
        db.session.commit()
        flash(
            f"已撤销：{app.name} 的状态由“{label(was, app)}”恢复为"
            f"“{label(change.to_status, app)}”。撤销已记入办理记录和操作日志。",
            "success",
        )
    return redirect(url_for("applications.review", app_id=app_id))


def delete(app_id: int):
    """Delete an application created by mistake (drafts only); the person is kept."""
    app = load_application(app_id, write=True)
    if app.status != "draft":
        flash("只能删除草稿状态的申报；已公示或已报送的申报请用状态办理。", "danger")
        return redirect(url_for("applications.review", app_id=app_id))
    record(
        "application_delete",
        current_user,
        {"申报人": app.name, "评审通知": app.campaign.title, "状态": app.status_label},
    )
    name = app.name
    operations.delete_application(app)
    db.session.commit()
    flash(f"已删除 {name} 的申报草稿。", "success")
    return redirect(url_for("applications.index"))
