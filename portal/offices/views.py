"""Office home page and recommending units."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.applications.models import STATUS_LABELS, Application
from portal.campaigns.services import open_campaigns
from portal.extensions import db
from portal.offices.forms import UnitForm
from portal.offices.models import Office, RecommendingUnit
from portal.rules.checks import findings_for
from portal.security import can_edit_office, office_ids_visible, scope, scoped_get_or_404
from portal.timeutil import local_today

bp = Blueprint("offices", __name__)


def visible_offices() -> list[Office]:
    """Offices the current user may read."""
    stmt = sa.select(Office).order_by(Office.code)
    ids = office_ids_visible()
    if ids is not None:
        stmt = stmt.where(Office.id.in_(ids))
    return list(db.session.scalars(stmt))


@bp.get("/")
def home():
    """The office home page: counts by status and open campaigns."""
    counts_stmt = scope(
        sa.select(Application.status, sa.func.count()).group_by(Application.status), Application
    )
    counts = dict(db.session.execute(counts_stmt).all())
    total = sum(counts.values())
    return render_template(
        "offices/home.html",
        offices=visible_offices(),
        counts=counts,
        total=total,
        status_labels=STATUS_LABELS,
        campaigns=open_campaigns(),
        needing_work=applications_with_blocking_findings(),
    )


# The dashboard checks the most recently changed applications still being prepared.
DASHBOARD_CHECK_LIMIT = 300


def applications_with_blocking_findings() -> list[tuple[Application, int, str]]:
    """Applications still being prepared that have blocking findings: (app, count, first)."""
    stmt = scope(
        sa.select(Application)
        .where(Application.status.in_(("draft", "in_publicity", "publicity_ended", "returned")))
        .options(selectinload(Application.sections), selectinload(Application.campaign))
        .order_by(Application.updated_at.desc())
        .limit(DASHBOARD_CHECK_LIMIT),
        Application,
    )
    today = local_today()
    out = []
    for app in db.session.scalars(stmt):
        blocking = [f for f in findings_for(app, today) if f.blocking]
        if blocking:
            out.append((app, len(blocking), blocking[0].message))
    return out


@bp.get("/units")
def units():
    """Recommending units of the user's office(s)."""
    stmt = scope(
        sa.select(RecommendingUnit).join(Office).order_by(Office.code, RecommendingUnit.name),
        RecommendingUnit,
    )
    rows = db.session.scalars(stmt).all()
    return render_template("offices/units.html", units=rows, can_edit=can_edit_office)


def _unit_form(unit: RecommendingUnit | None) -> UnitForm:
    form = UnitForm(obj=unit)
    offices = [o for o in visible_offices() if can_edit_office(o.id)]
    if not offices:
        abort(403)
    form.office_id.choices = [(o.id, o.name) for o in offices]
    if unit is None and not form.office_id.data:
        form.office_id.data = current_user.office_id or offices[0].id
    return form


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    """Create a recommending unit."""
    return _unit_save(None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int):
    """Edit a recommending unit of one's own office."""
    unit = scoped_get_or_404(RecommendingUnit, unit_id)
    return _unit_save(unit)


def _unit_save(unit: RecommendingUnit | None):
    form = _unit_form(unit)
    readonly = unit is not None and not can_edit_office(unit.office_id)
    if not readonly and form.validate_on_submit():
        if not can_edit_office(form.office_id.data):
            abort(403)
        clash = db.session.scalar(
            sa.select(RecommendingUnit.id).where(
                RecommendingUnit.office_id == form.office_id.data,
                RecommendingUnit.name == form.name.data.strip(),
                RecommendingUnit.id != (unit.id if unit else 0),
            )
        )
        if clash:
            form.name.errors.append("本主管部门下已有同名单位。")
        else:
            if unit is None:
                unit = RecommendingUnit()
                db.session.add(unit)
            form.populate_obj(unit)
            unit.name = unit.name.strip()
            db.session.commit()
            flash(f"推荐单位“{unit.name}”已保存。", "success")
            return redirect(url_for("offices.units"))
    return render_template("offices/unit_form.html", form=form, unit=unit, readonly=readonly)
