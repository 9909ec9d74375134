"""Check every cell of a roster units send (read by reading.py), then create or update
applications through the operations API."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

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
from portal.rosters.builder import NONE
from portal.rosters.reading import (
    COMPUTED,
    Column,
    RosterFileError,
    Sheet,
    header_key,
    read_workbook,
    words,
)
from portal.textutil import collapse_spaces, normalise_text, parse_date_loose
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS, PREPARING_STATUSES

# Fields an imported roster must have; the others are optional or computed (fee, 免于答辩).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "姓名", "身份证号", "民族", "政治面貌", "工作单位", "参加工作时间", "申报系列", "申报级别",
    "联系电话",
)  # fmt: skip
# Fields a roster may leave out, with the columns that bring the same: a new application
# leaves them blank (申报类型 is 评审), an update keeps what the application has.
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "学历": (),
    "毕业院校及专业": ("毕业院校", "所学专业"),
    "现任专业技术职务": (),
    "取得时间": (),
    "申报专业": (),
    "申报类型": (),
}
# Between the school and the major in one cell: 新疆大学 法学, 新疆大学/法学, 新疆大学、法学.
_SCHOOL_MAJOR = re.compile(r"\s*[\s/／、，,；;|]\s*")
NUMBER_ID_MESSAGE = (
    "单元格存成了数字，Excel 只保留15位有效数字，后几位已被改动；"
    "请把该列设为“文本”格式后重新输入身份证号"
)


@dataclass(frozen=True)
class CellError:
    """A message about one cell: the row, the portal's field, and the file's column.

    Printed as the clerk finds the cell: 「第5行D列“身份证号码”（身份证号）：…」, with the
    sheet's name first when the file has several roster sheets, and 「（文件中没有此列）」
    when the file lacks the column.
    """

    row: int
    field: str
    message: str
    column: Column | None = None
    sheet: str = ""

    @property
    def place(self) -> str:
        """Where the cell is, in the clerk's words."""
        where = (f"“{self.sheet}”表" if self.sheet else "") + f"第{self.row}行"
        if self.column is None:
            return f"{where}“{self.field}”（文件中没有此列）"
        label = self.column.label
        if header_key(self.column.header) != header_key(self.field):
            label += f"（{self.field}）"
        return where + label

    def __str__(self) -> str:
        return f"{self.place}：{self.message}"


@dataclass
class RowResult:
    """The outcome of one data row: its values once parsed, or the errors found."""

    row: int
    name: str
    id_number: str
    errors: list[CellError] = field(default_factory=list)
    notes: list[CellError] = field(default_factory=list)  # values read with a change
    values: dict[str, Any] = field(default_factory=dict)
    action: str = ""  # "create" or "update" once checked against the office
    sheet: Sheet | None = field(default=None, repr=False)
    sheet_label: str = ""  # the sheet's name when several sheets are read

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

    def cell(self, name: str, message: str) -> CellError:
        """A message about this row's cell of a field (the file's column when it has one)."""
        column = self.sheet.by_field.get(name) if self.sheet is not None else None
        return CellError(self.row, name, message.rstrip("。"), column, self.sheet_label)


@dataclass
class ImportResult:
    """The dry run of a whole file."""

    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
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

    @property
    def notes(self) -> list[CellError]:
        """Every value read with a change (团员 as 共青团员), in row order."""
        return [n for r in self.rows for n in r.notes]

    @property
    def several_sheets(self) -> bool:
        """True when rows come from more than one sheet (messages then name the sheet)."""
        return len(self.sheets) > 1

    def _where(self, sheet: Sheet) -> str:
        """「“初级”表」 before a place when several sheets are read, else nothing."""
        return f"“{sheet.name}”表" if self.several_sheets else ""

    def unused_columns(self) -> list[str]:
        """Columns of the file not imported that the portal does not know, with the reason."""
        return [
            f"{self._where(s)}{c.label}：{c.reason}"
            for s in self.sheets
            for c in s.unused
            if c.status != COMPUTED
        ]

    def computed_columns(self) -> list[str]:
        """Columns of the portal's own roster that are not imported (序号, 评审费 …)."""
        return [
            f"{self._where(s)}{c.label}"
            for s in self.sheets
            for c in s.unused
            if c.status == COMPUTED
        ]

    def skipped_rows(self) -> list[str]:
        """Every non-blank row not read as an applicant, with the reason."""
        return [
            f"{self._where(s)}第{k.row}行（{k.text}）：{k.reason}，未导入"
            for s in self.sheets
            for k in s.skipped
        ]

    def absent_fields(self) -> list[str]:
        """Optional fields no roster sheet of the file has a column for (not changed)."""
        present = {name for s in self.sheets for name in s.by_field}
        return [
            name
            for name, alternatives in OPTIONAL_FIELDS.items()
            if not present & {name, *alternatives}
        ]

    def messages(self) -> list[str]:
        """File problems and cell errors as the Chinese lines the clerk reads."""
        return self.file_errors + [str(e) for e in self.errors]


def _text(value: object) -> str:
    """A cell as text: spaces collapsed, numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return collapse_spaces(str(value))


class _RowChecker:
    """Parses one row's cells, collecting an error per bad cell and a note per value changed."""

    def __init__(self, result: RowResult, cells: dict[str, object]) -> None:
        self.result = result
        self.cells = cells

    def present(self, name: str) -> bool:
        """True when the file has a column for the field."""
        return name in self.cells

    def fail(self, name: str, message: str) -> None:
        """Record an error on a cell, without repeating the field's name at the start."""
        if message.startswith(name) and len(message) > len(name):
            message = message[len(name) :]
        self.result.errors.append(self.result.cell(name, message))

    def note(self, name: str, message: str) -> None:
        """Record that a cell was read with a change."""
        self.result.notes.append(self.result.cell(name, message))

    def text(self, name: str) -> str:
        """The cell's text; neutralised cells lose their leading apostrophe."""
        value = _text(self.cells.get(name))
        return value[1:] if value.startswith("'") else value

    def required(self, name: str) -> str:
        """The cell's text, or an error when it is blank."""
        value = self.text(name)
        if not value:
            self.fail(name, "不能为空")
        return value

    def is_none(self, name: str) -> bool:
        """True when the cell is blank or says "none" (无, /, 暂无 …)."""
        value = self.cells.get(name)
        return not _text(value) or header_key(_text(value)) in words().none

    def choice(self, name: str, allowed: Collection[str], *, required: bool = False) -> str | None:
        """A value of a fixed list, its short form read as the full word with a note.

        Blank gives "" (an error when required); a value neither in the list nor a known
        short form gives None, for the caller to refuse with the choices.
        """
        value = self.text(name).replace(" ", "")
        if not value:
            if required:
                self.fail(name, "不能为空")
            return ""
        full = full_word(name, value, allowed)
        if full is not None and full != value:
            self.note(name, f"“{value}”按“{full}”导入")
        return full

    def date_value(self, name: str, *, required: bool) -> date | None:
        """A date typed any way parse_date_loose reads, or an error."""
        raw = self.cells.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()) or self.is_none(name):
            if required:
                self.fail(name, "不能为空")
            return None
        if isinstance(raw, str):
            raw = normalise_text(raw)
        try:
            return parse_date_loose(raw)
        except ValueError as exc:
            self.fail(name, str(exc))
            return None


def full_word(name: str, value: str, allowed: Collection[str]) -> str | None:
    """The word of the list a value stands for: itself, or what its short form means (the
    table in import_words.toml; an ethnic group's name without 族), else None."""
    if value in allowed:
        return value
    full = words().values.get(name, {}).get(header_key(value))
    if full is None and name == "民族" and value + "族" in allowed:
        full = value + "族"
    return full if full in allowed else None


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


def _coded(
    c: _RowChecker, name: str, labels: dict[str, str], allowed: Collection[str], refused: str
) -> str | None:
    """The code of a labelled choice the notice allows (级别, 类型), a short form or title name
    read with a note; None with an error naming the choices when it is not one of them."""
    text = c.text(name).replace(" ", "")
    label = full_word(name, text, [labels[code] for code in allowed])
    code = _by_label(labels, text) or _by_label(labels, label or "")
    if code is None or code not in allowed:
        c.fail(name, f"{refused}“{text}”，可选：{'、'.join(labels[code] for code in allowed)}")
        return None
    if label and label != text:
        c.note(name, f"“{text}”按“{label}”导入")
    return code


def check_row(
    result: RowResult,
    cells: dict[str, object],
    d: CampaignDefinition,
    units: dict[str, RecommendingUnit],
) -> RowResult:
    """Check every cell of one row against the campaign and the office's units.

    `cells` holds the fields the file has a column for; a field without one is not written
    (an update keeps what the application has), except what a new application needs.
    """
    c = _RowChecker(result, cells)
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
    values: dict[str, Any] = {"name": name, "id_number": id_check.normalised}

    gender = c.choice("性别", vocabulary.GENDERS)
    if gender is None:
        c.fail("性别", f"应为“男”或“女”，现在是“{c.text('性别')}”")
    elif gender and id_check.gender and gender != id_check.gender:
        c.fail("性别", f"与身份证号第17位表示的性别“{id_check.gender}”不一致")
    values["gender"] = gender or id_check.gender or ""
    values["birth_date"] = id_check.birth_date

    ethnicity = c.choice("民族", vocabulary.ETHNICITIES, required=True)
    if ethnicity is None:
        c.fail("民族", f"未知的民族“{c.text('民族')}”，请填写56个民族之一，如“维吾尔族”")
    values["ethnicity"] = ethnicity

    birth = c.date_value("出生年月", required=False)
    born = id_check.birth_date
    if birth and born and (birth.year, birth.month) != (born.year, born.month):
        c.fail("出生年月", f"与身份证号中的出生日期{born.year}年{born.month}月不一致")

    political = c.choice("政治面貌", vocabulary.POLITICAL_STATUSES, required=True)
    if political is None:
        c.fail(
            "政治面貌",
            f"未知的政治面貌“{c.text('政治面貌')}”，如“中共党员”“共青团员”“群众”",
        )
    values["political_status"] = political

    unit_name = c.required("工作单位")
    values["unit"] = unit = units.get(unit_name)
    if unit_name and unit is None:
        c.fail("工作单位", f"本主管部门没有名为“{unit_name}”的推荐单位，请先在“推荐单位”中添加")

    if c.present("学历"):
        edu_level = c.choice("学历", vocabulary.EDUCATION_LEVELS)
        if edu_level is None:
            c.fail("学历", f"未知的学历“{c.text('学历')}”，如“大学本科”“大学专科”")
        values["education_level"] = edu_level or ""
    if c.present("毕业院校及专业") and (both := c.text("毕业院校及专业")):
        school, major = split_school_major(both)
        if not major and not c.present("所学专业"):
            c.note(
                "毕业院校及专业",
                f"“{both}”中分不出院校和专业，整体按院校导入，专业请在“学历”中补上",
            )
        values["school"], values["major"] = school, major
    if c.present("毕业院校"):
        values["school"] = c.text("毕业院校")
    if c.present("所学专业"):
        values["major"] = c.text("所学专业")

    values["work_start"] = c.date_value("参加工作时间", required=True)
    if c.present("现任专业技术职务"):
        values["title"] = NONE if c.is_none("现任专业技术职务") else c.text("现任专业技术职务")
    if c.present("取得时间"):
        values["obtained_on"] = c.date_value("取得时间", required=False)
        if values.get("title", NONE) != NONE and c.is_none("取得时间"):
            c.fail("取得时间", "有现任专业技术职务时请填写取得时间")
    if c.present("聘任时间"):
        values["appointed_on"] = c.date_value("聘任时间", required=False)

    series_text = c.required("申报系列")
    series = _find_series(d, series_text) if series_text else None
    if series_text and series is None:
        names = "、".join(s.name for s in d.series)
        c.fail("申报系列", f"本评审通知没有“{series_text}”，可选：{names}")
    values["series_code"] = series.code if series else ""
    if c.present("申报专业") or (series and series.specialties):
        specialty = c.text("申报专业")
        if series and series.specialties:
            listed = "、".join(series.specialties)
            if not specialty:
                c.fail("申报专业", f"请填写专业，可选：{listed}")
            elif specialty not in series.specialties:
                c.fail("申报专业", f"“{series.name}”没有“{specialty}”专业，可选：{listed}")
        values["specialty"] = specialty

    if c.required("申报级别"):
        levels = series.levels if series else d.levels
        refused = f"“{series.name}”不评审" if series else "本评审通知不评审"
        values["level"] = _coded(c, "申报级别", LEVEL_LABELS, levels, refused)
    if c.present("申报类型"):
        kind = c.text("申报类型") and _coded(c, "申报类型", KIND_LABELS, d.kinds, "本评审通知没有")
        values["kind"] = kind if c.text("申报类型") else "evaluation"

    phone, phone_error = check_phone(c.text("联系电话"))
    if phone_error:
        c.fail("联系电话", phone_error)
    values["phone"] = phone

    result.name, result.id_number = name, id_check.normalised
    if result.ok:
        result.values = values
    return result


def split_school_major(text: str) -> tuple[str, str]:
    """「新疆大学 法学」 as (school, major), ("", …) parts left empty when absent.

    A school's own name may hold a separator (中国人民大学 继续教育学院 法学): the cell is
    split at the last separator whose left part ends like a school (import_words.toml),
    else at the first.
    """
    gaps = list(_SCHOOL_MAJOR.finditer(text))
    if not gaps:
        return text, ""
    endings = words().school_endings
    at = next((m for m in reversed(gaps) if text[: m.start()].endswith(endings)), gaps[0])
    return text[: at.start()], text[at.end() :]


def units_by_name(office: Office) -> dict[str, RecommendingUnit]:
    """The office's recommending units by name (spaces collapsed)."""
    return {collapse_spaces(u.name): u for u in office_units(office.id)}


def dry_run(
    data: bytes, campaign: Campaign, office: Office, *, check_writes: bool = True
) -> ImportResult:
    """Check a roster file for an office without saving anything.

    Every roster sheet is read; the columns not imported and the rows skipped are on the
    result for the preview. A required column missing from a sheet stops the import.
    `check_writes=False` leaves out the operations API's check of each row (most of the
    time a dry run takes), for a caller that applies the result at once: apply's writes go
    through the same check.
    """
    result = ImportResult()
    try:
        book = read_workbook(data)
    except RosterFileError as exc:
        result.file_errors.append(str(exc))
        return result
    result.sheets, result.ignored_sheets = book.sheets, book.ignored
    for sheet in book.sheets:
        missing = [c for c in REQUIRED_COLUMNS if c not in sheet.by_field]
        if missing:
            where = f"工作表“{sheet.name}”" if len(book.sheets) > 1 else ""
            result.file_errors.append(
                f"{where}第{sheet.header_row}行表头缺少以下列：{'、'.join(missing)}，"
                "请在表头加上这些列（名称见花名册模板），未导入任何数据。"
            )
    if result.file_errors:
        return result
    d = campaign.definition
    units = units_by_name(office)
    seen: dict[str, CellError] = {}
    for sheet in book.sheets:
        label = sheet.name if result.several_sheets else ""
        for r, values in sheet.rows:
            row = RowResult(row=r, name="", id_number="", sheet=sheet, sheet_label=label)
            check_row(row, sheet.cells(values), d, units)
            if row.id_number and row.id_number in seen:
                first = seen[row.id_number]
                where = first.place.split("行", 1)[0] + "行"
                row.errors.append(row.cell("身份证号", f"与{where}重复"))
            elif row.id_number:
                seen[row.id_number] = row.cell("身份证号", "")
            result.rows.append(row)
    if not result.rows:
        result.file_errors.append("文件中没有申报人员数据。")
    _mark_actions(result, campaign, office, check_writes)
    return result


def _existing(campaign: Campaign, office: Office, id_numbers: list[str]) -> dict[str, Application]:
    """Existing applications of this campaign and office, by ID number, sections loaded."""
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


def _locked(row: RowResult, app: Application | None) -> bool:
    """True (with the error on the row) when the application is past preparation."""
    if app is None or app.status in PREPARING_STATUSES:
        return False
    message = f"此人的申报已是“{app.status_label}”状态，导入不能修改；如需修改请先退回。"
    row.errors.append(row.cell("身份证号", message))
    return True


def _mark_actions(
    result: ImportResult, campaign: Campaign, office: Office, check_writes: bool
) -> None:
    """Say for each valid row whether it creates or updates an application, and (with
    `check_writes`) whether the operations API would accept it, as apply's writes do."""
    existing = _existing(campaign, office, [r.id_number for r in result.valid_rows])
    units = office_units(office.id)
    for row in result.valid_rows:
        app = existing.get(row.id_number)
        if _locked(row, app):
            continue
        row.action = "update" if app is not None else "create"
        if check_writes:
            errors = operations.check_save(
                campaign, office.id, row_sections(row.values, app), app=app, partial=True,
                units=units,
            )  # fmt: skip
            row.errors.extend(_cell_errors(row, errors))


# The roster fields each field of the operations API comes from, for its messages: the first
# the file has a column for (else the first).
FIELD_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("basic", "name"): ("姓名",), ("basic", "gender"): ("性别",), ("basic", "ethnicity"): ("民族",),
    ("basic", "birth_date"): ("出生年月", "身份证号"), ("basic", "political_status"): ("政治面貌",),
    ("basic", "id_number"): ("身份证号",), ("basic", "unit_id"): ("工作单位",),
    ("basic", "unit_nature"): ("工作单位",), ("basic", "county"): ("工作单位",),
    ("basic", "work_start"): ("参加工作时间",), ("basic", "series_code"): ("申报系列",),
    ("basic", "specialty"): ("申报专业",), ("basic", "level"): ("申报级别",),
    ("basic", "kind"): ("申报类型",), ("basic", "phone"): ("联系电话",),
    ("education", "level"): ("学历",), ("education", "school"): ("毕业院校", "毕业院校及专业"),
    ("education", "major"): ("所学专业", "毕业院校及专业"),
    ("qualification", "title"): ("现任专业技术职务",),
    ("qualification", "obtained_on"): ("取得时间",),
    ("qualification", "appointed_on"): ("聘任时间",),
}  # fmt: skip
_ROW_PREFIX = re.compile(r"^rows-\d+-")


def _cell_errors(row: RowResult, errors: dict[str, dict[str, list[str]]]) -> list[CellError]:
    """The operations API's refusals as cell errors of a roster row."""
    present = row.sheet.by_field if row.sheet is not None else {}
    out = []
    for key, fields in errors.items():
        for name, messages in fields.items():
            candidates = FIELD_COLUMNS.get((key, _ROW_PREFIX.sub("", name)), (BY_KEY[key].label,))
            column = next((f for f in candidates if f in present), candidates[0])
            out.extend(row.cell(column, m) for m in messages)
    return out


# Values of a checked row stored as they are in basic information (those the row has).
BASIC_VALUES = (
    "series_code", "specialty", "level", "kind", "name", "gender", "ethnicity", "birth_date",
    "id_number", "political_status", "phone", "work_start",
)  # fmt: skip
# What a new application takes when the file has no column for it.
NEW_DEFAULTS = {"kind": "evaluation", "specialty": ""}


def row_sections(v: dict[str, Any], app: Application | None) -> dict[str, dict[str, Any]]:
    """A checked row as plain data of basic information, education and qualification.

    A roster brings only some fields of each: they are stored with `partial=True`, laid over
    what the application already has. A field the file has no column for is left out, so an
    update keeps it; the education the row names updates the highest row.
    """
    unit: RecommendingUnit = v["unit"]
    basic = {k: v[k] for k in BASIC_VALUES if k in v}
    if app is None:
        basic = {**NEW_DEFAULTS, **basic}
    basic.update(
        unit_id=unit.id,
        unit_nature=unit.nature,
        below_county_level=unit.below_county_level,
        county=unit.county,
    )
    out: dict[str, dict[str, Any]] = {"basic": basic}
    brought = {k: v[f] for k, f in EDUCATION_VALUES.items() if f in v}
    if any(brought.values()):
        education = app.section_data("education") if app is not None else {}
        rows = [dict(r) for r in education.get("rows") or [] if r]
        if not rows:
            rows = [{"full_time": "全日制"}]
        if _same_school_and_major(rows[-1], brought):
            del brought["school"], brought["major"]  # the application's own split is kept
        rows[-1].update(brought)
        out["education"] = {"rows": rows}
    qualification = {k: v[f] for k, f in QUALIFICATION_VALUES.items() if f in v}
    if qualification.get("title") == NONE:
        stored = app.section_data("qualification") if app is not None else {}
        qualification.update(level="无", series=stored.get("series") or NONE)
    if qualification:
        out["qualification"] = qualification
    return out


def _same_school_and_major(stored: dict[str, Any], brought: dict[str, Any]) -> bool:
    """True when a row's school and major are the stored ones, split elsewhere perhaps
    (a school's name may hold a space the split could not tell from the separator)."""

    def joined(d: dict[str, Any]) -> str:
        return " ".join(p for p in (d.get("school"), d.get("major")) if p)

    return "school" in brought and "major" in brought and joined(stored) == joined(brought)


# The education and qualification fields a row fills, and the row values they come from.
EDUCATION_VALUES = {"level": "education_level", "school": "school", "major": "major"}
QUALIFICATION_VALUES = {
    "title": "title",
    "obtained_on": "obtained_on",
    "appointed_on": "appointed_on",
}


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
        if _locked(row, app):
            continue
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
            row.errors.extend(_cell_errors(row, exc.errors))
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
