"""Admin page for working-day overrides (Xinjiang's own holidays and local days).

The overrides hold for the whole region and every office's publicity periods, so only admins
change them (audited); prefecture users read them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.audit import record
from portal.extensions import db
from portal.formutil import LooseDateField, SelectField
from portal.security import roles_required
from portal.textutil import format_date_cn
from portal.workdays.models import WorkdayOverride
from portal.workdays.services import load_calendar

bp = Blueprint("workdays", __name__, url_prefix="/admin/workdays")


class OverrideForm(FlaskForm):
    """One day that differs from the national calendar."""

    day = LooseDateField("日期", validators=[DataRequired("请填写日期，如 2025-06-06。")])
    is_workday = SelectField(
        "这一天", choices=[("0", "放假（不计工作日）"), ("1", "上班（调休工作日）")]
    )
    name = StringField(
        "名称",
        validators=[
            DataRequired("请填写名称，如 古尔邦节。"),
            Length(max=50, message="不超过50字。"),
        ],
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required("admin", "prefecture")
def index():
    """List the overrides, add one (admins), and show which years the national calendar covers."""
    form = OverrideForm()
    if form.is_submitted() and not current_user.is_admin:
        abort(403)  # region-wide data: admins only
    if form.validate_on_submit():
        existing = db.session.scalar(
            sa.select(WorkdayOverride).where(WorkdayOverride.day == form.day.data)
        )
        before = _describe(existing) if existing else None
        row = existing or WorkdayOverride(day=form.day.data)
        row.is_workday = form.is_workday.data == "1"
        row.name = form.name.data.strip()
        db.session.add(row)
        detail = {"日期": format_date_cn(row.day), "安排": _describe(row)}
        if before is not None:
            detail["原安排"] = before
        record("workday_override_save", current_user, detail)
        db.session.commit()
        flash(
            f"已{'更新' if existing else '添加'} {format_date_cn(row.day)} {row.name}。", "success"
        )
        return redirect(url_for("workdays.index"))
    rows = db.session.scalars(sa.select(WorkdayOverride).order_by(WorkdayOverride.day)).all()
    calendar = load_calendar()
    this_year = date.today().year
    years = [(y, calendar.covered(y)) for y in range(this_year - 2, this_year + 3)]
    return render_template(
        "workdays/index.html", form=form, rows=rows, years=years, editable=current_user.is_admin
    )


def _describe(row: WorkdayOverride) -> str:
    """放假（古尔邦节） / 上班（调休）."""
    return f"{'上班' if row.is_workday else '放假'}（{row.name}）"


@bp.post("/<int:override_id>/delete")
@roles_required("admin")
def delete(override_id: int):
    """Remove one override (admins)."""
    row = db.get_or_404(WorkdayOverride, override_id)
    record(
        "workday_override_delete",
        current_user,
        {"日期": format_date_cn(row.day), "原安排": _describe(row)},
    )
    db.session.delete(row)
    db.session.commit()
    flash(f"已删除 {format_date_cn(row.day)} {row.name}。", "success")
    return redirect(url_for("workdays.index"))
