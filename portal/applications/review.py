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
from portal.rules.workflow import WorkflowError, allowed_targets, bulk_transition, transition
from portal.security import can_edit_office, scope
from portal.timeutil import local_today
from portal.vocabulary import STATUS_LABELS
from portal.workdays.services import publicity_period_for


def review(app_id: int):
    """Findings grouped by section with links to the field, derived values and the workflow."""
    app = load_application(app_id)
    today = local_today()
    findings = findings_for(app, today)
    period = publicity_period_for(app, app.publicity_start) if app.publicity_start else None
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
        targets=allowed_targets(app, today),
        history=history,
        sections=sections.SECTIONS,
        labels={s.key: s.label for s in sections.SECTIONS},
        status_labels=app.campaign.definition.status_labels(),
        notes=app.campaign.definition.notes_for(app.level),
        can_edit=can_edit_office(app.office_id),
    )


def change_status(app_id: int):
    """Move one application to another status (refused with a message when not allowed)."""
    app = load_application(app_id, write=True)
    to = request.form.get("to", "")
    if to not in STATUS_LABELS:
        abort(400)
    label = app.campaign.definition.status_labels()[to]
    try:
        transition(app, to, current_user, note=request.form.get("note", "").strip())
    except WorkflowError as exc:
        db.session.rollback()
        flash(f"不能改为“{label}”：{exc.message}", "danger")
    else:
        db.session.commit()
        flash(f"{app.name} 的状态已改为“{label}”。", "success")
    return redirect(url_for("applications.review", app_id=app_id))


def bulk_status():
    """Change the status of the applications selected in the list."""
    if not current_user.is_clerk:
        abort(403)
    to = request.form.get("to", "")
    if to not in STATUS_LABELS:
        flash("请选择要改成的状态。", "warning")
        return redirect(url_for("applications.index"))
    ids = [i for i in (positive_int(v) for v in request.form.getlist("ids")) if i]
    if not ids:
        flash("请先勾选申报人员。", "warning")
        return redirect(url_for("applications.index"))
    stmt = scope(
        sa.select(Application)
        .where(Application.id.in_(ids))
        .options(selectinload(Application.sections), selectinload(Application.campaign)),
        Application,
    )
    apps = [a for a in db.session.scalars(stmt) if can_edit_office(a.office_id)]
    done, refused = bulk_transition(apps, to, current_user, note=request.form.get("note", ""))
    db.session.commit()
    if done:
        flash(f"已将 {len(done)} 人的状态改为“{STATUS_LABELS[to]}”。", "success")
    for app, reason in refused:
        flash(f"{app.name}：不能改为“{STATUS_LABELS[to]}”，{reason}", "danger")
    return redirect(request.referrer or url_for("applications.index"))


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
