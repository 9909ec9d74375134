"""Reading a workbook stays bounded whatever the file holds (merged ranges, long cells)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

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
