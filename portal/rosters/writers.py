"""Write a roster as xlsx (ready to print on A4 or A3) or as CSV; writers only write.

Both writers stream: the xlsx goes through openpyxl's write-only mode with one styled cell per
column reused for every row (named styles, no style object per cell), the CSV through the csv
module a block of rows at a time, so a roster of any length is written in little memory.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import RowDimension

from portal.rosters.builder import FEE_COLUMN, MONTH_COLUMNS, TEXT_COLUMNS, Roster
from portal.textutil import format_date_cn, format_month_cn, neutralise_cell, strip_control

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

MONTH_FORMAT = 'yyyy"年"m"月"'
DAY_FORMAT = 'yyyy"年"m"月"d"日"'
TEXT_FORMAT = "@"
FONT_NAME = "宋体"
BODY_PT = 9
TITLE_PT = 14

# Rows of the sheet: title, reporting office, header, then the data.
TITLE_ROW, OFFICE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Paper:
    """A paper size printed landscape: its openpyxl code and the width between the margins."""

    label: str
    size: str  # openpyxl's paperSize code
    printable_pt: float


SIDE_MARGIN_INCH = 0.25
PAPERS: dict[str, Paper] = {
    "a4": Paper("A4 横向", "9", (297 / 25.4 - 2 * SIDE_MARGIN_INCH) * 72),
    "a3": Paper("A3 横向", "8", (420 / 25.4 - 2 * SIDE_MARGIN_INCH) * 72),
}
MIN_PRINT_PT = 8  # body text on paper (issue 14)
# Column widths are in units of the default font's digit width: 7 px (5.25 pt) with Excel's and
# WPS's Calibri and LibreOffice's Carlito, but up to 7 pt where LibreOffice falls back to DejaVu
# Sans. The printed columns must fit the paper at MIN_PRINT_PT in that widest case too; in Excel
# they then print at BODY_PT, unscaled.
PT_PER_UNIT = 5.25
WIDEST_PT_PER_UNIT = 7.0
# LibreOffice's fit-to-width search lands up to a few percent below the exact scale.
BUDGET_MARGIN = 0.93


def column_budget(paper: str) -> float:
    """The sum of column widths that still prints body text at MIN_PRINT_PT on this paper."""
    scale = MIN_PRINT_PT / BODY_PT
    return PAPERS[paper].printable_pt / scale / WIDEST_PT_PER_UNIT * BUDGET_MARGIN


@dataclass(frozen=True)
class ColumnLayout:
    """How a column prints: its header (two short lines where the label is long) and width."""

    header: str
    width: float  # Excel width units at BODY_PT
    wrap: bool = False  # long text goes onto more lines


LAYOUTS: dict[str, ColumnLayout] = {
    "序号": ColumnLayout("序号", 5),
    "姓名": ColumnLayout("姓名", 8, wrap=True),
    "性别": ColumnLayout("性别", 4.5),
    "民族": ColumnLayout("民族", 4.5, wrap=True),
    "出生年月": ColumnLayout("出生\n年月", 9.5),
    "政治面貌": ColumnLayout("政治\n面貌", 6, wrap=True),
    "身份证号": ColumnLayout("身份证号", 16.5, wrap=True),
    "主管部门": ColumnLayout("主管部门", 9, wrap=True),
    "工作单位": ColumnLayout("工作单位", 9, wrap=True),
    "学历": ColumnLayout("学历", 4.5, wrap=True),
    "毕业院校及专业": ColumnLayout("毕业院校\n及专业", 9, wrap=True),
    "参加工作时间": ColumnLayout("参加工\n作时间", 9.5),
    "现任专业技术职务": ColumnLayout("现任专业\n技术职务", 8, wrap=True),
    "取得时间": ColumnLayout("取得\n时间", 9.5),
    "申报系列": ColumnLayout("申报\n系列", 8, wrap=True),
    "申报专业": ColumnLayout("申报\n专业", 8, wrap=True),
    "申报级别": ColumnLayout("申报\n级别", 4.5, wrap=True),
    "申报类型": ColumnLayout("申报\n类型", 4.5, wrap=True),
    "免于答辩": ColumnLayout("免于\n答辩", 4.5),
    FEE_COLUMN: ColumnLayout("评审费\n（元）", 6),
    "联系电话": ColumnLayout("联系\n电话", 11, wrap=True),
    "状态": ColumnLayout("状态", 4.5, wrap=True),
    "备注": ColumnLayout("备注", 9, wrap=True),
}
# What a printout needs first: who, in which unit, applying for what, and the fee. Columns are
# printed in this order of need while they fit column_budget(); the others stay in the file
# beyond the print area (A3 prints them all).
PRINT_PRIORITY: tuple[str, ...] = (
    "序号", "姓名", "性别", "身份证号", "主管部门", "工作单位", "申报系列", "申报专业",
    "申报级别", "申报类型", "免于答辩", FEE_COLUMN, "状态", "备注", "民族", "出生年月",
    "现任专业技术职务", "学历", "政治面貌", "取得时间", "参加工作时间", "联系电话",
    "毕业院校及专业",
)  # fmt: skip
LINE_PT = 12.0  # height of one line of BODY_PT text
CELL_PADDING_PT = 4.0

# The first characters for which neutralise_cell may have to act (a formula, or space before).
_RISKY = frozenset("=+-@")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _clean(value: object) -> object:
    """A value fit for a cell: control characters stored before input was cleaned dropped (one
    would fail the whole file), a formula neutralised."""
    return neutralise_cell(strip_control(value))


def _safe_text(text: str) -> str:
    """_clean for a text, quick when there is nothing to do (the most of a roster's cells)."""
    if not text.isprintable():
        text = strip_control(text)
    if text and (text[0] in _RISKY or text[0].isspace()):
        return neutralise_cell(text)
    return text


def _styles() -> dict[str, NamedStyle]:
    """The named styles of the workbook, made once per file (cells refer to them by name)."""
    body = Font(name=FONT_NAME, size=BODY_PT)
    bold = Font(name=FONT_NAME, size=BODY_PT, bold=True)
    return {
        "title": NamedStyle(
            "roster-title",
            font=Font(name=FONT_NAME, size=TITLE_PT, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        "left": NamedStyle(
            "roster-left", font=body, alignment=Alignment(horizontal="left", vertical="center")
        ),
        "right": NamedStyle(
            "roster-right", font=body, alignment=Alignment(horizontal="right", vertical="center")
        ),
        "header": NamedStyle(
            "roster-header",
            font=bold,
            border=_BORDER,
            fill=PatternFill("solid", fgColor="D9E1F2"),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        "cell": NamedStyle(
            "roster-cell",
            font=body,
            border=_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        "wrap": NamedStyle(
            "roster-wrap",
            font=body,
            border=_BORDER,
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        ),
        "total": NamedStyle(
            "roster-total",
            font=bold,
            border=_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
    }


def _text_pt(text: str) -> float:
    """About the printed width of a line of body text in points.

    A Chinese character is one em wide and takes three bytes in UTF-8, an ASCII character half
    an em and one byte: the byte count gives the width without looking at each character.
    """
    return (len(text) + len(text.encode("utf-8"))) / 4 * BODY_PT


def _usable_pt(width: float) -> float:
    """The width text may take in a column of this width (Excel's units), in points."""
    return max(width * PT_PER_UNIT - CELL_PADDING_PT, BODY_PT)


def _lines(text: str, usable: float) -> int:
    """How many lines a wrapped text takes in a column this wide (points)."""
    if "\n" in text:
        return sum(_lines(part, usable) for part in text.split("\n"))
    return max(1, math.ceil(_text_pt(text) / usable))


def print_columns(columns: tuple[str, ...], paper: str) -> tuple[list[str], list[str]]:
    """The columns printed on this paper (in roster order) and those after the print area."""
    budget = column_budget(paper)
    chosen: set[str] = set()
    used = 0.0
    for label in sorted(columns, key=lambda c: PRINT_PRIORITY.index(c)):
        width = LAYOUTS[label].width
        if used + width > budget:
            break
        chosen.add(label)
        used += width
    return [c for c in columns if c in chosen], [c for c in columns if c not in chosen]


def _cell(ws, style: str, value: object = None, number_format: str | None = None) -> WriteOnlyCell:
    """A write-only cell in one of the named styles of _styles()."""
    cell = WriteOnlyCell(ws, value=value)
    cell.style = f"roster-{style}"
    if number_format:
        cell.number_format = number_format
    return cell


def _append_cells_directly(ws) -> None:
    """Let the write-only sheet take rows of cells (or None) without trying each as a value.

    openpyxl's append first assigns every item to a fresh cell as a value and, when that fails
    with ValueError because it is a cell, uses the cell instead: for a styled cell that costs an
    exception and an error message with the cell's repr, about a third of writing a roster.
    Every row this writer appends is made of its own cells and None, so the sheet is given the
    direct path. The hook is openpyxl's own (``_values_to_row``, openpyxl 3.1); a version without
    it keeps its public path, which writes the same file (tests/rosters/test_export.py).
    """
    if not callable(getattr(ws, "_values_to_row", None)):
        return

    def cells_to_row(cells, row_idx):
        for col_idx, cell in enumerate(cells, start=1):
            if cell is not None:
                cell.column, cell.row = col_idx, row_idx
                yield cell

    ws._values_to_row = cells_to_row


def _span(ws, row: int, first: int, last: int) -> None:
    """Merge columns first..last of a row (write-only sheets take merges as ranges)."""
    if last > first:
        ws.merged_cells.add(CellRange(min_col=first, min_row=row, max_col=last, max_row=row))


def _footer_groups(ncols: int) -> list[tuple[int, int]]:
    """Split the printed columns into four groups for the four footer fields."""
    size = max(ncols // 4, 1)
    bounds = []
    start = 1
    for i in range(4):
        end = ncols if i == 3 else min(start + size - 1, ncols)
        bounds.append((start, max(start, end)))
        start = min(end + 1, ncols)
    return bounds


def write_xlsx(roster: Roster, out: IO[bytes] | str, *, paper: str = "a4") -> int:
    """Write the roster workbook (title, office, header, rows, totals, footer); returns the rows.

    The printed columns come first and fit the paper at body text of at least 8 pt; columns a
    printout can do without follow beyond the print area, so the file still holds them all.
    """
    printed, extra = print_columns(roster.columns, paper)
    order = printed + extra
    source = [roster.columns.index(c) for c in order]
    nprinted = len(printed)
    last_printed = get_column_letter(nprinted)

    wb = Workbook(write_only=True)
    styles = _styles()
    for style in styles.values():
        wb.add_named_style(style)
    ws = wb.create_sheet("申报人员花名册")
    layouts = [LAYOUTS[c] for c in order]
    for col, layout in enumerate(layouts, start=1):
        ws.column_dimensions[get_column_letter(col)].width = layout.width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"  # 序号 and 姓名 stay in view
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    ws.row_dimensions[TITLE_ROW].height = 28
    ws.append([_cell(ws, "title", _clean(roster.title))])
    _span(ws, TITLE_ROW, 1, nprinted)

    half = max(nprinted // 2, 1)
    ws.row_dimensions[OFFICE_ROW].height = 20
    office = [_cell(ws, "left", _clean(f"填报单位（主管部门）：{roster.office_name}"))]
    office += [None] * (half - 1)
    office.append(_cell(ws, "right", _clean(f"评审工作：{roster.campaign_title}")))
    ws.append(office)
    _span(ws, OFFICE_ROW, 1, half)
    _span(ws, OFFICE_ROW, half + 1, nprinted)

    ws.row_dimensions[HEADER_ROW].height = 2 * LINE_PT + CELL_PADDING_PT
    ws.append([_cell(ws, "header", layout.header) for layout in layouts])

    templates = []
    for label, layout in zip(order, layouts, strict=True):
        fmt = None
        if label in TEXT_COLUMNS:
            fmt = TEXT_FORMAT
        elif label in MONTH_COLUMNS:
            fmt = MONTH_FORMAT
        templates.append(_cell(ws, "wrap" if layout.wrap else "cell", number_format=fmt))
    # Wrapped columns hold text (or nothing); ID and phone numbers are kept as text.
    # With each, how many characters surely fit one line (even if every one is wide).
    wrapped = [
        (i, usable, int(usable // BODY_PT))
        for i, lay in enumerate(layouts)
        if lay.wrap
        for usable in (_usable_pt(lay.width),)
    ]
    as_text = [i for i, c in enumerate(order) if c in TEXT_COLUMNS]
    # One row height per number of lines, shared by the rows of that height.
    heights: dict[int, RowDimension] = {}
    _append_cells_directly(ws)

    fee_at = order.index(FEE_COLUMN)
    count, fees = 0, 0
    row_index = FIRST_DATA_ROW
    for values in roster.rows:
        ordered = [values[i] for i in source]
        for i in as_text:
            if ordered[i] is not None:
                ordered[i] = str(ordered[i])
        for cell, value in zip(templates, ordered, strict=True):
            # A control character stored before input was cleaned must not fail the file.
            cell.value = _safe_text(value) if type(value) is str and value else value
        lines = 1
        for i, usable, fits in wrapped:
            text = ordered[i]
            if text and len(text) > fits:
                lines = max(lines, _lines(text, usable))
        if lines not in heights:
            heights[lines] = RowDimension(ws, ht=max(lines * LINE_PT + CELL_PADDING_PT, 18))
        ws.row_dimensions[row_index] = heights[lines]
        ws.append(templates)
        del ws.row_dimensions[row_index]
        count += 1
        fees += ordered[fee_at] or 0
        row_index += 1

    totals = [_cell(ws, "total") for _ in order]
    totals[0].value = f"合计：申报人员 {count} 人"
    totals[fee_at].value = fees
    if roster.unsent and fee_at + 1 < nprinted:
        totals[fee_at + 1].value = f"其中{roster.unsent}人未推荐，未计评审费"
    ws.row_dimensions[row_index].height = 22
    ws.append(totals)
    _span(ws, row_index, 1, fee_at)
    _span(ws, row_index, fee_at + 2, nprinted)

    footer_row = row_index + 2
    ws.append([])
    made_on = format_date_cn(roster.made_on) if roster.made_on else "    年  月  日"
    fields = (
        "填报单位（盖章）：",
        f"填报人：{roster.reporter}",
        "联系电话：",
        f"填报日期：{made_on}",
    )
    footer: list[object] = [None] * nprinted
    for (first, last), text in zip(_footer_groups(nprinted), fields, strict=True):
        footer[first - 1] = _cell(ws, "left", _clean(text))
        _span(ws, footer_row, first, last)
    ws.row_dimensions[footer_row].height = 28
    ws.append(footer)

    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_printed}{footer_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERS[paper].size
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_INCH
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(out)
    return count


def xlsx_bytes(roster: Roster, *, paper: str = "a4") -> bytes:
    """The roster workbook in memory (small rosters and tests)."""
    out = io.BytesIO()
    write_xlsx(roster, out, paper=paper)
    return out.getvalue()


# --------------------------------------------------------------------------- CSV

# Spreadsheets read a field of digits as a number (an 18-digit ID loses its last digits, a
# phone its leading zero). A tab before the digits makes Excel, WPS and LibreOffice keep the
# field as text; the tab cannot start a formula, and formula-like text is still neutralised.
TEXT_MARK = "\t"
CSV_BLOCK_ROWS = 500


def csv_field(label: str) -> Callable[[object], str]:
    """How a column's values become CSV fields: dates the Chinese way, text made safe (see
    _safe_text), ID and phone digits kept as text. Made once per column, used for every row."""
    as_date = format_month_cn if label in MONTH_COLUMNS else format_date_cn
    mark = TEXT_MARK if label in TEXT_COLUMNS else ""

    def field(value: object) -> str:
        if value is None:
            return ""
        if type(value) is str:
            text = _safe_text(value) if value else value
        elif isinstance(value, date):
            text = as_date(value)
        else:
            text = _safe_text(str(value))
        if mark and text and text[0] != "'":
            return mark + text
        return text

    return field


def csv_chunks(roster: Roster) -> Iterator[bytes]:
    """The roster's header and rows as CSV in UTF-8 with a BOM (so Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(roster.columns)
    fields = [csv_field(label) for label in roster.columns]
    for n, values in enumerate(roster.rows, start=1):
        writer.writerow([field(v) for field, v in zip(fields, values, strict=True)])
        if n % CSV_BLOCK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(roster: Roster) -> bytes:
    """The whole CSV in memory (small rosters and tests)."""
    return b"".join(csv_chunks(roster))
