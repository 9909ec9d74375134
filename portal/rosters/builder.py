"""The applicant roster (申报人员花名册, 002 附件5): one builder makes the rows every output uses.

What is known before the rows (title, columns, how many, the fees, the counts by office, series
and level) comes from one aggregate query. The rows come from one SELECT of the columns they
read (the application, its office and unit, and the JSON of the three sections the columns
use), in roster order, and are streamed: nothing here holds all the applications at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased

from portal.applications.idcard import validate_id
from portal.applications.listing import filter_applications, search_condition
from portal.applications.models import Application, ApplicationSection
from portal.campaigns.definition import CampaignDefinition
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from portal.rules.checks import AppFacts, derived_values
from portal.textutil import iso_date
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS, LEVELS, SENT_STATUSES, STATUS_LABELS

# The columns of 002 附件5, in this order.
COLUMNS: tuple[str, ...] = (
    "序号", "姓名", "性别", "民族", "出生年月", "政治面貌", "身份证号", "工作单位", "学历",
    "毕业院校及专业", "参加工作时间", "现任专业技术职务", "取得时间", "申报系列", "申报专业",
    "申报级别", "申报类型", "免于答辩", "评审费（元）", "联系电话", "备注",
)  # fmt: skip
# A roster spanning several offices (the prefecture's view) names each row's office here,
# inserted just before 工作单位.
OFFICE_COLUMN = "主管部门"
# A roster that holds applications not (yet) sent says each one's status here, before 备注.
STATUS_COLUMN = "状态"
FEE_COLUMN = "评审费（元）"
# Columns holding dates shown as year and month (1990年1月).
MONTH_COLUMNS = frozenset({"出生年月", "参加工作时间", "取得时间"})
# Columns holding text that must never become a number (Excel rounds 18 digits).
TEXT_COLUMNS = frozenset({"身份证号", "联系电话"})
NONE = "无"
YES, NO = "是", "否"
UNSENT_REMARK = "未推荐，不计评审费"
NO_FEE_REMARK = "通知未列明此类评审费"

# What the roster holds: the applications sent (the default), all of them, or one status.
SENT, ALL = "sent", "all"
SELECTION_LABELS: dict[str, str] = {
    SENT: "报送的（已推荐、已报送及其后）",
    ALL: "全部（含草稿、公示中等未推荐的）",
} | {s: f"仅“{label}”" for s, label in STATUS_LABELS.items()}

# What the columns read of the sections (the others are never read for a roster): basic's
# fields, the last (highest) education row's, and qualification's; on SQLite they are selected
# out of the JSON in SQL, so that the sections are not decoded whole. BASIC_FIELDS also holds what
# derived_values() reads (level, kind and the defense exemption's facts).
BASIC_FIELDS: tuple[str, ...] = (
    "gender", "birth_date", "ethnicity", "political_status", "work_start", "phone",
    "level", "kind", "service_ground", "county", "below_county_level", "unit_nature",
)  # fmt: skip
EDUCATION_FIELDS: tuple[str, ...] = ("level", "school", "major")
QUALIFICATION_FIELDS: tuple[str, ...] = ("title", "obtained_on")


class JsonValue(sa.sql.expression.ColumnElement):
    """A value inside a JSON column as SQLite's json_extract gives it (a JSON true reads as 1).

    ``path`` holds keys and list positions (-1 the last item); a missing key, an empty list or
    a NULL column give None. SQLite only: PostgreSQL's json operators refuse a whole document
    holding a \\u0000 (stored before input was cleaned), which Python reads and the writers
    clean, so there the sections' JSON is read whole (see _row_columns).
    """

    inherit_cache = True
    type = sa.types.NullType()

    def __init__(self, column: sa.ColumnElement, *path: str | int) -> None:
        self.column = column
        self.path = path

    _traverse_internals = [
        ("column", sa.sql.visitors.InternalTraversal.dp_clauseelement),
        ("path", sa.sql.visitors.InternalTraversal.dp_plain_obj),
    ]


def _json_path_sqlite(path: tuple) -> str:
    return "$" + "".join(
        f"[{'#-1' if p == -1 else int(p)}]" if isinstance(p, int) else f'."{p}"' for p in path
    )


@compiles(JsonValue, "sqlite")
def _json_value_sqlite(element: JsonValue, compiler, **kw) -> str:
    path = compiler.render_literal_value(_json_path_sqlite(element.path), sa.String())
    return f"json_extract({compiler.process(element.column, **kw)}, {path})"


_BASIC = aliased(ApplicationSection, name="basic")
_EDUCATION = aliased(ApplicationSection, name="education")
_QUALIFICATION = aliased(ApplicationSection, name="qualification")
_SECTIONS_READ = ((_BASIC, "basic"), (_EDUCATION, "education"), (_QUALIFICATION, "qualification"))
_APPLICATION_COLUMNS = (
    Application.id,
    Application.name,
    Application.id_number,
    Application.series_code,
    Application.specialty,
    Application.level,
    Application.kind,
    Application.status,
    Office.name.label("office_name"),
    RecommendingUnit.name.label("unit_name"),
    RecommendingUnit.nature.label("unit_nature"),
    RecommendingUnit.below_county_level.label("unit_below_county_level"),
    RecommendingUnit.county.label("unit_county"),
)
_FIELDS_IN_SQL = (
    *(JsonValue(_BASIC.data, f).label(f"basic_{f}") for f in BASIC_FIELDS),
    *(JsonValue(_EDUCATION.data, "rows", -1, f).label(f"edu_{f}") for f in EDUCATION_FIELDS),
    *(JsonValue(_QUALIFICATION.data, f).label(f"qual_{f}") for f in QUALIFICATION_FIELDS),
)
_SECTIONS_WHOLE = (
    _BASIC.data.label("basic"),
    _EDUCATION.data.label("education"),
    _QUALIFICATION.data.label("qualification"),
)
# json_extract ends a text at a \u0000 and may mangle a lone surrogate: a section whose JSON
# holds such an escape (stored before input was cleaned; \ud… also catches some characters
# that are fine) is read whole and decoded in Python, as everywhere else.
_SECTIONS_IF_ODD = tuple(
    sa.type_coerce(
        sa.case(
            (
                sa.or_(
                    sa.func.instr(alias.data, "\\u0000") > 0, sa.func.instr(alias.data, "\\ud") > 0
                ),
                alias.data,
            )
        ),
        sa.JSON,
    ).label(key)
    for alias, key in _SECTIONS_READ
)
# Where each section's fields sit in a row read with _FIELDS_IN_SQL.
_BASIC_AT = len(_APPLICATION_COLUMNS)
_EDUCATION_AT = _BASIC_AT + len(BASIC_FIELDS)
_QUALIFICATION_AT = _EDUCATION_AT + len(EDUCATION_FIELDS)
_FIELDS_AT = (
    (BASIC_FIELDS, _BASIC_AT),
    (EDUCATION_FIELDS, _EDUCATION_AT),
    (QUALIFICATION_FIELDS, _QUALIFICATION_AT),
)


def _row_columns() -> tuple:
    """The columns of a roster row: on SQLite the fields read out of the JSON (and the odd
    section whole), elsewhere the sections' JSON whole (see JsonValue)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return _APPLICATION_COLUMNS + _FIELDS_IN_SQL + _SECTIONS_IF_ODD
    return _APPLICATION_COLUMNS + _SECTIONS_WHOLE


def _sections_of(record) -> tuple[Mapping, Mapping, Mapping]:
    """The basic fields, the highest (last) education row's and qualification's, of a row."""
    rows = (record.education or {}).get("rows") or []
    whole = (record.basic or {}, rows[-1] if rows else {}, record.qualification or {})
    if len(record) == _BASIC_AT + len(_SECTIONS_WHOLE):
        return whole
    # SQLite: each section's fields come from json_extract unless it was read whole (odd text).
    read_whole = (record.basic, record.education, record.qualification)
    return tuple(
        section if raw is not None else dict(zip(names, record[at : at + len(names)], strict=True))
        for section, raw, (names, at) in zip(whole, read_whole, _FIELDS_AT, strict=True)
    )


@dataclass
class RosterFilters:
    """What a roster is narrowed to; empty values mean no narrowing."""

    office_id: int | None = None
    series: str = ""
    level: str = ""
    status: str = SENT  # SENT, ALL or one status
    ids: list[int] = field(default_factory=list)

    def statuses(self) -> tuple[str, ...] | None:
        """The statuses held, or None for every status."""
        if self.status == ALL:
            return None
        return SENT_STATUSES if self.status == SENT else (self.status,)

    def as_detail(self) -> dict:
        """The filters as a JSON-friendly dict (empty values left out)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", [])}

    def in_words(self, definition: CampaignDefinition, office_name: str = "") -> str:
        """The filters as the audit log shows them: 主管部门=…，级别=中级 (or 全部)."""
        series = definition.series_by_code(self.series) if self.series else None
        words = {
            "主管部门": office_name if self.office_id else "",
            "系列": (series.name if series else self.series),
            "级别": LEVEL_LABELS.get(self.level, self.level),
            "状态": SELECTION_LABELS.get(self.status, self.status),
            "勾选": f"{len(self.ids)}人" if self.ids else "",
        }
        return "，".join(f"{k}={v}" for k, v in words.items() if v) or "全部"


@dataclass(frozen=True)
class RosterCount:
    """How many applications of one office, series and level, and their fees."""

    office: str
    series: str
    level: str
    applicants: int
    fees: int


@dataclass
class Roster:
    """A roster: title, reporting office, columns, totals, and its rows (streamed)."""

    title: str
    office_name: str
    campaign_title: str
    columns: tuple[str, ...]
    applicants: int
    fees: int  # of the applications sent
    by_status: dict[str, int]
    counts: list[RosterCount]
    rows: Iterable[list[object]] = ()
    reporter: str = ""
    made_on: date | None = None

    @property
    def spans_offices(self) -> bool:
        """True when the roster has the 主管部门 column."""
        return OFFICE_COLUMN in self.columns

    @property
    def unsent(self) -> int:
        """How many applications of the roster are not sent (drafts, in publicity …)."""
        return sum(n for s, n in self.by_status.items() if s not in SENT_STATUSES)

    def column_index(self, label: str) -> int:
        """The 0-based position of a column."""
        return self.columns.index(label)


def roster_statement(campaign: Campaign, filters: RosterFilters) -> sa.Select:
    """The unscoped SELECT of a campaign's applications narrowed by the filters."""
    stmt = filter_applications(
        sa.select(Application),
        campaign_id=campaign.id,
        office_id=filters.office_id,
        series=filters.series,
        level=filters.level,
        ids=filters.ids,
    )
    statuses = filters.statuses()
    if statuses is not None:
        stmt = stmt.where(Application.status.in_(statuses))
    return stmt


def _joined(stmt: sa.Select, *columns: object) -> sa.Select:
    """The roster SELECT reading these columns, with the office and the unit joined."""
    return (
        stmt.with_only_columns(*columns)
        .select_from(Application)
        .join(Office, Office.id == Application.office_id)
        .join(RecommendingUnit, RecommendingUnit.id == Application.unit_id)
    )


def _order(d: CampaignDefinition) -> list:
    """Rows by office, series (notice order), level, unit, name."""
    series = sa.case(
        {s.code: i for i, s in enumerate(d.series)},
        value=Application.series_code,
        else_=len(d.series),
    )
    level = sa.case(
        {lv: i for i, lv in enumerate(LEVELS)}, value=Application.level, else_=len(LEVELS)
    )
    return [Office.name, series, level, RecommendingUnit.name, Application.name, Application.id]


def _with_sections(stmt: sa.Select) -> sa.Select:
    """Join the JSON of the sections the columns read (outer: a section may be missing)."""
    for alias, key in _SECTIONS_READ:
        stmt = stmt.outerjoin(
            alias, sa.and_(alias.application_id == Application.id, alias.key == key)
        )
    return stmt


def roster_title(d: CampaignDefinition, series_codes: Iterable[str]) -> str:
    """「2023年度党干校教师系列职称评审申报人员花名册」 for the series present."""
    present = set(series_codes)
    names = [s.name for s in d.series if s.code in present] or [s.name for s in d.series]
    return f"{d.year}年度{'、'.join(names)}职称评审申报人员花名册"


def roster_columns(*, with_office: bool, with_status: bool) -> tuple[str, ...]:
    """The columns: 主管部门 before 工作单位 across offices, 状态 before 备注 when unsent."""
    columns = list(COLUMNS)
    if with_office:
        columns.insert(columns.index("工作单位"), OFFICE_COLUMN)
    if with_status:
        columns.insert(columns.index("备注"), STATUS_COLUMN)
    return tuple(columns)


def make_roster(
    stmt: sa.Select,
    campaign: Campaign,
    office_name: str,
    *,
    with_office: bool = False,
    reporter: str = "",
    made_on: date | None = None,
) -> Roster:
    """The roster of a (scoped) roster SELECT: totals from one aggregate query, rows streamed.

    Nothing is read for the rows until they are iterated; then one SELECT streams them.
    """
    d = campaign.definition
    keys = (
        Application.office_id,
        Application.series_code,
        Application.level,
        Application.kind,
        Application.status,
    )
    grouped = stmt.with_only_columns(*keys, sa.func.count()).group_by(*keys)
    by_status: dict[str, int] = {}
    counts: dict[tuple[int, str, str], list[int]] = {}
    for office_id, series_code, level, kind, status, n in db.session.execute(grouped):
        by_status[status] = by_status.get(status, 0) + n
        entry = counts.setdefault((office_id, series_code, level), [0, 0])
        entry[0] += n
        if status in SENT_STATUSES:
            entry[1] += n * (d.fee(kind, level) or 0)
    office_names = _office_names({office_id for office_id, _s, _l in counts})
    series_pos = {s.code: i for i, s in enumerate(d.series)}
    ordered = sorted(
        counts.items(),
        key=lambda kv: (
            office_names.get(kv[0][0], ""),
            series_pos.get(kv[0][1], len(series_pos)),
            LEVELS.index(kv[0][2]) if kv[0][2] in LEVELS else len(LEVELS),
        ),
    )
    roster_counts = [
        RosterCount(
            office=office_names.get(office_id, ""),
            series=s.name if (s := d.series_by_code(code)) else code,
            level=LEVEL_LABELS.get(level, level),
            applicants=n,
            fees=fees,
        )
        for (office_id, code, level), (n, fees) in ordered
    ]
    unsent = any(s not in SENT_STATUSES for s in by_status)
    columns = roster_columns(with_office=with_office, with_status=unsent)
    return Roster(
        title=roster_title(d, {code for (_o, code, _l) in counts}),
        office_name=office_name,
        campaign_title=campaign.title,
        columns=columns,
        applicants=sum(c.applicants for c in roster_counts),
        fees=sum(c.fees for c in roster_counts),
        by_status=by_status,
        counts=roster_counts,
        rows=_stream(stmt, d, columns),
        reporter=reporter,
        made_on=made_on,
    )


def office_roster(campaign: Campaign, office: Office | None, *, status: str = SENT, **kw) -> Roster:
    """The roster of one office, or of every office with the 主管部门 column (not scoped to a
    user: the command line, tests)."""
    filters = RosterFilters(office_id=office.id if office else None, status=status)
    return make_roster(
        roster_statement(campaign, filters),
        campaign,
        office.name if office else "全部主管部门",
        with_office=office is None,
        **kw,
    )


def _office_names(ids: set[int]) -> dict[int, str]:
    """The names of these offices by id."""
    if not ids:
        return {}
    stmt = sa.select(Office.id, Office.name).where(Office.id.in_(ids))
    return {office_id: name for office_id, name in db.session.execute(stmt)}


def _stream(stmt: sa.Select, d: CampaignDefinition, columns: tuple[str, ...]) -> Iterator[list]:
    """Every row of the roster in order, read by one SELECT as they are written."""
    rows_stmt = _with_sections(_joined(stmt, *_row_columns())).order_by(*_order(d))
    statuses = d.status_labels()
    result = db.session.execute(rows_stmt.execution_options(yield_per=500))
    try:
        for n, record in enumerate(result, start=1):
            values = row_values(record, *_sections_of(record), d, statuses)
            values["序号"] = n
            yield [values[c] for c in columns]
    finally:
        result.close()


def page_rows(
    stmt: sa.Select,
    roster: Roster,
    d: CampaignDefinition,
    *,
    page: int,
    per_page: int,
    search: str = "",
) -> tuple[list[list[object]], int]:
    """One page of rows in roster order (序号 left empty when searching) and the row count.

    Two SELECTs whatever the size: the ids of the page, then the columns of those rows.
    """
    total = roster.applicants
    if search:
        stmt = stmt.where(search_condition(search))
        total = db.session.scalar(_joined(stmt, sa.func.count(Application.id))) or 0
    offset = (page - 1) * per_page
    ids = list(
        db.session.scalars(
            _joined(stmt, Application.id).order_by(*_order(d)).limit(per_page).offset(offset)
        )
    )
    if not ids:
        return [], total
    found = {
        r.id: r
        for r in db.session.execute(
            # These ids came from the scoped, filtered SELECT above.
            _with_sections(
                _joined(sa.select(Application).where(Application.id.in_(ids)), *_row_columns())
            )
        )
    }
    rows = []
    statuses = d.status_labels()
    for n, app_id in enumerate(ids, start=offset + 1):
        record = found[app_id]
        values = row_values(record, *_sections_of(record), d, statuses)
        values["序号"] = None if search else n
        rows.append([values[c] for c in roster.columns])
    return rows, total


def row_values(
    record,
    basic: Mapping[str, object],
    highest: Mapping[str, object],
    qual: Mapping[str, object],
    d: CampaignDefinition,
    statuses: Mapping[str, str],
) -> dict[str, object]:
    """One applicant's roster values by column label (序号 left to the caller).

    ``record`` is a row of the roster SELECT: application columns, office and unit names and the
    unit's facts; ``basic``, ``highest`` and ``qual`` the basic section's fields, the last
    education row's and the qualification's (at least BASIC_FIELDS, EDUCATION_FIELDS and
    QUALIFICATION_FIELDS); ``statuses`` the campaign's words for each status (已报送州 or
    已报送地区).
    """
    series = d.series_by_code(record.series_code)
    facts = AppFacts(
        level=record.level,
        kind=record.kind,
        status=record.status,
        unit_nature=record.unit_nature or "",
        unit_below_county_level=bool(record.unit_below_county_level),
        unit_county=record.unit_county or "",
        series_code=record.series_code or "",
        specialty=record.specialty or "",
    )
    derived = derived_values({"basic": basic}, facts, d)
    reason = derived.defense_ground or ""
    school = " ".join(p for p in (highest.get("school"), highest.get("major")) if p)
    title = (qual.get("title") or "").strip()
    sent = record.status in SENT_STATUSES
    fee = derived.fee_yuan if sent else None
    remarks = [f"免于答辩：{reason}"] if reason else []
    if not sent:
        remarks.append(UNSENT_REMARK)
    elif fee is None:
        remarks.append(NO_FEE_REMARK)
    gender, birth = basic.get("gender"), iso_date(basic.get("birth_date"))
    if not (gender and birth):  # from the ID number (18 characters say both)
        id_check = validate_id(record.id_number)
        gender, birth = gender or id_check.gender or "", birth or id_check.birth_date
    return {
        "姓名": record.name,
        "性别": gender,
        "民族": basic.get("ethnicity") or "",
        "出生年月": birth,
        "政治面貌": basic.get("political_status") or "",
        "身份证号": record.id_number,
        OFFICE_COLUMN: record.office_name or "",
        "工作单位": record.unit_name or "",
        "学历": highest.get("level") or "",
        "毕业院校及专业": school,
        "参加工作时间": iso_date(basic.get("work_start")),
        "现任专业技术职务": title or NONE,
        "取得时间": iso_date(qual.get("obtained_on")),
        "申报系列": series.name if series else record.series_code,
        "申报专业": record.specialty or "",
        "申报级别": LEVEL_LABELS.get(record.level, record.level),
        "申报类型": KIND_LABELS.get(record.kind, record.kind),
        "免于答辩": YES if reason else NO,
        FEE_COLUMN: fee,
        "联系电话": basic.get("phone") or "",
        STATUS_COLUMN: statuses.get(record.status, record.status),
        "备注": "；".join(remarks),
    }
