"""The values a document is filled with, taken from an application, its unit and the calendar.

One builder feeds both the HTML print preview and the PDF. It never reads the applicant's
phone number: no document the unit prints or posts may show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from portal.applications.models import Application
from portal.campaigns.placeholders import ANNEX_FIELDS, ANNEX_TABLES
from portal.campaigns.schema import Annex, Material
from portal.documents.models import template_text
from portal.sandbox import placeholders_in
from portal.textutil import format_date_cn, format_month_cn, iso_date, mask_id_publicity
from portal.timeutil import local_today
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    BUILTIN_DOCUMENT_KINDS,
    BUILTIN_DOCUMENT_LABELS,
    LEVEL_LABELS,
)
from portal.vocabulary import (
    KIND_LABELS as APPLICATION_KIND_LABELS,
)
from portal.workdays.calendar import Period, WorkdayCalendar
from portal.workdays.services import load_calendar

#: The documents every campaign has, as used in URLs and on the command line; a campaign's
#: annexes (``CampaignDefinition.annexes``) come beside them under their own codes.
KINDS: tuple[str, ...] = BUILTIN_DOCUMENT_KINDS
KIND_LABELS: dict[str, str] = BUILTIN_DOCUMENT_LABELS
#: The campaign template each kind is worded from (None: a fixed form).
TEMPLATE_OF_KIND: dict[str, str | None] = {
    "publicity": "publicity",
    "publicity-result": "publicity_result",
    "commitment": "commitment",
    "ce-exemption": None,
    "catalog": None,
}

#: What to tell the clerk when a placeholder has no value: the item and where to fill it in.
MISSING_LABELS: dict[str, str] = {
    "姓名": "姓名（基本信息）",
    "性别": "性别（基本信息）",
    "族别": "民族（基本信息）",
    "政治面貌": "政治面貌（基本信息）",
    "身份证号": "身份证号（基本信息）",
    "现任资格": "现任专业技术职务任职资格（现任专业技术资格）",
    "系列": "申报系列（基本信息）",
    "专业": "申报专业（基本信息）",
    "级别": "申报级别（基本信息）",
    "思想政治表现": "思想政治表现（思想政治表现）",
    "业绩成果": "近五年业绩成果及本人贡献（业绩成果）",
    "公示开始": "公示开始日期（公示与推荐）",
    "公示结束": "公示结束日期（公示与推荐：先填写公示开始日期）",
    "公示天数": "公示天数（公示与推荐：先填写公示开始日期）",
    "受理办公室": "受理异议的办公室（推荐单位设置）",
    "监督电话": "监督电话（推荐单位设置）",
    "推荐单位": "推荐单位（基本信息）",
    "日期": "落款日期（公示与推荐：先填写公示开始日期）",
}

#: The date line a person fills in by hand: the year printed, month and day left blank.
BLANK_DAY = "　　月　　日"


@dataclass
class DocumentContext:
    """Placeholder values of one document, and what it needs but the application lacks."""

    values: dict[str, str]
    missing: list[str]
    #: Values of fixed forms (exemption form, catalog) beyond the placeholders.
    fields: dict[str, Any] = field(default_factory=dict)
    #: Raw values before a suffix the template appends was cut off (受理办公室, 专业).
    raw: dict[str, str] = field(default_factory=dict)
    period: Period | None = None


class MissingData(Exception):
    """A document cannot be produced: the list says what is missing, in Chinese."""

    def __init__(self, missing: list[str], title: str = "") -> None:
        super().__init__("；".join(missing))
        self.missing = missing
        self.title = title


def _text(value: object) -> str:
    """A stripped string, or "" for None."""
    return "" if value is None else str(value).strip()


def _parse_day(value: object) -> date | None:
    """A date from a stored ISO string (a Month from ``2010-07``), or a date; else None."""
    return iso_date(value)


def publicity_start(app: Application) -> date | None:
    """The publicity start date: the application's column, else the publicity section."""
    return app.publicity_start or _parse_day(app.section_data("publicity").get("start"))


def next_workday(calendar: WorkdayCalendar, day: date) -> date:
    """The first working day after day."""
    day += timedelta(days=1)
    for _ in range(60):
        if calendar.is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def _qualification(app: Application) -> str:
    """The current qualification as the notice words it, e.g. 助理馆员; 无 when none."""
    data = app.section_data("qualification")
    title = _text(data.get("title"))
    if not title:
        return ""
    return title


def _highest_education(app: Application) -> dict[str, Any]:
    """The last (highest) row of the education section, or {}."""
    rows = [r for r in app.section_data("education").get("rows") or [] if r]
    return rows[-1] if rows else {}


def applicable_materials(app: Application) -> list[Material]:
    """The campaign's materials for this application's kind, level and first time."""
    return app.applicable_materials()


def annex_of(app: Application, kind: str) -> Annex | None:
    """The campaign's annex document ``kind`` when it is offered for this application."""
    annex = app.campaign.definition.annex(kind)
    return annex if annex is not None and annex.applies(app.kind, app.level) else None


def document_kinds(app: Application) -> list[tuple[str, str]]:
    """Every document of an application: the built-in kinds, then its campaign's annexes."""
    annexes = app.campaign.definition.annexes
    return [(k, KIND_LABELS[k]) for k in KINDS] + [
        (a.code, a.title) for a in annexes if a.applies(app.kind, app.level)
    ]


def document_label(app: Application | None, kind: str) -> str:
    """The Chinese name of document ``kind`` (an annex's title for a campaign's own kind)."""
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    annex = app.campaign.definition.annex(kind) if app is not None else None
    return annex.title if annex is not None else kind


def is_document_kind(app: Application, kind: str) -> bool:
    """True when ``kind`` is a built-in document or an annex offered for this application."""
    return kind in KINDS or annex_of(app, kind) is not None


def placeholder_values(
    app: Application, calendar: WorkdayCalendar
) -> tuple[dict[str, str], dict[str, str], Period | None]:
    """Every placeholder's value ("" when unknown), the raw values, and the publicity period."""
    definition = app.campaign.definition
    basic = app.section_data("basic")
    unit = app.unit
    series = definition.series_by_code(app.series_code)
    specialty = _text(app.specialty)
    office_name = _text(unit.objection_office if unit else "")
    id_number = _text(basic.get("id_number") or app.id_number)
    show_full = bool(app.office and app.office.show_full_id_on_publicity)

    period: Period | None = None
    start = publicity_start(app)
    if start is not None:
        period = calendar.publicity_period(start, definition.rules.publicity_min_workdays)

    values = {
        "姓名": _text(basic.get("name") or app.name),
        "性别": _text(basic.get("gender")),
        "族别": _text(basic.get("ethnicity")),
        "政治面貌": _text(basic.get("political_status")),
        "身份证号": id_number if show_full else mask_id_publicity(id_number) if id_number else "",
        "现任资格": _qualification(app),
        # Series.short_name drops 系列: the templates write {{ 系列 }}系列.
        "系列": series.short_name if series else "",
        # The templates write {{ 专业 }}专业 and {{ 受理办公室 }}办公室 (see adapt_template).
        "专业": specialty.removesuffix("专业"),
        "级别": LEVEL_LABELS.get(app.level, ""),
        "思想政治表现": _text(app.section_data("political").get("conduct")),
        "业绩成果": _text(app.section_data("achievements").get("summary")),
        "公示开始": format_date_cn(period.start) if period else "",
        "公示结束": format_date_cn(period.end) if period else "",
        # The notice says 公示××天 over the dates it names: the days the notice hung.
        "公示天数": str(period.calendar_days) if period else "",
        "受理办公室": office_name.removesuffix("办公室") if office_name != "办公室" else "",
        "监督电话": _text(unit.supervision_phone if unit else ""),
        # Who signs the notice: the unit's 单位负责人职务, else the notice's own word.
        "单位负责人": _text(unit.head_title if unit else "") or "单位负责人",
        "推荐单位": _text(unit.name if unit else ""),
        "日期": "",
    }
    raw = {"专业": specialty, "受理办公室": office_name}
    return values, raw, period


def _missing(values: dict[str, str], raw: dict[str, str], names: list[str]) -> list[str]:
    """Chinese labels of the names that have no value."""
    out = []
    for name in names:
        if name == "专业":
            continue  # a series the notice does not divide has no specialty (adapt_template)
        value = raw.get(name, values.get(name, ""))
        if not value:
            label = MISSING_LABELS.get(name, name)
            if label not in out:
                out.append(label)
    return out


def build_context(
    app: Application,
    kind: str,
    *,
    today: date | None = None,
    calendar: WorkdayCalendar | None = None,
) -> DocumentContext:
    """The values of document `kind` for one application, and what is missing for it."""
    annex = None if kind in KINDS else annex_of(app, kind)
    if kind not in KINDS and annex is None:
        raise ValueError(f"未知的文书类型：{kind}")
    today = today or local_today()
    definition = app.campaign.definition
    calendar = calendar or load_calendar()
    values, raw, period = placeholder_values(app, calendar)
    missing: list[str] = []
    fields: dict[str, Any] = {}

    if kind == "publicity":
        values["日期"] = values["公示开始"]
    elif kind == "publicity-result":
        if period is not None:
            values["日期"] = format_date_cn(next_workday(calendar, period.end))
    else:
        # Signed, stamped and dated by hand: the campaign year printed, month and day blank.
        values["日期"] = f"{definition.year}年{BLANK_DAY}"

    template = TEMPLATE_OF_KIND.get(kind)
    if template is not None:
        missing = _missing(values, raw, placeholders_in(template_text(app, template)))
    if MISSING_LABELS["公示开始"] in missing:
        # The end, the days and the date all follow from the start: ask for the start only.
        derived = {MISSING_LABELS[name] for name in ("公示结束", "公示天数", "日期")}
        missing = [item for item in missing if item not in derived]
    if kind == "publicity-result" and period is not None:
        if period.end >= today:
            missing.append(
                f"公示尚未结束（公示至{format_date_cn(period.end)}），公示期满后才能出具公示结果"
            )
        if app.objection_open or app.section_data("publicity").get("objection_open"):
            missing.append("公示期间收到的异议尚未处理完毕，不能出具“公示无异议”的公示结果")
    if kind == "commitment" and definition.commitment.mode == "form_sentence":
        missing = _missing(values, raw, ["姓名", "推荐单位"])
        fields["form_sentence"] = True
    if kind == "ce-exemption":
        fields, form_missing = _ce_exemption_fields(app, values)
        missing.extend(form_missing)
    if kind == "catalog":
        missing = _missing(values, raw, ["姓名", "推荐单位"])
        fields = _catalog_fields(app)
    if annex is not None:
        missing = _missing(values, raw, ["姓名", "推荐单位"])
        fields = _annex_fields(app, annex, values)
    return DocumentContext(values, missing, fields, raw, period)


def _ce_exemption_fields(
    app: Application, values: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The cells of 002 附件4 (免除继续教育学习申请表) and what is missing for them."""
    definition = app.campaign.definition
    basic = app.section_data("basic")
    ce = app.section_data("continuing_education")
    education = _highest_education(app)
    grounds = {g.code: g.label for g in definition.ce_exemption_grounds}
    ground = _text(ce.get("exemption_ground"))
    graduated = ""
    if education:
        end = _parse_day(education.get("end"))
        parts = [format_month_cn(end), _text(education.get("school"))]
        major = _text(education.get("major"))
        graduated = "".join(p for p in parts if p) + (f"{major}专业" if major else "")
    target = f"{values['系列']}系列" if values["系列"] else ""
    if values["专业"]:
        target += f"{values['专业']}专业"
    target += values["级别"]
    fields = {
        "姓名": values["姓名"],
        "性别": values["性别"],
        "出生年月": format_month_cn(_parse_day(basic.get("birth_date"))),
        # A form handed to the approving office, not posted: the full number.
        "身份证号": _text(basic.get("id_number") or app.id_number),
        "学历": _text(education.get("level")),
        "学位": _text(education.get("degree")),
        "毕业": graduated,
        "现工作单位": values["推荐单位"],
        "参加工作时间": format_month_cn(_parse_day(basic.get("work_start"))),
        "现有专业技术职务": values["现任资格"],
        "拟申报专业技术职务": target,
        "免学理由": grounds.get(ground, ground),
        "title": definition.documents.ce_exemption.title,
        "notes": definition.documents.ce_exemption.notes,
    }
    labels = {
        "姓名": "姓名（基本信息）",
        "性别": "性别（基本信息）",
        "出生年月": "出生日期（基本信息）",
        "身份证号": "身份证号（基本信息）",
        "学历": "学历（学历学位）",
        "学位": "学位（学历学位）",
        "毕业": "毕业院校和专业（学历学位）",
        "现工作单位": "推荐单位（基本信息）",
        "参加工作时间": "参加工作时间（基本信息）",
        "现有专业技术职务": "现任专业技术职务任职资格（现任专业技术资格）",
        "拟申报专业技术职务": "申报系列和级别（基本信息）",
        "免学理由": "免除理由（继续教育）",
    }
    missing: list[str] = []
    if not ce.get("exempt"):
        missing.append("本申报没有申请免除继续教育（在“继续教育”中勾选申请免除并选择理由）")
    missing.extend(label for key, label in labels.items() if not fields[key])
    return fields, missing


def _catalog_fields(app: Application) -> dict[str, Any]:
    """The rows of the materials catalog: the campaign's list with the copies received."""
    definition = app.campaign.definition
    stored = {
        row.get("name"): row for row in app.section_data("materials").get("rows") or [] if row
    }
    # The exempt hand in the exemption form instead of the certificates (000 七（一）…).
    exempt = bool(app.section_data("continuing_education").get("exempt"))
    rows = []
    for number, material in enumerate(applicable_materials(app), start=1):
        row = stored.get(material.name, {})
        copies = row.get("copies") or material.copies
        replaced = exempt and bool(material.ce_exempt_name)
        rows.append(
            {
                "number": number,
                "name": material.ce_exempt_name if replaced else material.name,
                "copies": str(copies) if copies else "",
                "note": "" if replaced else material.note,
                "received": bool(row.get("received")),
            }
        )
    return {
        "campaign": definition.notice_title or definition.title,
        "issuer": definition.issuer,
        "kind": APPLICATION_KIND_LABELS.get(app.kind, app.kind),
        "rows": rows,
    }


# --------------------------------------------------------------------------- annexes


def _month_span(start: object, end: object) -> str:
    """2008年8月—2015年6月, or …—至今 for a period still running."""
    first = format_month_cn(_parse_day(start))
    last = format_month_cn(_parse_day(end)) or "至今"
    return f"{first}—{last}" if first else ""


def _rows_of(app: Application, key: str) -> list[dict[str, Any]]:
    """The rows of a repeating section, without empty ones."""
    return [r for r in app.section_data(key).get("rows") or [] if isinstance(r, dict) and r]


def annex_table_rows(app: Application, name: str) -> list[dict[str, str]]:
    """The rows of annex table ``name`` for one application, by column label."""
    if name == "材料清单":
        return [
            {
                "序号": str(r["number"]),
                "材料名称": r["name"],
                "份数": r["copies"],
                "备注": r["note"],
                "已收到": "√" if r["received"] else "",
            }
            for r in _catalog_fields(app)["rows"]
        ]
    if name == "继续教育":
        out = []
        for r in _rows_of(app, "continuing_education"):
            public, professional = r.get("public_hours"), r.get("professional_hours")
            numbers = [h for h in (public, professional) if isinstance(h, int)]
            out.append(
                {
                    "年度": _text(r.get("year")),
                    "公需科目": _text(public),
                    "专业科目": _text(professional),
                    "合计": str(sum(numbers)) if numbers else "",
                    "证书编号": _text(r.get("certificate")),
                }
            )
        return out
    if name == "年度考核":
        return [
            {
                "年度": _text(r.get("year")),
                "考核结果": ASSESSMENT_RESULT_LABELS.get(r.get("result") or "", "未考核")
                if r.get("result")
                else "",
            }
            for r in _rows_of(app, "assessments")
        ]
    if name == "工作经历":
        return [
            {
                "起止时间": _month_span(r.get("start"), r.get("end")),
                "工作单位": _text(r.get("unit")),
                "从事工作": _text(r.get("work")),
            }
            for r in _rows_of(app, "work")
        ]
    if name == "学历学位":
        return [
            {
                "起止时间": _month_span(r.get("start"), r.get("end")),
                "毕业院校": _text(r.get("school")),
                "专业": _text(r.get("major")),
                "学历": _text(r.get("level")),
                "学位": _text(r.get("degree")),
            }
            for r in _rows_of(app, "education")
        ]
    if name == "论文著作":
        return [
            {
                "题目": _text(r.get("title")),
                "刊物": _text(r.get("journal")),
                "发表时间": format_month_cn(_parse_day(r.get("published_on"))),
                "级别": _text(r.get("level")),
            }
            for r in _rows_of(app, "papers")
        ]
    if name == "获奖情况":
        return [
            {
                "时间": format_month_cn(_parse_day(r.get("awarded_on"))),
                "奖项名称": _text(r.get("name")),
                "等级": _text(r.get("level")),
                "授奖单位": _text(r.get("issuer")),
            }
            for r in _rows_of(app, "awards")
        ]
    raise ValueError(name)


#: Annex table columns holding a number or a short word: narrow and centred.
SHORT_COLUMNS = frozenset(
    {"序号", "份数", "页数", "年度", "合计", "公需科目", "专业科目", "已收到", "考核结果", "学位"}
)


def annex_table_html(app: Application, annex: Annex, name: str) -> Markup:
    """Table ``name`` of an annex as an HTML grid: numbered rows, then blank rows to fill in."""
    layout = annex.table(name)
    columns = layout.shown_columns
    known = ANNEX_TABLES[name]
    rows = annex_table_rows(app, name)
    # Short columns weigh 1, text columns 4: the PDF engine otherwise makes them all equal.
    weights = [1 if c in SHORT_COLUMNS else 4 for c in columns]
    widths = [round(100 * w / sum(weights)) for w in weights]
    head = "".join(
        f'<th width="{width}%">{escape(c)}</th>' for c, width in zip(columns, widths, strict=True)
    )
    body = []
    for number in range(1, len(rows) + layout.blank_rows + 1):
        row = rows[number - 1] if number <= len(rows) else {}
        cells = []
        for column in columns:
            if column == "序号":
                value = str(number)
            elif column in known:
                value = row.get(column, "")
            else:
                value = ""  # a column the annex adds to be filled in by hand
            align = ' class="short"' if column in SHORT_COLUMNS else ""
            cells.append(f"<td{align}>{escape(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return Markup(f'<table class="grid annex"><tr>{head}</tr>{"".join(body)}</table>')


def annex_values(app: Application, values: dict[str, str]) -> dict[str, str]:
    """The value of every annex field for one application ("" when unknown)."""
    from portal.rules.checks import derived_for

    definition = app.campaign.definition
    basic = app.section_data("basic")
    unit, office = app.unit, app.office
    qualification = app.section_data("qualification")
    education = _highest_education(app)
    series = definition.series_by_code(app.series_code)
    derived = derived_for(app)
    materials = _catalog_fields(app)["rows"]
    copies = [int(r["copies"]) for r in materials if str(r["copies"]).isdigit()]
    id_number = _text(basic.get("id_number") or app.id_number)
    school = " ".join(
        p for p in (_text(education.get("school")), _text(education.get("major"))) if p
    )
    return {
        "姓名": values["姓名"],
        "性别": values["性别"],
        "族别": values["族别"],
        "出生年月": format_month_cn(_parse_day(basic.get("birth_date"))),
        "身份证号": id_number,
        "身份证号隐去": mask_id_publicity(id_number) if id_number else "",
        "政治面貌": values["政治面貌"],
        "学历": _text(education.get("level")),
        "学位": _text(education.get("degree")),
        "毕业院校": school,
        "参加工作时间": format_month_cn(_parse_day(basic.get("work_start"))),
        "现任资格": values["现任资格"],
        "取得时间": format_month_cn(_parse_day(qualification.get("obtained_on"))),
        "普通话等级": _text(basic.get("mandarin_level")),
        "系列": series.name if series else "",
        "专业": _text(app.specialty),
        "级别": values["级别"],
        "类型": APPLICATION_KIND_LABELS.get(app.kind, ""),
        "评审费": "" if derived.fee_yuan is None else str(derived.fee_yuan),
        "免于答辩": "是" if derived.defense_exempt else "否",
        "免于答辩依据": derived.defense_ground or "",
        "推荐单位": values["推荐单位"],
        "单位性质": _text(unit.nature if unit else ""),
        "单位负责人": values["单位负责人"],
        "单位所在县市": _text(unit.county if unit else ""),
        "主管部门": _text(office.name if office else ""),
        "主管部门县市": _text(office.county if office else ""),
        "地州": _text(office.prefecture if office else ""),
        "评审通知": definition.notice_title,
        "发文单位": definition.issuer,
        "报送单位": definition.wording.report_to,
        "年度": str(definition.year),
        "日期": values["日期"],
        "材料项数": str(len(materials)),
        "材料份数合计": str(sum(copies)),
    }


def _annex_fields(app: Application, annex: Annex, values: dict[str, str]) -> dict[str, Any]:
    """The annex's field values (escaped for HTML) and its tables (HTML)."""
    plain = annex_values(app, values)
    assert set(plain) == set(ANNEX_FIELDS)
    context: dict[str, Any] = {name: escape(value) for name, value in plain.items()}
    for name in annex.used_tables:
        context[name] = annex_table_html(app, annex, name)
    return {"annex": annex, "context": context}
