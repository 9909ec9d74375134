"""The values a document is filled with, taken from an application, its unit and the calendar.

One builder feeds both the HTML print preview and the PDF. It never reads the applicant's
phone number: no document the unit prints or posts may show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from portal.applications.models import Application
from portal.campaigns.definition import Material
from portal.documents.models import template_text
from portal.sandbox import placeholders_in
from portal.textutil import format_date_cn, format_month_cn, mask_id_publicity
from portal.timeutil import local_today
from portal.vocabulary import LEVEL_LABELS
from portal.workdays.calendar import Period, WorkdayCalendar
from portal.workdays.services import load_calendar

#: Document kinds, as used in URLs and on the command line.
KINDS: tuple[str, ...] = ("publicity", "publicity-result", "commitment", "ce-exemption", "catalog")
KIND_LABELS: dict[str, str] = {
    "publicity": "推荐单位公示",
    "publicity-result": "推荐单位公示结果",
    "commitment": "个人承诺书",
    "ce-exemption": "免除继续教育学习申请表",
    "catalog": "申报材料目录",
}
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
    "单位负责人": "单位负责人（推荐单位设置）",
    "推荐单位": "推荐单位（基本信息）",
    "日期": "落款日期（公示与推荐：先填写公示开始日期）",
}

#: The date line a person fills in by hand: the year printed, month and day left blank.
BLANK_DAY = "　　月　　日"

# 002 附件4 注 1–3, printed under the exemption form as on the notice.
CE_EXEMPTION_NOTES: tuple[str, ...] = (
    "仍在参加“访惠聚”驻村（含抽调到各级“访惠聚”办公室）工作的专业技术人员，由同级“访惠聚”"
    "办公室审核；参加驻村管寺、南疆学前双语教育干部支教工作的专业技术人员，由同级党委统战部门"
    "或南疆四地州学前双语教育干部支教工作领导小组办公室审核。",
    "参加“访惠聚”驻村、驻村管寺、南疆学前双语教育干部支教工作已返回人员，由原派驻单位所属的"
    "地州市或自治区区属主管单位审核。",
    "各地各部门不得私自设置免除继续教育学习事项及申请表（审批表）。",
)


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
    """A date from a stored ISO string (or a date), else None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


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
    """The campaign's materials for the kind of this application (evaluation, conferment …)."""
    return [m for m in app.campaign.definition.materials if not m.kinds or app.kind in m.kinds]


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
        "单位负责人": _text(unit.head_title if unit else ""),
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
    if kind not in KINDS:
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

    template = TEMPLATE_OF_KIND[kind]
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
        "notes": CE_EXEMPTION_NOTES,
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
    rows = []
    for number, material in enumerate(applicable_materials(app), start=1):
        row = stored.get(material.name, {})
        copies = row.get("copies") or material.copies
        rows.append(
            {
                "number": number,
                "name": material.name,
                "copies": str(copies) if copies else "",
                "note": material.note,
                "received": bool(row.get("received")),
            }
        )
    return {
        "campaign": definition.notice_title or definition.title,
        "issuer": definition.issuer,
        "kind": KIND_LABELS.get(app.kind, app.kind),
        "rows": rows,
    }
