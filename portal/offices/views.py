"""Offices and their recommending units."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.applications.models import rename_unit
from portal.audit import record
from portal.extensions import db
from portal.offices.forms import OfficeForm, UnitForm
from portal.offices.models import Office, RecommendingUnit
from portal.rules.summaries import forget_unit
from portal.security import (
    can_edit_office,
    office_ids_visible,
    scope,
    scoped_get_or_404,
    visible_offices,
)

bp = Blueprint("offices", __name__)


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
            if unit.id is not None:
                rename_unit(unit)
                forget_unit(unit.id)  # the rules read the unit's nature and county
            db.session.commit()
            flash(f"推荐单位“{unit.name}”已保存。", "success")
            return redirect(url_for("offices.units"))
    return render_template("offices/unit_form.html", form=form, unit=unit, readonly=readonly)


#: The office's fields as the audit log names them.
OFFICE_FIELD_WORDS = {
    "code": "代码",
    "name": "名称",
    "county": "县市",
    "prefecture": "地州",
    "show_full_id_on_publicity": "公示显示完整身份证号",
}


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value) if value not in (None, "") else "（空）"


@bp.get("/offices")
def offices():
    """Offices the user may read; admins create and edit them, clerks edit their own settings."""
    return render_template("offices/offices.html", offices=visible_offices())


@bp.route("/offices/new", methods=["GET", "POST"])
@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
def office_edit(office_id: int | None = None):
    """Create an office (admins) or edit one (admins; a clerk only the own office's settings)."""
    if office_id is None:
        if not current_user.is_admin:
            abort(403)
        office = None
    else:
        office = db.session.get(Office, office_id)
        visible = office_ids_visible()
        if office is None or (visible is not None and office.id not in visible):
            abort(404)
        if not can_edit_office(office.id):
            abort(403)
    form = OfficeForm(obj=office)
    locked = () if current_user.is_admin else ("code", "prefecture")
    for name in locked:
        form[name].render_kw = {"readonly": True}
        form[name].data = getattr(office, name)
    if form.validate_on_submit():
        clash = db.session.scalar(
            sa.select(Office.id).where(
                Office.code == form.code.data.strip(), Office.id != (office.id if office else 0)
            )
        )
        if clash:
            form.code.errors.append("该代码已被其他主管部门使用。")
        else:
            created = office is None
            if office is None:
                office = Office()
                db.session.add(office)
            changes = []
            for name in OFFICE_FIELD_WORDS:
                if name not in locked:
                    value = form[name].data
                    value = value.strip() if isinstance(value, str) else value
                    if getattr(office, name) != value and not created:
                        changes.append(
                            f"{OFFICE_FIELD_WORDS[name]}：{_word(getattr(office, name))} → "
                            f"{_word(value)}"
                        )
                    setattr(office, name, value)
            if created:
                detail = {
                    OFFICE_FIELD_WORDS[n]: _word(getattr(office, n)) for n in OFFICE_FIELD_WORDS
                }
                record("office_create", current_user, detail)
            elif changes:
                record(
                    "office_update",
                    current_user,
                    {"主管部门": office.name, "改动": "；".join(changes)},
                    office_id=office.id,
                )
            db.session.commit()
            flash(f"主管部门“{office.name}”已保存。", "success")
            return redirect(url_for("offices.offices"))
    return render_template("offices/office_form.html", form=form, office=office)
