"""The applicant roster (申报人员花名册, 002 附件5): one builder makes the rows writers use."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.applications.idcard import validate_id
from portal.applications.listing import filter_applications
from portal.applications.models import Application
from portal.campaigns.definition import CampaignDefinition
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.offices.models import RecommendingUnit
from portal.rules.checks import derived_values, facts_of, sections_of
from portal.textutil import iso_date
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS, LEVELS

# The columns of 002 附件5, in this order.
COLUMNS: tuple[str, ...] = (
    "序号", "姓名", "性别", "民族", "出生年月", "政治面貌", "身份证号", "工作单位", "学历",
    "毕业院校及专业", "参加工作时间", "现任专业技术职务", "取得时间", "申报系列", "申报专业",
    "申报级别", "申报类型", "免于答辩", "评审费（元）", "联系电话", "备注",
)  # fmt: skip
# A roster spanning several offices (the prefecture's view) names each row's office here,
# inserted just before 工作单位.
OFFICE_COLUMN = "主管部门"
# Columns holding dates shown as year and month (1990年1月).
MONTH_COLUMNS = frozenset({"出生年月", "参加工作时间", "取得时间"})
# Columns holding text that must never become a number (Excel rounds 18 digits).
TEXT_COLUMNS = frozenset({"身份证号", "联系电话"})
NONE = "无"
YES, NO = "是", "否"


@dataclass
class RosterFilters:
    """What an export is narrowed to; empty values mean no narrowing."""

    office_id: int | None = None
    series: str = ""
    level: str = ""
    status: str = ""
    ids: list[int] = field(default_factory=list)

    def as_detail(self) -> dict:
        """The filters as a JSON-friendly dict for the audit log (empty values left out)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", [])}


@dataclass
class Roster:
    """A finished roster: title, reporting office, columns, typed rows and totals."""

    title: str
    office_name: str
    campaign_title: str
    columns: tuple[str, ...]
    rows: list[list[object]]
    applicants: int
    fees: int
    reporter: str = ""
    made_on: date | None = None

    def column_index(self, label: str) -> int:
        """The 0-based position of a column."""
        return self.columns.index(label)


def roster_statement(campaign: Campaign, filters: RosterFilters) -> sa.Select:
    """The unscoped SELECT of a campaign's applications narrowed by the filters."""
    return filter_applications(
        sa.select(Application),
        campaign_id=campaign.id,
        office_id=filters.office_id,
        series=filters.series,
        level=filters.level,
        status=filters.status,
        ids=filters.ids,
    )


def load_applications(stmt: sa.Select) -> list[Application]:
    """Run a roster SELECT with sections, unit and office loaded up front (no query per row)."""
    stmt = stmt.options(
        selectinload(Application.sections),
        joinedload(Application.unit),
        joinedload(Application.office),
    )
    return list(db.session.scalars(stmt).unique())


def _sort_key(app: Application, d: CampaignDefinition) -> tuple:
    """Rows by office, series (notice order), level, unit, name."""
    series_order = [s.code for s in d.series]
    s_pos = series_order.index(app.series_code) if app.series_code in series_order else 99
    l_pos = LEVELS.index(app.level) if app.level in LEVELS else 99
    return (
        app.office.name if app.office else "",
        s_pos,
        l_pos,
        app.unit.name if app.unit else "",
        app.name,
        app.id,
    )


def roster_title(d: CampaignDefinition, series_codes: list[str]) -> str:
    """「2023年度党干校教师系列职称评审申报人员花名册」 for the series present."""
    names = [s.name for s in d.series if s.code in series_codes] or [s.name for s in d.series]
    return f"{d.year}年度{'、'.join(names)}职称评审申报人员花名册"


def application_row(
    app: Application, d: CampaignDefinition, unit: RecommendingUnit | None
) -> dict[str, object]:
    """One applicant's roster values by column label (序号 left to the caller)."""
    basic = app.section_data("basic")
    education = app.section_data("education").get("rows") or []
    highest = education[-1] if education else {}
    qual = app.section_data("qualification")
    id_check = validate_id(app.id_number)
    series = d.series_by_code(app.series_code)
    derived = derived_values(sections_of(app), facts_of(app), d)
    reason = derived.defense_ground or ""
    school = " ".join(p for p in (highest.get("school"), highest.get("major")) if p)
    title = (qual.get("title") or "").strip()
    fee = derived.fee_yuan
    remarks = [f"免于答辩：{reason}"] if reason else []
    if fee is None:
        remarks.append("通知未列明此类评审费")
    return {
        "姓名": app.name,
        "性别": basic.get("gender") or id_check.gender or "",
        "民族": basic.get("ethnicity") or "",
        "出生年月": iso_date(basic.get("birth_date")) or id_check.birth_date,
        "政治面貌": basic.get("political_status") or "",
        "身份证号": app.id_number,
        OFFICE_COLUMN: app.office.name if app.office else "",
        "工作单位": unit.name if unit else "",
        "学历": highest.get("level") or "",
        "毕业院校及专业": school,
        "参加工作时间": iso_date(basic.get("work_start")),
        "现任专业技术职务": title or NONE,
        "取得时间": iso_date(qual.get("obtained_on")),
        "申报系列": series.name if series else app.series_code,
        "申报专业": app.specialty or "",
        "申报级别": LEVEL_LABELS.get(app.level, app.level),
        "申报类型": KIND_LABELS.get(app.kind, app.kind),
        "免于答辩": YES if reason else NO,
        "评审费（元）": fee,
        "联系电话": basic.get("phone") or "",
        "备注": "；".join(remarks),
    }


def build_roster(
    applications: list[Application],
    campaign: Campaign,
    office_name: str,
    *,
    with_office: bool = False,
    reporter: str = "",
    made_on: date | None = None,
) -> Roster:
    """Make the roster of these applications; ``with_office`` adds the 主管部门 column."""
    d = campaign.definition
    columns = COLUMNS
    if with_office:
        i = COLUMNS.index("工作单位")
        columns = (*COLUMNS[:i], OFFICE_COLUMN, *COLUMNS[i:])
    apps = sorted(applications, key=lambda a: _sort_key(a, d))
    rows: list[list[object]] = []
    fees = 0
    for n, app in enumerate(apps, start=1):
        values = application_row(app, d, app.unit)
        values["序号"] = n
        fees += int(values["评审费（元）"] or 0)
        rows.append([values[c] for c in columns])
    series_codes = sorted({a.series_code for a in apps})
    return Roster(
        title=roster_title(d, series_codes),
        office_name=office_name,
        campaign_title=campaign.title,
        columns=columns,
        rows=rows,
        applicants=len(rows),
        fees=fees,
        reporter=reporter,
        made_on=made_on,
    )
