"""Read a roster workbook as units send it: find the header, say what every column is.

Every visible sheet whose header names roster fields is read (a unit may split its roster
over sheets); the header may sit under a merged title and span two rows. Each column of the
file ends up either read into a portal field or listed as not imported with the reason, and
each row either read or listed as skipped (totals, signatures, a repeated header). The words
units use for headers and values are data: import_words.toml. Nothing here touches the
database; importer.py checks the rows and writes them.
"""

from __future__ import annotations

import functools
import io
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from portal.textutil import collapse_spaces

#: The rows searched for the header at the top of each sheet.
HEADER_SCAN_ROWS = 30
#: A header names at least this many fields, or both 姓名 and 身份证号.
MIN_HEADER_FIELDS = 3
#: Columns read from a sheet (a roster has about twenty).
MAX_COLUMNS = 200
#: Merged ranges read from one sheet, at most (a roster has a few).
MAX_MERGES = 5_000
#: A longer cell is not a header (its remarks are not stripped one by one).
MAX_HEADER_LENGTH = 60
#: The most applicant rows one import reads, on all sheets (a county sends tens).
MAX_ROWS = 5_000
#: Rows read in all, blank ones and gaps included, before a padded file is refused.
MAX_READ_ROWS = 20_000
#: The workbook's parts unpacked, in all, and how many parts it may have (zip bombs).
MAX_UNCOMPRESSED_BYTES, MAX_PARTS = 50 * 1024 * 1024, 1_000
UNREADABLE = "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。"
TOO_MANY_ROWS = (
    f"工作表超过{MAX_READ_ROWS}行（含空行），无法导入。请删除多余的空行，一次最多导入{MAX_ROWS}人。"
)

_SPACES = re.compile(r"\s+")
_MARKS = "*＊※★☆"
# A remark in brackets at the end of a header: 身份证号码（18位）, 出生年月(年.月), 姓名【必填】.
_REMARK = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")
_LONG_DIGITS = re.compile(r"\d{6,}")


class RosterFileError(ValueError):
    """The file is not a roster this importer can read."""


def squash(text: object) -> str:
    """Text as compared: full-width made half-width (NFKC), without spaces or line breaks."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


def header_key(text: object) -> str:
    """A header or value as compared: squashed, without the marks of a required column."""
    return squash(text).strip(_MARKS + ":")


def shown(text: object) -> str:
    """A header as the clerk reads it in the file: line breaks joined, spaces collapsed."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return collapse_spaces(str(text).replace("\r", "").replace("\n", ""))


class Known(NamedTuple):
    """What a header names: a field, or a column of the portal's own roster not imported."""

    name: str
    is_field: bool
    rank: int  # 0 for the name itself, then the synonyms' order: of two columns, the lower wins


@dataclass(frozen=True)
class Words:
    """import_words.toml, keyed for lookup (every key through header_key)."""

    fields: tuple[str, ...]  # the portal's fields a roster fills
    headers: dict[str, Known]  # header key -> what it names
    under: dict[str, dict[str, str]]  # upper field -> lower header key -> field
    values: dict[str, dict[str, str]]  # field -> value key -> the full word
    none: frozenset[str]
    totals: tuple[str, ...]
    footers: tuple[str, ...]
    school_endings: tuple[str, ...]


@functools.cache
def words() -> Words:
    """The tables of import_words.toml; raises ValueError when one header names two fields."""
    raw = tomllib.loads(
        resources.files("portal.rosters").joinpath("import_words.toml").read_text("utf-8")
    )
    headers: dict[str, Known] = {}
    for table, is_field in (("fields", True), ("computed", False)):
        for name, synonyms in raw[table].items():
            for rank, text in enumerate((name, *synonyms)):
                key = header_key(text)
                if key in headers and headers[key].name != name:
                    raise ValueError(
                        f"import_words.toml: “{text}” names “{headers[key].name}” and “{name}”"
                    )
                headers.setdefault(key, Known(name, is_field, rank))
    under = {
        field: {header_key(k): v for k, v in parts.items()}
        for field, parts in raw.get("under", {}).items()
    }
    values = {
        field: {header_key(k): v for k, v in table.items()}
        for field, table in raw.get("values", {}).items()
    }
    return Words(
        fields=tuple(raw["fields"]),
        headers=headers,
        under=under,
        values=values,
        none=frozenset(header_key(w) for w in raw["none"]["words"]),
        totals=tuple(squash(w) for w in raw["rows"]["totals"]),
        footers=tuple(squash(w) for w in raw["rows"]["footers"]),
        school_endings=tuple(raw["schools"]["endings"]),
    )


def _known(key: str) -> Known | None:
    """What a header key names; a trailing remark in brackets is tried without."""
    if len(key) > MAX_HEADER_LENGTH:
        return None
    headers = words().headers
    while key:
        if key in headers:
            return headers[key]
        stripped = _REMARK.sub("", key)
        if stripped == key:
            return None
        key = stripped
    return None


def known(text: object) -> Known | None:
    """What a header names (synonyms, widths, spaces, marks and remarks allowed), else None."""
    return _known(header_key(text))


# ------------------------------------------------------------------------------- columns

USED, COMPUTED, UNKNOWN, DUPLICATE, NO_HEADER = "used", "computed", "unknown", "duplicate", "blank"


@dataclass
class Column:
    """One column of the file: its header as written and the field it fills (or why not)."""

    index: int  # 0-based
    header: str
    field: str = ""  # the portal field it fills, or the portal column it repeats
    status: str = UNKNOWN
    first: Column | None = None  # for a duplicate: the column that is read instead
    has_data: bool = False

    @property
    def letter(self) -> str:
        """The column's letter in the spreadsheet (A, B, … AA)."""
        return get_column_letter(self.index + 1)

    @property
    def used(self) -> bool:
        """True when the column's cells are imported."""
        return self.status == USED

    @property
    def label(self) -> str:
        """「D列“身份证号码”」, or 「D列（无表头）」."""
        return f"{self.letter}列“{self.header}”" if self.header else f"{self.letter}列（无表头）"

    @property
    def reason(self) -> str:
        """Why the column is not imported, in words (empty when it is)."""
        if self.status == COMPUTED:
            return f"“{self.field}”由系统根据申报信息生成，不从文件导入"
        if self.status == DUPLICATE and self.first is not None:
            return f"与{self.first.label}同为“{self.field}”，只导入{self.first.letter}列"
        if self.status == NO_HEADER:
            return "没有表头，不知道是哪一项，该列的数据未导入"
        if self.status == UNKNOWN:
            return (
                "系统不认识这个表头，该列未导入；如是花名册的某一项，请把表头改为花名册模板的名称"
            )
        return ""


@dataclass
class SkippedRow:
    """A non-blank row that is not an applicant: totals, a signature line, a repeated header."""

    row: int
    reason: str
    text: str  # the row's first words, for the clerk to recognise it


@dataclass
class Sheet:
    """The roster table found on one sheet: header rows, columns, data rows, rows skipped."""

    name: str
    header_row: int  # the (upper) header row
    header_rows: int  # 1, or 2 when sub-headers sit under merged cells
    columns: list[Column]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)

    @functools.cached_property
    def by_field(self) -> dict[str, Column]:
        """The column read for each field present in the file."""
        return {c.field: c for c in self.columns if c.used}

    @property
    def unused(self) -> list[Column]:
        """Columns of the file that are not imported, in file order."""
        return [c for c in self.columns if not c.used]

    def cells(self, values: list[object]) -> dict[str, object]:
        """One row's values by field."""
        return {
            name: values[c.index] if c.index < len(values) else None
            for name, c in self.by_field.items()
        }


@dataclass
class Workbook:
    """The roster tables of a workbook, and the sheets not read with the reason."""

    sheets: list[Sheet]
    ignored: list[str] = field(default_factory=list)  # “说明”：没有花名册表头


def _labels(values: list[object]) -> dict[int, Known]:
    """Column index -> what the cell names, for the cells that are headers."""
    out = {}
    for i, v in enumerate(values):
        if isinstance(v, str) and (found := _known(header_key(v))):
            out[i] = found
    return out


def _header_score(values: list[object]) -> int:
    """How many distinct fields a row names; 0 unless it can be a header."""
    names = {k.name for k in _labels(values).values() if k.is_field}
    if len(names) >= MIN_HEADER_FIELDS or {"姓名", "身份证号"} <= names:
        return len(names)
    return 0


def _lower_field(upper: object, lower: object) -> Known | None:
    """What a cell of the second header row names under the (merged) cell above it."""
    up, low = header_key(upper), header_key(lower)
    if not low or low == up:
        return None
    above = _known(up)
    if above and above.is_field and (part := words().under.get(above.name, {}).get(low)):
        return Known(part, True, 0)
    return _known(up + low) or _known(low)


def _is_subheader(upper: list[object], lower: list[object]) -> bool:
    """True when the row under the header is a second header row, not the first applicant."""
    if any(not isinstance(v, str) or _LONG_DIGITS.search(v) for v in lower if v is not None):
        return False
    return any(
        _lower_field(upper[i] if i < len(upper) else None, v) for i, v in enumerate(lower) if v
    )


def _columns(upper: list[object], lower: list[object] | None) -> list[Column]:
    """Every column under the header, each with the field it fills or why it does not.

    Of two columns naming one field, the one named more exactly is read (专业技术职务 before
    现任职务, which may hold an administrative post), the other listed as a duplicate.
    """
    width = max(len(upper), len(lower or ()))
    columns: list[Column] = []
    found: dict[int, Known] = {}
    for i in range(width):
        up = upper[i] if i < len(upper) else None
        low = lower[i] if lower is not None and i < len(lower) else None
        what = _lower_field(up, low) if lower is not None else None
        text = shown(up)
        if header_key(low) and header_key(low) != header_key(up):
            text = shown(low) if header_key(low) in words().headers else text + shown(low)
        what = what or _known(header_key(up))
        column = Column(index=i, header=text, status=UNKNOWN if text else NO_HEADER)
        if what is not None:
            column.field = what.name
            column.status = USED if what.is_field else COMPUTED
            found[i] = what
        columns.append(column)
    read: dict[str, Column] = {}
    for i in sorted(found, key=lambda i: (found[i].rank, i)):
        column = columns[i]
        if column.status != USED:
            continue
        if column.field in read:
            column.status, column.first = DUPLICATE, read[column.field]
        else:
            read[column.field] = column
    return columns


# --------------------------------------------------------------------------------- merges


def _merged_ranges(data: bytes, ws) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet as (min_col, min_row, max_col, max_row), 1-based.

    openpyxl's read-only mode streams cells and does not report merges; they stand at the end
    of the sheet's XML, read here with a pattern (the part's path is openpyxl's own record).
    """
    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    ranges = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path.lstrip("/")) as part:
        tail = b""
        while chunk := part.read(1024 * 1024):
            block = tail + chunk
            for m in _MERGE.finditer(block):
                if m.end() > len(tail) and len(ranges) < MAX_MERGES:
                    ranges.append(range_boundaries(m.group(1).decode("ascii")))
            tail = block[-200:]
    return ranges


_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)"'
)


class _Merges:
    """Fills each merged range with its top-left value, row by row as the rows stream past.

    Merged ranges of a real workbook never overlap, so a row has at most `max_columns` cells
    to fill; a crafted file's overlapping ranges fill no more than that per row either.
    """

    def __init__(self, ranges: list[tuple[int, int, int, int]], max_columns: int) -> None:
        self.max_columns = max_columns
        self.pending = sorted(
            (r1, c1, min(c2, max_columns), r2)
            for c1, r1, c2, r2 in ranges
            if 1 <= c1 <= max_columns and r1 >= 1
        )
        self.next = 0
        self.active: list[tuple[int, int, int, object]] = []  # min_col, max_col, max_row, value

    def fill(self, row: int, values: list[object]) -> list[object]:
        """The row's values with merged cells filled in."""
        self.active = [a for a in self.active if a[2] >= row]
        while self.next < len(self.pending) and self.pending[self.next][0] <= row:
            start, c1, c2, r2 = self.pending[self.next]
            self.next += 1
            value = values[c1 - 1] if c1 - 1 < len(values) else None
            if start == row and value is not None:
                self.active.append((c1, c2, r2, value))
        budget = self.max_columns
        for c1, c2, _r2, value in self.active:
            if len(values) < c2:
                values.extend([None] * (c2 - len(values)))
            for c in range(c1 - 1, c2):
                if values[c] is None:
                    values[c] = value
            budget -= c2 - c1 + 1
            if budget <= 0:
                break
        return values


# ----------------------------------------------------------------------------------- rows


def _row_text(values: list[object]) -> str:
    """The first words of a row, for a skipped row's listing."""
    text = " ".join(shown(v) for v in values if shown(v))
    return text if len(text) <= 40 else text[:40] + "…"


def _skip_reason(sheet: Sheet, values: list[object]) -> str | None:
    """Why a non-blank row is not an applicant, or None when it is one."""
    texts = [squash(v) for v in values if v is not None and shown(v)]
    labels = _labels(values)
    if sum(1 for i, k in labels.items() if _field_at(sheet, i) == k.name) >= 2:
        return "重复的表头行"
    by_field = sheet.by_field
    name = squash(values[by_field["姓名"].index]) if "姓名" in by_field else ""
    id_number = values[by_field["身份证号"].index] if "身份证号" in by_field else None
    id_digits = bool(_LONG_DIGITS.search(squash(id_number)))
    w = words()
    leading = [t for t in (name, *texts[:2]) if t]
    if not id_digits and any(t.startswith(w.totals) for t in leading):
        return "合计行"
    if not id_digits and any(t.startswith(w.footers) for t in leading):
        return "表尾的落款或说明"
    if not name and not squash(id_number):
        return "没有姓名和身份证号"
    return None


def _field_at(sheet: Sheet, index: int) -> str:
    """The field (or portal column) of a column index, "" beyond the header."""
    return sheet.columns[index].field if index < len(sheet.columns) else ""


class _Budget:
    """What is left to read of a workbook: rows in all and applicant rows."""

    def __init__(self) -> None:
        self.rows, self.applicants = MAX_READ_ROWS, MAX_ROWS

    def row(self) -> None:
        """Count one row read (a gap's filler rows count too)."""
        self.rows -= 1
        if self.rows < 0:
            raise RosterFileError(TOO_MANY_ROWS)

    def applicant(self) -> None:
        """Count one applicant row."""
        self.applicants -= 1
        if self.applicants < 0:
            raise RosterFileError(
                f"文件超过{MAX_ROWS}人，一次最多导入{MAX_ROWS}人，请分成几个文件导入。"
            )


def _read_sheet(data: bytes, ws, budget: _Budget) -> Sheet | None:
    """The roster table of one sheet, or None when no header is found near its top."""
    # The size a sheet declares is not trusted: some programs write A1 (openpyxl would read
    # one cell) or A1:XFD1048576. Rows come as wide as their last cell, cut at MAX_COLUMNS.
    ws.reset_dimensions()
    rows: Iterator = ws.iter_rows(values_only=True)
    merges = _Merges(_merged_ranges(data, ws), max_columns=MAX_COLUMNS)
    top: list[tuple[int, list[object]]] = []
    for r, values in enumerate(rows, start=1):
        budget.row()
        top.append((r, merges.fill(r, list(values[:MAX_COLUMNS]))))
        if r > HEADER_SCAN_ROWS:
            break
    # The first row naming roster fields (a second header row under it may name more).
    at = next((i for i, (_, v) in enumerate(top[:HEADER_SCAN_ROWS]) if _header_score(v)), None)
    if at is None:
        return None
    header_row, upper = top[at]
    lower = top[at + 1][1] if at + 1 < len(top) else None
    two_rows = lower is not None and _is_subheader(upper, lower)
    sheet = Sheet(
        name=ws.title,
        header_row=header_row,
        header_rows=2 if two_rows else 1,
        columns=_columns(upper, lower if two_rows else None),
    )
    following = top[at + sheet.header_rows :]
    width = len(sheet.columns)

    def rest() -> Iterator[tuple[int, list[object]]]:
        yield from following
        for r, values in enumerate(rows, start=len(top) + 1):
            budget.row()
            yield r, merges.fill(r, list(values[:MAX_COLUMNS]))

    for r, values in rest():
        if not any(v is not None and shown(v) for v in values):
            continue
        if len(values) < width:  # a row ends at its last cell
            values.extend([None] * (width - len(values)))
        for i, v in enumerate(values):
            if i >= len(sheet.columns):
                sheet.columns.append(Column(index=i, header="", status=NO_HEADER))
            if shown(v):
                sheet.columns[i].has_data = True
        reason = _skip_reason(sheet, values)
        if reason:
            sheet.skipped.append(SkippedRow(r, reason, _row_text(values)))
        else:
            budget.applicant()
            sheet.rows.append((r, values))
    sheet.columns = [c for c in sheet.columns if c.header or c.has_data]
    return sheet


def check_archive(data: bytes) -> None:
    """Refuse a workbook out of bounds before openpyxl parses it (zip bombs, padded sheets).

    Reading a part never yields more than the size its zip header declares (zipfile stops
    there), so the declared sizes bound the memory. The rows of the sheets are counted on the
    raw XML: openpyxl parses a whole sheet that lacks a <dimension> just to open it.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise RosterFileError(
                f"文件结构异常（含{len(parts)}个部件），无法导入。请另存为新的 .xlsx 文件。"
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            mb, limit = unpacked // (1024 * 1024), MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
            raise RosterFileError(
                f"文件解压后约{mb}MB，超过{limit}MB，无法导入。一次最多导入{MAX_ROWS}人，请分批导入。"
            )
        left = MAX_READ_ROWS
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                left -= _count_tags(archive, part, _ROW_TAG, left + 1)
                if left < 0:
                    raise RosterFileError(TOO_MANY_ROWS)


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _count_tags(archive: zipfile.ZipFile, part: zipfile.ZipInfo, tag: re.Pattern, stop: int) -> int:
    """How many matches of `tag` a part has, read in chunks; stops counting at `stop`."""
    count, tail = 0, b""
    with archive.open(part) as stream:
        while count < stop and (chunk := stream.read(1024 * 1024)):
            block = tail + chunk
            # Tags wholly inside the carried tail were counted with the previous chunk.
            count += sum(1 for m in tag.finditer(block) if m.end() > len(tail))
            tail = block[-64:]
    return count


def read_workbook(data: bytes) -> Workbook:
    """Every roster table of the workbook's visible sheets; RosterFileError when none.

    Bounded before parsing (check_archive) and while reading: rows are cut at MAX_COLUMNS,
    at most MAX_READ_ROWS rows are read in all and MAX_ROWS applicants kept.
    """
    try:
        check_archive(data)
        return _read_workbook(data)
    except RosterFileError:
        raise
    except Exception as exc:  # zipfile, openpyxl and the XML parser raise many kinds
        raise RosterFileError(UNREADABLE) from exc


def _read_workbook(data: bytes) -> Workbook:
    wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    result = Workbook(sheets=[])
    budget = _Budget()
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                result.ignored.append(f"工作表“{ws.title}”是隐藏的，未读取")
                continue
            sheet = _read_sheet(data, ws, budget)
            if sheet is None:
                result.ignored.append(f"工作表“{ws.title}”中没有花名册表头，未读取")
            else:
                result.sheets.append(sheet)
    finally:
        wb.close()
    if not result.sheets:
        looked = "、".join(f"“{ws.title}”" for ws in wb.worksheets)
        raise RosterFileError(
            f"在工作表{looked}的前{HEADER_SCAN_ROWS}行中没有找到表头"
            "（应含“姓名”“身份证号”等列），请使用花名册模板。"
        )
    return result
