"""Mutations of applications: create, save a section, copy from last year."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.applications import sections
from portal.applications.models import Application, ApplicationSection, Person
from portal.applications.sections import specialty_choices
from portal.auth.models import User
from portal.campaigns.definition import CampaignDefinition
from portal.extensions import db
from portal.formutil import choice_label
from portal.offices.models import RecommendingUnit
from portal.textutil import format_date_cn
from portal.timeutil import utcnow, years_between
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS
from portal.workdays.services import publicity_period_for

# Sections that belong to one year's campaign and are not copied to the next application.
NOT_COPIED = {"assessments", "continuing_education", "publicity", "materials"}


def set_target_choices(form, defn: CampaignDefinition) -> None:
    """Series, specialty, level and kind choices from the campaign definition."""
    form.series_code.choices = [(s.code, s.name) for s in defn.series]
    series = defn.series_by_code(form.series_code.data) or defn.series[0]
    form.specialty.choices = specialty_choices(series)
    form.level.choices = [(lv, LEVEL_LABELS[lv]) for lv in series.levels]
    form.kind.choices = [(k, KIND_LABELS[k]) for k in defn.kinds]


def create_application(form, campaign, office_id: int, user: User):
    """Create the person (if new) and the application; returns (app, (field, message)|None)."""
    unit = db.session.get(RecommendingUnit, form.unit_id.data)
    if unit is None or unit.office_id != office_id:
        return None, ("unit_id", "请选择本单位的推荐单位。")
    person = db.session.scalar(
        sa.select(Person).where(
            Person.office_id == office_id, Person.id_number == form.id_number.data
        )
    )
    if person is None:
        person = Person(office_id=office_id, id_number=form.id_number.data, name=form.name.data)
        db.session.add(person)
        db.session.flush()
    else:
        clash = db.session.scalar(
            sa.select(Application.id).where(
                Application.person_id == person.id, Application.campaign_id == campaign.id
            )
        )
        if clash:
            return None, ("id_number", "此人在该评审通知下已有申报，请在申报列表中查找。")
        person.name = form.name.data
    app = Application(
        campaign=campaign,
        office_id=office_id,
        unit=unit,
        person=person,
        name=form.name.data,
        id_number=form.id_number.data,
        series_code=form.series_code.data,
        specialty=form.specialty.data,
        level=form.level.data,
        kind=form.kind.data,
    )
    db.session.add(app)
    db.session.flush()
    if form.copy_previous.data:
        copy_from_previous(app, user)
    return app, None


def save_section(app: Application, key: str, form, user: User) -> ApplicationSection:
    """Store a validated section and mirror the searchable fields onto the application."""
    data = sections.data_from_form(form)
    stored = app.section(key)
    if stored is None:
        stored = ApplicationSection(application=app, key=key)
        db.session.add(stored)
    stored.data = data
    stored.complete = sections.is_complete(key, data, app.campaign.definition)
    stored.updated_by_id = user.id
    if key == "basic":
        _mirror_basic(app, data)
    if key == "publicity":
        start = form.start.data
        app.publicity_start = start
        app.publicity_end = publicity_period_for(app, start).end if start else None
        app.objection_open = bool(data.get("objection_open"))
    app.updated_at = utcnow()
    db.session.flush()
    return stored


def _mirror_basic(app: Application, data: dict) -> None:
    """Copy name, ID number, unit and target from the basic section onto the application."""
    app.name = data["name"]
    app.series_code = data["series_code"]
    app.specialty = data["specialty"]
    app.level = data["level"]
    app.kind = data["kind"]
    unit = db.session.get(RecommendingUnit, data["unit_id"])
    if unit is not None and unit.office_id == app.office_id:
        app.unit = unit
    if data["id_number"] != app.id_number:
        person = db.session.scalar(
            sa.select(Person).where(
                Person.office_id == app.office_id, Person.id_number == data["id_number"]
            )
        )
        if person is None:
            app.person.id_number = data["id_number"]
        else:
            app.person = person
        app.id_number = data["id_number"]
    app.person.name = data["name"]


def previous_application(app: Application) -> Application | None:
    """The same person's most recent other application."""
    stmt = (
        sa.select(Application)
        .where(Application.person_id == app.person_id, Application.id != app.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return db.session.scalars(stmt).first()


def copy_from_previous(app: Application, user: User) -> int | None:
    """Copy the sections not yet filled from the previous application; returns how many."""
    prev = previous_application(app)
    if prev is None:
        return None
    copied = 0
    for stored in prev.sections:
        if stored.key in NOT_COPIED or app.section(stored.key) is not None:
            continue
        data = dict(stored.data)
        if stored.key == "basic":
            data.update(
                series_code=app.series_code,
                specialty=app.specialty,
                level=app.level,
                kind=app.kind,
                unit_id=app.unit_id,
            )
        db.session.add(
            ApplicationSection(
                application=app, key=stored.key, data=data, complete=False, updated_by_id=user.id
            )
        )
        copied += 1
    db.session.flush()
    db.session.refresh(app)
    return copied


def next_section(key: str) -> str | None:
    """The key of the section after this one."""
    keys = [s.key for s in sections.SECTIONS]
    i = keys.index(key)
    return keys[i + 1] if i + 1 < len(keys) else None


def find_field(form, name: str):
    """A field of a form by its full name (rows-0-start), or None."""
    for field in form:
        if field.name == name:
            return field
        if field.type == "FieldList":
            for entry in field:
                for sub in entry.form if hasattr(entry, "form") else [entry]:
                    if sub.name == name:
                        return sub
    return None


def readable(app: Application, key: str, data: dict) -> list[tuple[str, str]]:
    """A section's stored data as (label, value) pairs, to show what somebody else saved."""
    form = sections.build_form(key, app, data=data, units=[app.unit])
    out: list[tuple[str, str]] = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField"):
            continue
        if field.type == "FieldList":
            for i, entry in enumerate(field):
                parts = [
                    f"{sub.label.text}：{_show(sub)}"
                    for sub in entry.form
                    if sub.type != "HiddenField" or sub.name.endswith("-name")
                ]
                out.append((f"第{i + 1}行", "；".join(parts)))
        else:
            out.append((field.label.text, _show(field)))
    return out


def _show(field) -> str:
    if field.type == "BooleanField":
        return "是" if field.data else "否"
    if field.type == "SelectField":
        return choice_label(field, field.data)
    if hasattr(field.data, "isoformat"):
        return format_date_cn(field.data)
    return "" if field.data is None else str(field.data)


def section_extras(app: Application, key: str, form) -> dict[str, Any]:
    """Computed values shown beside a section (years in profession, publicity end date)."""
    d = app.campaign.definition
    if key == "qualification":
        basic = app.section_data("basic")
        work_start = basic.get("work_start")
        return {
            "cutoff": d.seniority_cutoff,
            "years_in_title": years_between(form.obtained_on.data, d.seniority_cutoff),
            "years_working": years_between(work_start, d.seniority_cutoff),
        }
    if key == "publicity":
        start = form.start.data
        return {
            "period": publicity_period_for(app, start) if start else None,
            "min_days": d.rules.publicity_min_workdays,
        }
    return {}
