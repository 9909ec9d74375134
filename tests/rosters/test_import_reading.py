"""Reading a workbook stays bounded whatever the file holds (merged ranges, long cells)."""

from __future__ import annotations

import contextlib
import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import date

import pytest
from openpyxl import Workbook

from portal.applications.idcard import make_id
from portal.rosters import reading

SHEET = "xl/worksheets/sheet1.xml"


class CountingList(list):
    """A row's values that count how often a cell is read or written."""

    touched = 0

    def __getitem__(self, i):
        CountingList.touched += 1
        return super().__getitem__(i)

    def __setitem__(self, i, v):
        CountingList.touched += 1
        super().__setitem__(i, v)


def test_overlapping_merged_ranges_fill_no_more_than_a_row_of_cells():
    # Ranges of a real workbook never overlap; a crafted file's 5,000 ranges over the same
    # cells must not make every row cost 5,000 × 200 cell writes.
    ranges = [(1, 1, 200, 20_000)] * reading.MAX_MERGES
    merges = reading._Merges(ranges, max_columns=reading.MAX_COLUMNS)
    merges.fill(1, CountingList(["合并"] + [None] * 199))
    CountingList.touched = 0
    row = merges.fill(2, CountingList([None] * 200))
    assert row[0] == "合并" and row[199] == "合并"
    assert CountingList.touched <= 3 * reading.MAX_COLUMNS


def test_a_long_cell_is_not_taken_apart_as_a_header():
    assert reading.known("身份证号" + "（备注）" * 10_000) is None
    assert reading.known("身份证号（18位）（必填）") is not None


def test_merged_ranges_are_read_from_the_sheets_xml():
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    ws.append(["姓名", "身份证号", "工作单位"])
    for n in range(3):
        unit = "若羌县文化馆" if n == 0 else None
        ws.append([f"张{'甲乙丙'[n]}", make_id("652824", date(1980 + n, 1, 2), 3, "男"), unit])
    ws.merge_cells("A1:C1")
    ws.merge_cells("C3:C5")
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<mergeCell " in archive.read(SHEET)
    book = reading.read_workbook(data)
    assert [values[2] for _, values in book.sheets[0].rows] == ["若羌县文化馆"] * 3


# ------------------------------------------------------------------ size and row bounds


def with_sheet(xml: str, *, sheets: int = 1, extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook of `sheets` sheets, each sheet's XML replaced by `xml` (parts added)."""
    wb = Workbook()
    for n in range(1, sheets):
        wb.create_sheet(f"第{n + 1}页")
    base = io.BytesIO()
    wb.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(base) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            is_sheet = item.filename.startswith("xl/worksheets/sheet")
            dst.writestr(item.filename, xml if is_sheet else src.read(item.filename))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = f'<row r="1">{_cell("A1", "姓名")}{_cell("B1", "身份证号")}</row>'


def applicants(n: int, start: int = 2) -> str:
    """n rows of a name and an ID number (the same one: reading does not check it)."""
    id_number = make_id("652824", date(1985, 3, 9), 1, "男")
    return "".join(
        f'<row r="{r}">{_cell(f"A{r}", "张伟")}{_cell(f"B{r}", id_number)}</row>'
        for r in range(start, start + n)
    )


@contextlib.contextmanager
def traced() -> Iterator[list[int]]:
    """Trace allocations in the block; the list holds the peak in bytes afterwards."""
    peak = [0]
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_a_million_row_sheet_is_refused_at_the_row_limit_quickly_and_small():
    """Rows of one number each, without 'r' attributes: a few MB zipped."""
    data = with_sheet(sheet_xml(HEADER_ROW + "<row><c><v>1</v></c></row>" * 1_000_000))
    assert len(data) < 20 * 1024 * 1024
    started = time.perf_counter()
    with traced() as peak, pytest.raises(reading.RosterFileError, match="一次最多导入5000人"):
        reading.read_workbook(data)
    seconds = time.perf_counter() - started
    print(f"million-row sheet refused in {seconds:.2f} s, peak {peak[0] / 1e6:.0f} MB")
    assert peak[0] < 200 * 1024 * 1024
    # Blank rows count too: a million of them is refused as a padded sheet.
    blank = with_sheet(sheet_xml(HEADER_ROW + "<row><c/></row>" * 1_000_000))
    with pytest.raises(reading.RosterFileError, match=f"超过{reading.MAX_READ_ROWS}行"):
        reading.read_workbook(blank)


def test_a_row_far_below_the_table_is_refused_without_reading_the_gap():
    far = f'<row r="1048576">{_cell("A1048576", "x")}</row>'
    data = with_sheet(sheet_xml(HEADER_ROW + applicants(2) + far))
    started = time.perf_counter()
    with pytest.raises(reading.RosterFileError, match="请删除多余的空行"):
        reading.read_workbook(data)
    assert time.perf_counter() - started < 10


def test_more_applicants_than_the_limit_are_refused_counting_every_sheet():
    limit = reading.MAX_ROWS
    exactly = reading.read_workbook(
        with_sheet(sheet_xml(HEADER_ROW + applicants(limit // 2)), sheets=2)
    )
    assert [len(s.rows) for s in exactly.sheets] == [limit // 2] * 2
    # Half the limit and one more on each of two sheets goes over.
    with pytest.raises(reading.RosterFileError, match=f"一次最多导入{limit}人"):
        reading.read_workbook(
            with_sheet(sheet_xml(HEADER_ROW + applicants(limit // 2 + 1)), sheets=2)
        )


def test_a_declared_size_beyond_any_roster_reads_only_the_cells_there_are():
    # Old files and stray formatting declare A1:XFD1048576; rows are not padded to it.
    data = with_sheet(sheet_xml(HEADER_ROW + applicants(3), dimension="A1:XFD1048576"))
    with traced() as peak:
        book = reading.read_workbook(data)
    assert len(book.sheets[0].rows) == 3
    assert all(len(values) <= reading.MAX_COLUMNS for _, values in book.sheets[0].rows)
    assert peak[0] < 10 * 1024 * 1024


def test_a_zip_bomb_is_refused_by_its_unpacked_size():
    bomb = b"\0" * (60 * 1024 * 1024)  # deflates to about 60 KB
    data = with_sheet(sheet_xml(HEADER_ROW + applicants(1)), extra={"xl/media/bomb.bin": bomb})
    assert len(data) < 1024 * 1024
    with pytest.raises(reading.RosterFileError, match="解压后约"):
        reading.read_workbook(data)


@pytest.mark.parametrize(
    "xml", ["<worksheet><sheetData><row", "<worksheet><sheetData><row r='x'/></sheetData>"]
)
def test_a_sheet_of_broken_xml_is_refused_as_an_unreadable_file(xml):
    with pytest.raises(reading.RosterFileError, match="无法读取该文件"):
        reading.read_workbook(with_sheet(xml))


def test_a_sheet_that_declares_its_size_as_one_cell_is_read_whole():
    # Some programs write <dimension ref="A1"/>; read-only openpyxl would then read one cell.
    rows = applicants(3) + f'<row r="5">{_cell("A5", "注：本表一式两份")}</row>'
    book = reading.read_workbook(with_sheet(sheet_xml(HEADER_ROW + rows, dimension="A1")))
    sheet = book.sheets[0]
    assert [c.label for c in sheet.columns] == ["A列“姓名”", "B列“身份证号”"]
    assert [(r, values[0]) for r, values in sheet.rows] == [(2, "张伟"), (3, "张伟"), (4, "张伟")]
    assert [(s.row, s.reason) for s in sheet.skipped] == [(5, "表尾的落款或说明")]
