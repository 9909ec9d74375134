"""Applications: the office list, creating one, and the section pages."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from htmx_flask import request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from portal.applications import forms, operations, presenters, sections
from portal.applications.forms import NewApplicationForm, set_target_choices
from portal.applications.listing import ListQuery, list_applications, load_application
from portal.applications.models import Application
from portal.applications.operations import ApplicationError, ApplicationLocked, VersionConflict
from portal.campaigns.services import visible_campaign, visible_campaigns
from portal.extensions import db
from portal.offices.models import RecommendingUnit
from portal.offices.services import office_units
from portal.rules.checks import findings_for
from portal.rules.summaries import briefs, with_summaries
from portal.rules.summaries import keep as keep_summaries
from portal.security import can_edit_office, scope
from portal.textutil import parse_date_loose
from portal.timeutil import local_today
from portal.vocabulary import STATUS_LABELS
from portal.workdays.services import publicity_period_for


def index():
    """The office's applications: active search, filters, sort, pagination."""
    q = ListQuery.from_args(request.args)
    q.per_page = current_app.config["APPLICATIONS_PER_PAGE"]
    page = list_applications(q, extend=with_summaries)  # each row's findings in brief
    summaries = briefs(page.items)
    units = db.session.execute(  # rows of two columns: no ORM object per unit
        scope(sa.select(RecommendingUnit.id, RecommendingUnit.name), RecommendingUnit).order_by(
            RecommendingUnit.name
        )
    ).all()
    campaigns = visible_campaigns()
    series_choices = list({s.code: s.name for c in campaigns for s in c.definition.series}.items())
    ctx = dict(
        page=page,
        summaries=summaries,
        q=q,
        campaigns=campaigns,
        units=units,
        status_labels=STATUS_LABELS,
        series_choices=series_choices,
        list_url=presenters.QueryUrls("applications.index"),
        section_url=presenters.IdUrls("applications.section", key="basic"),
        review_url=presenters.IdUrls("applications.review"),
    )
    fragment = request.htmx and request.htmx.target == "results"
    html = render_template(
        "applications/_results.html" if fragment else "applications/index.html", **ctx
    )
    keep_summaries()  # the summaries recomputed for applications changed since last shown
    return html


def new():
    """Start an application for a person in a campaign (optionally from last year's data)."""
    if not current_user.is_clerk:
        abort(403)
    office_id = current_user.office_id
    form = NewApplicationForm()
    campaigns = visible_campaigns()
    form.campaign_id.choices = [(c.id, c.title) for c in campaigns]
    form.unit_id.choices = [(u.id, u.name) for u in office_units(office_id)]
    campaign = visible_campaign(form.campaign_id.data) if form.campaign_id.data else None
    campaign = campaign or (campaigns[0] if campaigns else None)
    if campaign is None:
        flash("还没有评审通知，请先由管理员导入。", "warning")
        return redirect(url_for("applications.index"))
    set_target_choices(form, campaign.definition)
    if request.htmx and request.form.get("refresh"):
        return render_template("applications/_new_target.html", form=form)
    if form.validate_on_submit() and not request.form.get("refresh"):
        data = {name: form[name].data for name in operations.NEW_FIELDS}
        try:
            app = operations.create_application(
                campaign, office_id, data, current_user, copy_previous=form.copy_previous.data
            )
        except ApplicationError as exc:
            _show_errors(form, exc.field_errors("basic"))
        else:
            db.session.commit()
            flash(f"已为 {app.name} 创建申报。", "success")
            return redirect(url_for("applications.section", app_id=app.id, key="basic"))
    return render_template("applications/new.html", form=form)


def _show_errors(form, errors: dict[str, list[str]]) -> None:
    """Put errors the operations API found at the form's fields of the same name."""
    for name, messages in errors.items():
        field = presenters.find_field(form, name)
        if field is not None:
            field.errors = [*field.errors, *messages]


def _renumber_without(formdata: MultiDict, prefix: str, drop: int) -> MultiDict:
    """Form data with row `drop` of a FieldList removed and the rest renumbered."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.+)$")
    out = MultiDict()
    for key, value in formdata.items(multi=True):
        m = pattern.match(key)
        if not m:
            out.add(key, value)
            continue
        idx = int(m.group(1))
        if idx == drop:
            continue
        out.add(f"{prefix}-{idx - 1 if idx > drop else idx}-{m.group(2)}", value)
    return out


def _with_none(formdata: MultiDict, key: str, name: str) -> MultiDict:
    """Form data with 「无」 written into a field that takes it (the 「无」 button without JS)."""
    form_class = sections.BY_KEY[key].form
    field = getattr(form_class, name, None)
    if field is None or not (field.kwargs.get("render_kw") or {}).get("data-none"):
        return formdata
    out = MultiDict(formdata)
    out.setlist(name, [forms.NONE])
    return out


def _without_blank_rows(app: Application, key: str, form, formdata: MultiDict, units):
    """The form again without the rows nothing was typed into (added by mistake)."""
    rows_name = sections.BY_KEY[key].rows
    blank = [
        int(entry.name.rsplit("-", 1)[1])  # the index the browser posted (rows-3)
        for entry in form[rows_name]
        if sections.blank_row(key, _typed(entry.form))
    ]
    if not blank:
        return form
    for index in sorted(blank, reverse=True):
        formdata = _renumber_without(formdata, rows_name, index)
    return sections.build_form(key, app, formdata=formdata, units=units)


def _typed(row_form) -> dict:
    """What was typed into a row, as posted (a date that does not parse is still text)."""
    return {
        sub.short_name: (sub.raw_data[0] if sub.raw_data else None)
        if sub.type != "BooleanField"
        else bool(sub.raw_data and sub.raw_data[0])
        for sub in row_form
    }


def _render_section(
    app: Application,
    key: str,
    form,
    status: int = 200,
    conflict=None,
    rows_only: bool = False,
):
    section = sections.BY_KEY[key]
    findings = findings_for(app, local_today())
    blocking = {f.section for f in findings if f.blocking}
    ctx = dict(
        app=app,
        key=key,
        section=section,
        form=form,
        sections=sections.SECTIONS,
        states={s.key: sections.section_state(app, s.key, blocking) for s in sections.SECTIONS},
        findings=[f for f in findings if f.section == key],
        state_labels=sections.STATE_LABELS,
        conflict=conflict,
        can_edit=can_edit_office(app.office_id) and not app.locked,
        locked=operations.locked_why(app) if app.locked else None,
        extras=presenters.section_extras(app, key, form),
    )
    template = "applications/_rows.html" if rows_only else "applications/section.html"
    return render_template(template, **ctx), status


def section(app_id: int, key: str):
    """One section page: show it, add or remove rows, or save it."""
    if key not in sections.BY_KEY:
        abort(404)
    app = load_application(app_id, write=request.method == "POST")
    units = office_units(app.office_id)
    spec = sections.BY_KEY[key]
    if request.method == "GET":
        stored = app.section(key)
        form = sections.build_form(key, app, data=stored.data if stored else None, units=units)
        form.version.data = str(stored.version) if stored else ""
        return _render_section(app, key, form)

    action = request.form.get("action", "save")
    formdata = request.form
    if action.startswith("remove:") and spec.rows:
        row = action.removeprefix("remove:")
        if not (row.isascii() and row.isdigit() and len(row) <= 4):
            abort(400)  # only the page's own 删除 buttons send this, with a row number
        formdata = _renumber_without(formdata, spec.rows, int(row))
    if action.startswith("none:"):
        formdata = _with_none(formdata, key, action.split(":", 1)[1])
    form = sections.build_form(key, app, formdata=formdata, units=units)
    if action == "add" and spec.rows:
        form[spec.rows].append_entry()
    if action != "save":
        return _render_section(app, key, form, rows_only=bool(request.htmx and spec.rows))
    if spec.rows:
        form = _without_blank_rows(app, key, form, formdata, units)
    if app.locked:  # reported or closed meanwhile: say so, keep what was typed
        flash(f"未保存：{operations.locked_why(app)}", "danger")
        return _render_section(app, key, form, status=409)

    if not sections.validate(key, form):
        return _invalid(app, key, form)
    try:
        saved = operations.store_section(
            app,
            key,
            sections.data_from_form(form),
            current_user,
            expected_version=form.version.data or "",
            units=units,
        )
        # What the answer says, read before the commit expires the application: reading it
        # after would load the application and its ~12 sections again.
        problems, complete = sections.saved_problems(key, saved.data), saved.complete
        db.session.commit()
    except VersionConflict as exc:
        return _conflict(app, key, form, exc.stored)
    except ApplicationLocked as exc:  # locked while the clerk was typing: keep what was typed
        flash(f"未保存：{exc.message}", "danger")
        return _render_section(app, key, form, status=409)
    except ApplicationError as exc:  # checked before anything is written
        _show_errors(form, exc.field_errors(key))
        return _invalid(app, key, form)
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        app = load_application(app_id)
        stored = app.section(key)
        form = sections.build_form(key, app, formdata=request.form, units=units)
        form.validate()
        return _conflict(app, key, form, stored)
    if problems:
        flash(f"“{spec.label}”已保存，但有需要核对的问题，见下方提示。", "warning")
        return redirect(url_for("applications.section", app_id=app_id, key=key))
    if not complete:  # kept, but the clerk stays to see what is still missing
        flash(f"“{spec.label}”已保存，但还不完整，缺少的内容见下方提示。", "warning")
        return redirect(url_for("applications.section", app_id=app_id, key=key))
    flash(f"“{spec.label}”已保存。", "success")
    nxt = presenters.next_section(key)
    return redirect(url_for("applications.section", app_id=app_id, key=nxt or key))


def _invalid(app: Application, key: str, form):
    """Refused: the form again with the errors at their fields and everything typed kept."""
    flash(
        "有填写不正确的地方，请按红色提示修改后再保存。内容尚未保存，您填写的内容都还在。",
        "danger",
    )
    return _render_section(app, key, form, status=422)


def _conflict(app: Application, key: str, form, stored):
    """Someone else saved this section first: keep what was typed, show what they saved."""
    if stored is not None:
        form.version.data = str(stored.version)  # saving again now overwrites deliberately
    who = (
        stored.updated_by.display_name or stored.updated_by.username
        if (stored is not None and stored.updated_by)
        else "其他人"
    )
    conflict = {
        "who": who,
        "at": stored.updated_at if stored else None,
        "data": presenters.readable(app, key, stored.data if stored else {}),
    }
    flash(
        f"保存冲突：{who} 刚刚保存了这一部分。您填写的内容仍在下方，尚未保存；"
        "请对照对方保存的内容，确认后再次点击“保存”将以您的内容为准。",
        "danger",
    )
    return _render_section(app, key, form, status=409, conflict=conflict)


def check_field(app_id: int, key: str):
    """Inline validation: the errors of one field, checked when it loses focus."""
    if key not in sections.BY_KEY:
        abort(404)
    app = load_application(app_id)
    form = sections.build_form(key, app, formdata=request.form, units=office_units(app.office_id))
    sections.validate(key, form)
    field = presenters.find_field(form, request.args.get("field", ""))
    if field is None:
        abort(404)
    if key == "basic" and field.name == "id_number" and not field.errors:
        problem = operations.id_change_problem(app, field.data)
        field.errors = [problem] if problem else []
    return render_template("applications/_field_errors.html", field=field)


def copy_previous(app_id: int):
    """从上一年复制: fill empty sections from the person's previous application."""
    app = load_application(app_id, write=True)
    try:
        copied = operations.copy_from_previous(app, current_user)
    except ApplicationLocked as exc:
        flash(exc.message, "danger")
        return redirect(url_for("applications.section", app_id=app.id, key="basic"))
    if copied is None:
        flash("没有找到此人以前的申报。", "warning")
    else:
        db.session.commit()
        flash(f"已从上一次申报复制 {copied} 个部分，请逐项核对后保存。", "success")
    return redirect(url_for("applications.section", app_id=app.id, key="basic"))


def publicity_period(app_id: int):
    """The publicity end date for a typed start date, shown at once (HTMX)."""
    app = load_application(app_id)
    extras = {"min_days": app.campaign.definition.rules.publicity_min_workdays, "period": None}
    error = None
    raw = (request.form.get("start") or "").strip()
    if raw:
        try:
            extras["period"] = publicity_period_for(app, parse_date_loose(raw))
        except ValueError as exc:
            error = str(exc)
    return render_template("applications/_publicity_period.html", extras=extras, error=error)
