"""Admin page for working-day overrides (Xinjiang's own holidays and local days)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.extensions import db
from portal.formutil import LooseDateField, SelectField
from portal.security import roles_required
from portal.textutil import format_date_cn
from portal.workdays.models import WorkdayOverride
from portal.workdays.services import load_calendar

bp = Blueprint("workdays", __name__, url_prefix="/admin/workdays")


class OverrideForm(FlaskForm):
    """One day that differs from the national calendar."""

    day = LooseDateField("日期", validators=[InputRequired("请填写日期，如 2025-06-06。")])
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
    """List the overrides, add one, and show which years the national calendar covers."""
    form = OverrideForm()
    if form.validate_on_submit():
        existing = db.session.scalar(
            sa.select(WorkdayOverride).where(WorkdayOverride.day == form.day.data)
        )
        row = existing or WorkdayOverride(day=form.day.data)
        row.is_workday = form.is_workday.data == "1"
        row.name = form.name.data.strip()
        db.session.add(row)
        db.session.commit()
        flash(
            f"已{'更新' if existing else '添加'} {format_date_cn(row.day)} {row.name}。", "success"
        )
        return redirect(url_for("workdays.index"))
    rows = db.session.scalars(sa.select(WorkdayOverride).order_by(WorkdayOverride.day)).all()
    calendar = load_calendar()
    this_year = date.today().year
    years = [(y, calendar.covered(y)) for y in range(this_year - 2, this_year + 3)]
    return render_template("workdays/index.html", form=form, rows=rows, years=years)


@bp.post("/<int:override_id>/delete")
@roles_required("admin", "prefecture")
def delete(override_id: int):
    """Remove one override."""
    row = db.get_or_404(WorkdayOverride, override_id)
    db.session.delete(row)
    db.session.commit()
    flash(f"已删除 {format_date_cn(row.day)} {row.name}。", "success")
    return redirect(url_for("workdays.index"))
