"""Unit templates in the UI: list, edit with named placeholders and a live preview, restore."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import audit
from portal.applications.listing import load_application
from portal.applications.models import Application
from portal.campaigns.definition import PLACEHOLDERS, TEMPLATE_PLACEHOLDERS
from portal.campaigns.models import Campaign
from portal.campaigns.services import visible_campaign, visible_campaigns
from portal.documents.context import MISSING_LABELS, build_context
from portal.documents.layout import Block, layout_template
from portal.documents.models import UNIT_TEMPLATE_KINDS, UnitTemplate, find_exact
from portal.documents.render import adapt_template
from portal.extensions import db
from portal.formutil import positive_int
from portal.offices.models import Office, RecommendingUnit
from portal.offices.services import office_units
from portal.sandbox import TemplateError, check_template
from portal.security import can_edit_office, scope, scoped_get_or_404
from portal.timeutil import utcnow

#: The document each template kind prints as (see portal.documents.context.KINDS).
DOCUMENT_OF_TEMPLATE = {
    "publicity": "publicity",
    "publicity_result": "publicity-result",
    "commitment": "commitment",
}
ALL_UNITS = "本单位所有推荐单位"
ALL_CAMPAIGNS = "所有评审通知"
#: Longest template text accepted (the shipped templates are under 1,000 characters).
MAX_TEXT = 20_000
#: How many applications the preview offers to fill the template with.
PREVIEW_APPLICATIONS = 200

#: Values of the preview when no application is chosen.
SAMPLE_VALUES: dict[str, str] = {
    "姓名": "阿依古丽·叶尔肯",
    "性别": "女",
    "族别": "维吾尔族",
    "政治面貌": "中共党员",
    "身份证号": "652824********0021",
    "现任资格": "助理讲师",
    "系列": "党校教师",
    "专业": "哲学",
    "级别": "中级",
    "思想政治表现": "拥护中国共产党的领导，政治立场坚定，遵纪守法，爱岗敬业。",
    "业绩成果": "近五年承担主体班次教学任务，年均授课120学时，本人为主讲教师。",
    "公示开始": "2024年8月1日",
    "公示结束": "2024年8月7日",
    "公示天数": "7",
    "受理办公室": "人事",
    "监督电话": "0996-7102311",
    "单位负责人": "馆长",
    "推荐单位": "若羌县文化馆",
    "日期": "2024年8月1日",
}


@dataclass
class TemplateForm:
    """What the editor posted, and the problems of each field."""

    office_id: int | None = None
    unit_id: int | None = None
    campaign_code: str | None = None
    kind: str = "publicity"
    text: str = ""
    application_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Record a problem at field `name`."""
        self.errors.setdefault(name, []).append(message)


def _editable_offices() -> list[Office]:
    """Offices whose templates the current user may change."""
    if current_user.is_admin:
        return list(db.session.scalars(sa.select(Office).order_by(Office.code)))
    if current_user.is_clerk and current_user.office_id:
        office = db.session.get(Office, current_user.office_id)
        return [office] if office else []
    return []


def _campaign(code: str | None) -> Campaign | None:
    """The campaign of a code, or the newest one for “all campaigns” (its text is the default)."""
    if code:
        return visible_campaign(code)
    campaigns = visible_campaigns()
    return campaigns[0] if campaigns else None


def official_text(code: str | None, kind: str) -> str:
    """The notice's own text of a template kind ("" when unknown)."""
    campaign = _campaign(code)
    if campaign is None or kind not in UNIT_TEMPLATE_KINDS:
        return ""
    return getattr(campaign.definition.templates, kind)


def _read_form(office_default: int | None) -> TemplateForm:
    """The posted fields, checked: scope, kind and the template text in the sandbox."""
    source = request.form
    form = TemplateForm(
        office_id=positive_int(source.get("office_id")) or office_default,
        unit_id=positive_int(source.get("unit_id")),
        campaign_code=(source.get("campaign_code") or "").strip() or None,
        kind=(source.get("kind") or "").strip(),
        text=(source.get("text") or "").replace("\r\n", "\n"),
        application_id=positive_int(source.get("application_id")),
    )
    # Offices and units resolve only among those the user may edit: another office's id is
    # refused and forgotten, so neither the editor nor the preview shows anything of it.
    editable = {o.id for o in _editable_offices()}
    if form.office_id not in editable:
        form.add("office_id", "请选择本单位（您只能修改本单位的模板）")
        form.office_id = office_default if office_default in editable else None
    if form.unit_id is not None and form.unit_id not in {
        u.id for u in office_units(form.office_id)
    }:
        form.add("unit_id", "请选择本单位下属的推荐单位")
        form.unit_id = None
    if form.campaign_code is not None and _campaign(form.campaign_code) is None:
        form.add("campaign_code", "没有这个评审通知，请重新选择")
    if form.kind not in UNIT_TEMPLATE_KINDS:
        form.add("kind", "请选择文书")
        return form
    if not form.text.strip():
        form.add("text", "请填写模板内容（要使用通知原文，请点“恢复通知原文”）")
    elif len(form.text) > MAX_TEXT:
        form.add("text", f"模板内容过长（{len(form.text)}字），最多{MAX_TEXT}字")
    else:
        for problem in check_template(form.text, allowed_placeholders(form.kind)):
            form.add("text", problem.message)
    return form


def _editor(form: TemplateForm, template: UnitTemplate | None, status: int = 200):
    """The editor page."""
    office_id = form.office_id
    campaign = _campaign(form.campaign_code)
    apps_stmt = scope(sa.select(Application), Application).where(Application.office_id == office_id)
    if form.campaign_code and campaign is not None:
        apps_stmt = apps_stmt.where(Application.campaign_id == campaign.id)
    applications = list(
        db.session.scalars(apps_stmt.order_by(Application.name).limit(PREVIEW_APPLICATIONS))
    )
    editable = office_id is not None and can_edit_office(office_id)
    return (
        render_template(
            "documents/unit_template_form.html",
            form=form,
            template=template,
            offices=_editable_offices() if current_user.is_admin else [],
            units=office_units(office_id),
            campaigns=visible_campaigns(),
            kinds=UNIT_TEMPLATE_KINDS,
            applications=applications,
            placeholders=_placeholder_list(form.kind),
            editable=editable,
            all_units=ALL_UNITS,
            all_campaigns=ALL_CAMPAIGNS,
        ),
        status,
    )


def allowed_placeholders(kind: str) -> list[str]:
    """The placeholders a kind may use, in the order of PLACEHOLDERS (for stable messages)."""
    allowed = TEMPLATE_PLACEHOLDERS.get(kind, frozenset())
    return [name for name in PLACEHOLDERS if name in allowed]


def _placeholder_list(kind: str) -> list[tuple[str, str, str]]:
    """The placeholders allowed in a kind: name, description and what to insert."""
    return [(name, PLACEHOLDERS[name], "{{ " + name + " }}") for name in allowed_placeholders(kind)]


def unit_templates():
    """The adapted templates of the offices the user may read."""
    stmt = scope(sa.select(UnitTemplate), UnitTemplate).order_by(
        UnitTemplate.office_id,
        UnitTemplate.kind,
        UnitTemplate.unit_id.is_not(None),
        UnitTemplate.unit_id,
        UnitTemplate.campaign_code.is_not(None),
        UnitTemplate.campaign_code,
    )
    templates = list(db.session.scalars(stmt))
    titles = {c.code: c.title for c in visible_campaigns()}
    return render_template(
        "documents/unit_templates.html",
        templates=templates,
        titles=titles,
        can_create=bool(_editable_offices()),
        all_units=ALL_UNITS,
        all_campaigns=ALL_CAMPAIGNS,
    )


def _template_words(template: UnitTemplate) -> dict[str, str]:
    """A template's scope as the audit log says it: document, unit and notice by name."""
    unit = db.session.get(RecommendingUnit, template.unit_id) if template.unit_id else None
    campaign = _campaign(template.campaign_code) if template.campaign_code else None
    return {
        "文书": template.kind_label,
        "推荐单位": unit.name if unit else ALL_UNITS,
        "评审通知": campaign.title if campaign else ALL_CAMPAIGNS,
    }


def _save(form: TemplateForm, template: UnitTemplate | None) -> UnitTemplate | None:
    """Store the form unless it has problems; None when it has."""
    if form.errors:
        return None
    assert form.office_id is not None
    same = find_exact(form.office_id, form.unit_id, form.campaign_code, form.kind)
    if same is not None and (template is None or same.id != template.id):
        form.add("scope", f"已有相同范围的模板（编号{same.id}），请直接修改那一份")
        return None
    if template is None:
        template = UnitTemplate(office_id=form.office_id)
        db.session.add(template)
    template.office_id = form.office_id
    template.unit_id = form.unit_id
    template.campaign_code = form.campaign_code
    template.kind = form.kind
    template.text = form.text
    template.updated_by_id = current_user.id
    template.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "unit_template_save",
        current_user,
        _template_words(template),
        office_id=form.office_id,
    )
    db.session.commit()
    return template


def new_unit_template():
    """Create an adapted template, prefilled with the notice's own text."""
    offices = _editable_offices()
    if not offices:
        abort(403)
    default_office = offices[0].id
    if request.method == "POST":
        form = _read_form(default_office)
        if _save(form, None) is not None:
            flash("已保存。此后生成的文书使用调整后的措辞。", "success")
            return redirect(url_for("documents.unit_templates"))
        return _editor(form, None, 422)
    kind = request.args.get("kind", "publicity")
    kind = kind if kind in UNIT_TEMPLATE_KINDS else "publicity"
    code = request.args.get("campaign_code") or None
    code = code if code and _campaign(code) else None
    office_id = positive_int(request.args.get("office_id"))
    if office_id not in {o.id for o in offices}:
        office_id = default_office
    form = TemplateForm(
        office_id=office_id,
        unit_id=positive_int(request.args.get("unit_id")),
        campaign_code=code,
        kind=kind,
        text=official_text(code, kind),
    )
    return _editor(form, None)


def edit_unit_template(template_id: int):
    """Edit an adapted template; another office's is 404, a read-only user's save is 403."""
    template = scoped_get_or_404(UnitTemplate, template_id)
    if request.method == "POST":
        if not can_edit_office(template.office_id):
            abort(403)
        form = _read_form(template.office_id)
        form.office_id = template.office_id  # a template stays with its office
        if _save(form, template) is not None:
            flash("已保存。此后生成的文书使用调整后的措辞。", "success")
            return redirect(url_for("documents.unit_templates"))
        return _editor(form, template, 422)
    form = TemplateForm(
        office_id=template.office_id,
        unit_id=template.unit_id,
        campaign_code=template.campaign_code,
        kind=template.kind,
        text=template.text,
    )
    return _editor(form, template)


def delete_unit_template(template_id: int) -> Response:
    """恢复通知原文: drop the adapted template; the notice's wording applies again."""
    template = scoped_get_or_404(UnitTemplate, template_id, write=True)
    audit.record(
        "unit_template_delete",
        current_user,
        _template_words(template),
        office_id=template.office_id,
    )
    db.session.delete(template)
    db.session.commit()
    flash("已恢复通知原文。", "success")
    return redirect(url_for("documents.unit_templates"))


def official_text_field():
    """The textarea refilled with the notice's own text of the chosen campaign and kind."""
    kind = request.args.get("kind", "publicity")
    kind = kind if kind in UNIT_TEMPLATE_KINDS else "publicity"
    form = TemplateForm(
        campaign_code=request.args.get("campaign_code") or None,
        kind=kind,
        text=official_text(request.args.get("campaign_code") or None, kind),
    )
    return render_template("documents/_unit_template_text.html", form=form, editable=True)


def _preview_values(form: TemplateForm) -> tuple[dict[str, str], dict[str, str], str]:
    """Values to fill the preview with: the chosen application's, else samples; and a note."""
    if form.application_id is not None:
        app = load_application(form.application_id)
        ctx = build_context(app, DOCUMENT_OF_TEMPLATE[form.kind])
        values = dict(ctx.values)
        for name, value in values.items():
            if not value and name != "专业":
                values[name] = f"【{MISSING_LABELS.get(name, name)}未填写】"
        return values, dict(ctx.raw), f"以“{app.name}”的申报信息预览"
    values = dict(SAMPLE_VALUES)
    # form.unit_id is one of the user's own units or None (_read_form resolved it).
    unit = db.session.get(RecommendingUnit, form.unit_id) if form.unit_id else None
    if unit is not None:
        values["推荐单位"] = unit.name or values["推荐单位"]
        values["单位负责人"] = unit.head_title or values["单位负责人"]
        values["监督电话"] = unit.supervision_phone or values["监督电话"]
    office = (unit.objection_office.strip() if unit is not None else "") or "人事办公室"
    values["受理办公室"] = office.removesuffix("办公室") if office != "办公室" else office
    raw = {"专业": values["专业"], "受理办公室": office}
    return values, raw, "以示例数据预览"


def preview_unit_template():
    """The live preview: the text filled in the sandbox, or its problems at the field."""
    form = _read_form(current_user.office_id)
    blocks: list[Block] = []
    note = ""
    text_errors = form.errors.get("text", [])
    if form.kind in UNIT_TEMPLATE_KINDS and not text_errors and form.text.strip():
        values, raw, note = _preview_values(form)
        text = adapt_template(form.text, values, raw)
        try:
            blocks = layout_template(
                text, values, allowed_placeholders(form.kind), labels=form.kind == "publicity"
            )
        except TemplateError as exc:
            text_errors = [p.message for p in exc.problems]
    campaign = _campaign(form.campaign_code)
    sentence_only = (
        form.kind == "commitment"
        and campaign is not None
        and campaign.definition.commitment.mode == "form_sentence"
    )
    return render_template(
        "documents/_unit_template_preview.html",
        blocks=blocks,
        note=note,
        text_errors=text_errors,
        placeholders=_placeholder_list(form.kind),
        sentence_only=sentence_only,
        campaign=campaign,
    )
