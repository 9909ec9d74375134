"""Read a roster xlsx as units send it, check every cell, and create or update applications."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook

from portal import vocabulary
from portal.applications import operations
from portal.applications.idcard import validate_id
from portal.applications.models import Application
from portal.applications.sections import BY_KEY
from portal.auth.models import User
from portal.campaigns.definition import CampaignDefinition
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.formutil import check_name, check_phone
from portal.offices.models import Office, RecommendingUnit
from portal.offices.services import office_units
from portal.rosters.builder import COLUMNS, NONE, OFFICE_COLUMN
from portal.textutil import collapse_spaces, normalise_text, parse_date_loose
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS, PREPARING_STATUSES

# Columns an imported roster must have; the others are optional or derived (fee, 免于答辩).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "姓名", "身份证号", "民族", "政治面貌", "工作单位", "参加工作时间", "申报系列", "申报级别",
    "联系电话",
)  # fmt: skip
HEADER_SCAN_ROWS = 30
STOP_MARKERS = ("合计", "填报单位", "填报人")
_SPACES = re.compile(r"\s+")
NUMBER_ID_MESSAGE = (
    "单元格存成了数字，Excel 只保留15位有效数字，后几位已被改动；"
    "请把该列设为“文本”格式后重新输入身份证号"
)


class RosterFileError(ValueError):
    """The file is not a roster this importer can read."""


@dataclass(frozen=True)
class CellError:
    """One bad cell: the sheet row, the column label and the reason."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”：{self.message}"


@dataclass
class RowResult:
    """The outcome of one data row: its values once parsed, or the errors found."""

    row: int
    name: str
    id_number: str
    errors: list[CellError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    action: str = ""  # "create" or "update" once checked against the office

    @property
    def ok(self) -> bool:
        """True when every cell of the row is valid."""
        return not self.errors

    @property
    def action_label(self) -> str:
        """新增 / 更新 / 有错误."""
        if self.errors:
            return "有错误"
        return {"create": "新增", "update": "更新"}.get(self.action, "")


@dataclass
class ImportResult:
    """The dry run of a whole file."""

    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    saved: bool = False

    @property
    def ok(self) -> bool:
        """True when the file was readable and every row is valid."""
        return not self.file_errors and all(r.ok for r in self.rows)

    @property
    def valid_rows(self) -> list[RowResult]:
        """Rows without errors."""
        return [r for r in self.rows if r.ok]

    @property
    def errors(self) -> list[CellError]:
        """Every bad cell, in row order."""
        return [e for r in self.rows for e in r.errors]

    def messages(self) -> list[str]:
        """File problems and cell errors as the Chinese lines the clerk reads."""
        return self.file_errors + [str(e) for e in self.errors]


def header_key(text: object) -> str:
    """A header label compared without spaces, with full-width brackets made half-width."""
    return _SPACES.sub("", normalise_text(None if text is None else str(text)))


# Other labels units use for the same columns.
ALIASES: dict[str, str] = {
    "族别": "民族", "出生日期": "出生年月", "身份证号码": "身份证号", "公民身份号码": "身份证号",
    "推荐单位": "工作单位", "单位": "工作单位", "最高学历": "学历", "毕业院校": "毕业院校及专业",
    "现任专业技术职务任职资格": "现任专业技术职务", "现任职称": "现任专业技术职务",
    "取得资格时间": "取得时间", "系列": "申报系列", "级别": "申报级别",
    "类型": "申报类型", "手机号码": "联系电话", "电话": "联系电话", "评审费": "评审费（元）",
}  # fmt: skip
_KNOWN = {header_key(c): c for c in (*COLUMNS, OFFICE_COLUMN)} | {
    header_key(alias): label for alias, label in ALIASES.items()
}


def _text(value: object) -> str:
    """A cell as text: spaces collapsed, numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return collapse_spaces(str(value))


def read_rows(data: bytes) -> tuple[int, dict[str, int], list[tuple[int, tuple]]]:
    """Open the workbook, find the header row by its labels; (header row, columns, rows)."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RosterFileError(
            "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。"
        ) from exc
    ws = wb.worksheets[0]
    header_row = 0
    columns: dict[str, int] = {}
    rows: list[tuple[int, tuple]] = []
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if not header_row:
            found = {_KNOWN[k]: i for i, v in enumerate(values) if (k := header_key(v)) in _KNOWN}
            if "姓名" in found and "身份证号" in found:
                header_row, columns = r, found
            elif r >= HEADER_SCAN_ROWS:
                break
            continue
        rows.append((r, values))
    wb.close()
    if not header_row:
        raise RosterFileError(
            f"前{HEADER_SCAN_ROWS}行中没有找到表头（应含“姓名”“身份证号”等列），请使用花名册模板。"
        )
    return header_row, columns, rows


class _RowChecker:
    """Parses one row's cells, collecting an error per bad cell."""

    def __init__(self, row: int, cells: dict[str, object]) -> None:
        self.row = row
        self.cells = cells
        self.errors: list[CellError] = []

    def fail(self, column: str, message: str) -> None:
        """Record an error on a cell, without repeating the column name at the start."""
        if message.startswith(column) and len(message) > len(column):
            message = message[len(column) :]
        self.errors.append(CellError(self.row, column, message.rstrip("。")))

    def text(self, column: str) -> str:
        """The cell's text; neutralised cells lose their leading apostrophe."""
        value = _text(self.cells.get(column))
        return value[1:] if value.startswith("'") else value

    def required(self, column: str) -> str:
        """The cell's text, or an error when it is blank."""
        value = self.text(column)
        if not value:
            self.fail(column, "不能为空")
        return value

    def date_value(self, column: str, *, required: bool) -> date | None:
        """A date typed any way parse_date_loose reads, or an error."""
        raw = self.cells.get(column)
        if raw is None or (isinstance(raw, str) and not raw.strip()) or _text(raw) == NONE:
            if required:
                self.fail(column, "不能为空")
            return None
        if isinstance(raw, str):
            raw = normalise_text(raw)
        try:
            return parse_date_loose(raw)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None


def _find_series(d: CampaignDefinition, text: str):
    """The campaign's series by name (with or without 系列) or code."""
    key = text.replace(" ", "")
    for s in d.series:
        if key in (s.name, s.short_name, s.code):
            return s
    return None


def _by_label(labels: dict[str, str], text: str) -> str | None:
    """The code whose Chinese label (or code) is text."""
    for code, label in labels.items():
        if text in (label, code):
            return code
    return None


def check_row(
    row: int, cells: dict[str, object], d: CampaignDefinition, units: dict[str, RecommendingUnit]
) -> RowResult:
    """Check every cell of one row against the campaign and the office's units."""
    c = _RowChecker(row, cells)
    name, name_error = check_name(c.text("姓名"))
    if name_error:
        c.fail("姓名", name_error)

    raw_id = cells.get("身份证号")
    as_number = isinstance(raw_id, int | float) and not isinstance(raw_id, bool)
    id_check = validate_id(str(int(raw_id)) if as_number else c.text("身份证号"))
    if as_number and id_check.errors:
        c.fail("身份证号", NUMBER_ID_MESSAGE)
    else:
        for message in id_check.errors:
            c.fail("身份证号", message)

    gender = c.text("性别")
    if gender and gender not in vocabulary.GENDERS:
        c.fail("性别", f"应为“男”或“女”，现在是“{gender}”")
    elif gender and id_check.gender and gender != id_check.gender:
        c.fail("性别", f"与身份证号第17位表示的性别“{id_check.gender}”不一致")
    gender = gender if gender in vocabulary.GENDERS else (id_check.gender or "")

    ethnicity = c.required("民族").replace(" ", "")
    if ethnicity and ethnicity not in vocabulary.ETHNICITIES:
        if ethnicity + "族" in vocabulary.ETHNICITIES:
            ethnicity += "族"
        else:
            c.fail("民族", f"未知的民族“{ethnicity}”，请填写56个民族之一，如“维吾尔族”")

    birth = c.date_value("出生年月", required=False)
    if (
        birth
        and id_check.birth_date
        and (birth.year, birth.month) != (id_check.birth_date.year, id_check.birth_date.month)
    ):
        c.fail(
            "出生年月",
            f"与身份证号中的出生日期{id_check.birth_date.year}年"
            f"{id_check.birth_date.month}月不一致",
        )

    political = c.required("政治面貌").replace(" ", "")
    if political and political not in vocabulary.POLITICAL_STATUSES:
        c.fail("政治面貌", f"未知的政治面貌“{political}”，如“中共党员”“共青团员”“群众”")

    unit_name = c.required("工作单位")
    unit = units.get(unit_name)
    if unit_name and unit is None:
        c.fail("工作单位", f"本主管部门没有名为“{unit_name}”的推荐单位，请先在“推荐单位”中添加")

    edu_level = c.text("学历").replace(" ", "")
    if edu_level and edu_level not in vocabulary.EDUCATION_LEVELS:
        c.fail("学历", f"未知的学历“{edu_level}”，如“大学本科”“大学专科”")
    school_major = c.text("毕业院校及专业")
    school, _, major = school_major.partition(" ")

    work_start = c.date_value("参加工作时间", required=True)
    title = c.text("现任专业技术职务") or NONE
    obtained = c.date_value("取得时间", required=False)
    if title != NONE and obtained is None and not c.text("取得时间"):
        c.fail("取得时间", "有现任专业技术职务时请填写取得时间")

    series_text = c.required("申报系列")
    series = _find_series(d, series_text) if series_text else None
    if series_text and series is None:
        names = "、".join(s.name for s in d.series)
        c.fail("申报系列", f"本评审通知没有“{series_text}”，可选：{names}")
    specialty = c.text("申报专业")
    if series and series.specialties:
        if not specialty:
            c.fail("申报专业", f"请填写专业，可选：{'、'.join(series.specialties)}")
        elif specialty not in series.specialties:
            c.fail(
                "申报专业",
                f"“{series.name}”没有“{specialty}”专业，可选：{'、'.join(series.specialties)}",
            )

    level_text = c.required("申报级别").replace(" ", "")
    level = _by_label(LEVEL_LABELS, level_text) if level_text else None
    allowed = series.levels if series else d.levels
    if level_text and (level is None or level not in allowed):
        where = f"“{series.name}”" if series else "本评审通知"
        c.fail(
            "申报级别",
            f"{where}不评审“{level_text}”，可选：{'、'.join(LEVEL_LABELS[lv] for lv in allowed)}",
        )

    kind_text = c.text("申报类型").replace(" ", "")
    kind = _by_label(KIND_LABELS, kind_text) if kind_text else "evaluation"
    if kind is None or kind not in d.kinds:
        c.fail(
            "申报类型",
            f"本评审通知没有“{kind_text}”，可选：{'、'.join(KIND_LABELS[k] for k in d.kinds)}",
        )

    phone, phone_error = check_phone(c.text("联系电话"))
    if phone_error:
        c.fail("联系电话", phone_error)

    result = RowResult(row=row, name=name, id_number=id_check.normalised, errors=c.errors)
    if result.ok:
        result.values = {
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": id_check.birth_date,
            "id_number": id_check.normalised,
            "political_status": political,
            "unit": unit,
            "education_level": edu_level,
            "school": school,
            "major": major,
            "work_start": work_start,
            "title": title,
            "obtained_on": obtained,
            "series_code": series.code if series else "",
            "specialty": specialty,
            "level": level,
            "kind": kind,
            "phone": phone,
        }
    return result


def units_by_name(office: Office) -> dict[str, RecommendingUnit]:
    """The office's recommending units by name (spaces collapsed)."""
    return {collapse_spaces(u.name): u for u in office_units(office.id)}


def dry_run(data: bytes, campaign: Campaign, office: Office) -> ImportResult:
    """Check a roster file for an office without saving anything."""
    result = ImportResult()
    try:
        header_row, columns, rows = read_rows(data)
    except RosterFileError as exc:
        result.file_errors.append(str(exc))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        result.file_errors.append(
            f"第{header_row}行表头缺少以下列：{'、'.join(missing)}，请使用花名册模板。"
        )
        return result
    d = campaign.definition
    units = units_by_name(office)
    seen: dict[str, int] = {}
    for r, values in rows:
        cells = {label: values[i] if i < len(values) else None for label, i in columns.items()}
        texts = [_text(v) for v in cells.values()]
        if not any(texts):
            continue
        first = _text(values[0]) if values else ""
        if any(t.startswith(STOP_MARKERS) for t in [first, *texts]):
            break
        row = check_row(r, cells, d, units)
        if row.id_number and row.id_number in seen:
            row.errors.append(CellError(r, "身份证号", f"与第{seen[row.id_number]}行重复"))
        elif row.id_number:
            seen[row.id_number] = r
        result.rows.append(row)
    if not result.rows:
        result.file_errors.append("文件中没有申报人员数据。")
    _mark_actions(result, campaign, office)
    return result


def _existing(campaign: Campaign, office: Office, id_numbers: list[str]) -> dict[str, Application]:
    """Existing applications of this campaign and office, by ID number, sections loaded."""
    from sqlalchemy.orm import selectinload

    if not id_numbers:
        return {}
    stmt = (
        sa.select(Application)
        .where(
            Application.campaign_id == campaign.id,
            Application.office_id == office.id,
            Application.id_number.in_(id_numbers),
        )
        .options(selectinload(Application.sections))
    )
    return {a.id_number: a for a in db.session.scalars(stmt)}


def _mark_actions(result: ImportResult, campaign: Campaign, office: Office) -> None:
    """Say for each valid row whether it creates or updates an application, and whether the
    operations API would accept it (the same check apply's writes go through)."""
    existing = _existing(campaign, office, [r.id_number for r in result.valid_rows])
    units = office_units(office.id)
    for row in result.valid_rows:
        app = existing.get(row.id_number)
        if app is not None and app.status not in PREPARING_STATUSES:
            row.errors.append(
                CellError(
                    row.row,
                    "身份证号",
                    f"此人的申报已是“{app.status_label}”状态，导入不能修改；如需修改请先退回。",
                )
            )
            continue
        errors = operations.check_save(
            campaign, office.id, row_sections(row.values, app), app=app, partial=True, units=units
        )
        row.errors.extend(_cell_errors(row.row, errors))
        row.action = "update" if app is not None else "create"


# The roster column each field of the operations API comes from, for its messages.
FIELD_COLUMNS: dict[tuple[str, str], str] = {
    ("basic", "name"): "姓名", ("basic", "gender"): "性别", ("basic", "ethnicity"): "民族",
    ("basic", "birth_date"): "出生年月", ("basic", "political_status"): "政治面貌",
    ("basic", "id_number"): "身份证号", ("basic", "unit_id"): "工作单位",
    ("basic", "unit_nature"): "工作单位", ("basic", "county"): "工作单位",
    ("basic", "work_start"): "参加工作时间", ("basic", "series_code"): "申报系列",
    ("basic", "specialty"): "申报专业", ("basic", "level"): "申报级别",
    ("basic", "kind"): "申报类型", ("basic", "phone"): "联系电话",
    ("education", "level"): "学历", ("education", "school"): "毕业院校及专业",
    ("education", "major"): "毕业院校及专业", ("qualification", "title"): "现任专业技术职务",
    ("qualification", "obtained_on"): "取得时间",
}  # fmt: skip
_ROW_PREFIX = re.compile(r"^rows-\d+-")


def _cell_errors(row: int, errors: dict[str, dict[str, list[str]]]) -> list[CellError]:
    """The operations API's refusals as cell errors of a roster row."""
    out = []
    for key, fields in errors.items():
        for name, messages in fields.items():
            column = FIELD_COLUMNS.get((key, _ROW_PREFIX.sub("", name)), BY_KEY[key].label)
            out.extend(CellError(row, column, m.rstrip("。")) for m in messages)
    return out


def row_sections(v: dict[str, Any], app: Application | None) -> dict[str, dict[str, Any]]:
    """A checked row as plain data of basic information, education and qualification.

    A roster brings only some fields of each: they are stored with `partial=True`, laid over
    what the application already has; the education it names updates the highest row.
    """
    unit: RecommendingUnit = v["unit"]
    out: dict[str, dict[str, Any]] = {
        "basic": {
            **{k: v[k] for k in BASIC_VALUES},
            "unit_id": unit.id,
            "unit_nature": unit.nature,
            "below_county_level": unit.below_county_level,
            "county": unit.county,
        }
    }
    if v["education_level"] or v["school"]:
        education = app.section_data("education") if app is not None else {}
        rows = [dict(r) for r in education.get("rows") or [] if r]
        if not rows:
            rows = [{"full_time": "全日制"}]
        rows[-1].update(level=v["education_level"], school=v["school"], major=v["major"])
        out["education"] = {"rows": rows}
    qualification: dict[str, Any] = {"title": v["title"], "obtained_on": v["obtained_on"]}
    if v["title"] == NONE:
        stored = app.section_data("qualification") if app is not None else {}
        qualification.update(level="无", series=stored.get("series") or NONE)
    out["qualification"] = qualification
    return out


# Values of a checked row stored as they are in basic information.
BASIC_VALUES = (
    "series_code", "specialty", "level", "kind", "name", "gender", "ethnicity", "birth_date",
    "id_number", "political_status", "phone", "work_start",
)  # fmt: skip


def apply(
    result: ImportResult,
    campaign: Campaign,
    office: Office,
    user: User | None,
    *,
    only_valid: bool = False,
) -> ImportResult:
    """Save the checked rows through the operations API; nothing is saved unless all rows are
    valid or only_valid is chosen (the caller commits when `saved`, else rolls back)."""
    if result.file_errors or not result.rows or (not result.ok and not only_valid):
        return result
    rows = result.valid_rows
    existing = _existing(campaign, office, [r.id_number for r in rows])
    units = office_units(office.id)
    for row in rows:
        app = existing.get(row.id_number)
        try:
            operations.save_application(
                campaign,
                office.id,
                row_sections(row.values, app),
                user,
                app=app,
                partial=True,
                units=units,
            )
        except operations.ApplicationError as exc:  # changed since the dry run
            row.errors.extend(_cell_errors(row.row, exc.errors))
            continue
        if app is None:
            result.created += 1
        else:
            result.updated += 1
    if not result.ok and not only_valid:
        return result
    db.session.flush()
    result.saved = True
    return result
