"""Write a built roster as xlsx (ready to print on A4) or as CSV; writers only write."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.rosters.builder import MONTH_COLUMNS, TEXT_COLUMNS, Roster
from portal.textutil import format_date_cn, format_month_cn, neutralise_cell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

MONTH_FORMAT = 'yyyy"年"m"月"'
DAY_FORMAT = 'yyyy"年"m"月"d"日"'
TEXT_FORMAT = "@"
FONT_NAME = "宋体"

# Rows of the sheet: title, reporting office, header, then the data.
TITLE_ROW, OFFICE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1

# Widths in Excel character units: a CJK character counts 2.
MIN_WIDTH, MAX_WIDTH = 4, 40
# Columns that wrap onto more lines rather than grow past these widths.
WRAP_WIDTHS: dict[str, int] = {
    "姓名": 14, "主管部门": 20, "工作单位": 20, "毕业院校及专业": 20, "现任专业技术职务": 12,
    "申报专业": 12, "备注": 24,
}  # fmt: skip
WRAP_COLUMNS = frozenset(WRAP_WIDTHS)
LINE_HEIGHT = 13.5  # points per line of 10-point text

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def display_width(text: str) -> int:
    """Width of text in character cells: wide (CJK, full-width) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown(value: object, label: str) -> str:
    """The text a cell shows, for measuring widths and for CSV."""
    if isinstance(value, date):
        return format_month_cn(value) if label in MONTH_COLUMNS else format_date_cn(value)
    return "" if value is None else str(value)


def _widths(roster: Roster) -> list[float]:
    """Column widths that fit the header and the longest value, capped for long text."""
    widths = []
    for i, label in enumerate(roster.columns):
        longest = max(
            [display_width(label)] + [display_width(_shown(r[i], label)) for r in roster.rows]
        )
        if label in MONTH_COLUMNS:
            longest = max(longest, 10)
        cap = WRAP_WIDTHS.get(label, MAX_WIDTH)
        widths.append(max(MIN_WIDTH, min(longest + 2, cap)))
    return widths


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column of this width."""
    usable = max(width - 1.5, 1)
    return max(1, math.ceil(display_width(text) / usable))


def _row_height(values: list[object], columns: tuple[str, ...], widths: list[float]) -> float:
    """A row height that shows every wrapped cell in full (spreadsheets rarely auto-fit)."""
    lines = max(
        (
            _lines(_shown(v, label), w)
            for v, label, w in zip(values, columns, widths, strict=True)
            if label in WRAP_COLUMNS
        ),
        default=1,
    )
    return max(18.0, lines * LINE_HEIGHT + 4)


def _cell_value(value: object, label: str) -> object:
    """The value stored in the sheet: text for ID and phone numbers, neutralised text."""
    if label in TEXT_COLUMNS and value is not None:
        value = str(value)
    return neutralise_cell(value)


def _merge_row(
    ws: Worksheet, row: int, first: int, last: int, value: str, *, font: Font, align: Alignment
) -> None:
    """Write one text into a merged range of a row."""
    cell = ws.cell(row=row, column=first, value=neutralise_cell(value))
    cell.font = font
    cell.alignment = align
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _footer_groups(ncols: int) -> list[tuple[int, int]]:
    """Split the columns into four merged groups for the four footer fields."""
    size = ncols // 4
    bounds = []
    start = 1
    for i in range(4):
        end = ncols if i == 3 else start + size - 1
        bounds.append((start, end))
        start = end + 1
    return bounds


def write_xlsx(roster: Roster) -> bytes:
    """The roster as an xlsx workbook: title, office, header, rows, totals and footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申报人员花名册"
    ncols = len(roster.columns)
    plain = Font(name=FONT_NAME, size=10)
    bold = Font(name=FONT_NAME, size=10, bold=True)
    left = Alignment(horizontal="left", vertical="center")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    _merge_row(
        ws,
        TITLE_ROW,
        1,
        ncols,
        roster.title,
        font=Font(name=FONT_NAME, size=16, bold=True),
        align=Alignment(horizontal="center", vertical="center"),
    )
    ws.row_dimensions[TITLE_ROW].height = 32
    office_text = f"填报单位（主管部门）：{roster.office_name}"
    half = max(ncols // 2, 1)
    _merge_row(ws, OFFICE_ROW, 1, half, office_text, font=plain, align=left)
    _merge_row(
        ws,
        OFFICE_ROW,
        half + 1,
        ncols,
        f"评审工作：{roster.campaign_title}",
        font=plain,
        align=Alignment(horizontal="right", vertical="center"),
    )
    ws.row_dimensions[OFFICE_ROW].height = 20

    for col, label in enumerate(roster.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=label)
        cell.font = bold
        cell.alignment = center
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
    ws.row_dimensions[HEADER_ROW].height = 30

    widths = _widths(roster)
    for r, values in enumerate(roster.rows, start=FIRST_DATA_ROW):
        for col, (label, value) in enumerate(zip(roster.columns, values, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(value, label))
            cell.font = plain
            cell.border = _BORDER
            wrap = label in WRAP_COLUMNS
            cell.alignment = Alignment(
                vertical="center", wrap_text=wrap, horizontal="left" if wrap else "center"
            )
            if label in TEXT_COLUMNS:
                cell.number_format = TEXT_FORMAT
            elif isinstance(value, date):
                cell.number_format = MONTH_FORMAT if label in MONTH_COLUMNS else DAY_FORMAT
        ws.row_dimensions[r].height = _row_height(values, roster.columns, widths)

    totals_row = FIRST_DATA_ROW + len(roster.rows)
    fee_col = roster.column_index("评审费（元）") + 1
    _merge_row(
        ws,
        totals_row,
        1,
        fee_col - 1,
        f"合计：申报人员 {roster.applicants} 人",
        font=bold,
        align=Alignment(horizontal="center", vertical="center"),
    )
    fee_cell = ws.cell(row=totals_row, column=fee_col, value=roster.fees)
    fee_cell.font = bold
    fee_cell.alignment = Alignment(horizontal="center", vertical="center")
    for col in range(1, ncols + 1):
        ws.cell(row=totals_row, column=col).border = _BORDER
    if fee_col < ncols:
        ws.merge_cells(
            start_row=totals_row, start_column=fee_col + 1, end_row=totals_row, end_column=ncols
        )
    ws.row_dimensions[totals_row].height = 22

    footer_row = totals_row + 2
    made_on = format_date_cn(roster.made_on) if roster.made_on else "    年  月  日"
    fields = (
        "填报单位（盖章）：",
        f"填报人：{roster.reporter}",
        "联系电话：",
        f"填报日期：{made_on}",
    )
    for (first, last), text in zip(_footer_groups(ncols), fields, strict=True):
        _merge_row(ws, footer_row, first, last, text, font=plain, align=left)
    ws.row_dimensions[footer_row].height = 28

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _page_setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _page_setup(ws: Worksheet) -> None:
    """Header frozen and repeated, A4 landscape fitted to the page width, page numbers."""
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3)  # 序号 and 姓名 stay in view
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def csv_value(value: object, label: str) -> str:
    """A CSV field: dates the Chinese way, text neutralised."""
    return str(neutralise_cell(_shown(value, label)))


def write_csv(roster: Roster) -> bytes:
    """The roster's header and rows as CSV, UTF-8 with a BOM so Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(roster.columns)
    for values in roster.rows:
        writer.writerow(
            [csv_value(v, label) for label, v in zip(roster.columns, values, strict=True)]
        )
    return out.getvalue().encode("utf-8-sig")
