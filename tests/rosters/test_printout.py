"""The roster as an office opens it: the xlsx printed by LibreOffice, the CSV opened in it.

Issue 14: a printout of the roster had its glyphs shrunk to about 5 pt, and a CSV opened in a
spreadsheet turned 18-digit ID numbers into 6.52827199403272e+17.
"""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from portal.rosters.builder import ALL
from portal.rosters.writers import LAYOUTS, csv_bytes, print_columns, xlsx_bytes
from tests.factories import make_unit
from tests.libreoffice import convert, pdf_pages, require_libreoffice
from tests.rosters.helpers import built_roster, full_application

PARTY = "bz-partyschool-2023"
# Paper sizes in points, landscape.
SIZES = {"a4": (841.9, 595.3), "a3": (1190.6, 841.9)}
NAMES = ("阿不都热合曼·阿不都热西提", "李海燕", "古丽娜尔·吐尔逊", "马福军", "王建军")
# A name stored before names were checked, or typed into the database: still a text cell.
FORMULA = "=HYPERLINK(1)"


@pytest.fixture
def widest(world, db):
    """The widest roster: every office (主管部门), drafts among the sent (状态), long names."""
    require_libreoffice()
    c = world.campaigns[PARTY]
    long_unit = make_unit(world.office_a, "若羌县文化体育广播电视和旅游局文化市场综合执法大队")
    for i in range(36):
        unit, office = (long_unit, world.office_a) if i % 3 else (world.unit_b, world.office_b)
        app = full_application(
            office,
            unit,
            c,
            name=NAMES[i % len(NAMES)],
            seq=i + 1,
            level="junior" if i % 4 == 0 else "intermediate",
            birth=date(1960 + i, 1 + i % 12, 1 + i % 27),
            phone="0996-7102311" if i % 2 else "13912345678",
        )
        app.status = ("recommended", "reported", "draft", "in_publicity")[i % 4]
        if i % len(NAMES) == len(NAMES) - 1:
            app.name = FORMULA
    db.session.commit()
    return built_roster(c, status=ALL, reporter="阿依努尔", made_on=date(2023, 10, 20))


@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_the_printed_roster_is_legible(widest, tmp_path, paper):
    source = tmp_path / f"roster-{paper}.xlsx"
    source.write_bytes(xlsx_bytes(widest, paper=paper))
    pages = pdf_pages(convert(source, "pdf"))
    width, height = SIZES[paper]
    assert all(abs(p.width - width) < 2 and abs(p.height - height) < 2 for p in pages)
    assert len(pages) > 1
    words = [w for p in pages for w in p.words]
    sizes = [w.em for w in words if w.em is not None]
    assert len(sizes) > 500
    # Body text at least 8 pt: a CJK character is one em wide, so its width is its size.
    assert min(sizes) >= 8, sorted(sizes)[:5]
    assert min(w.height for w in words) >= 8
    # The header is repeated on every page, and the printed columns are those chosen.
    printed, _extra = print_columns(widest.columns, paper)
    texts = [w.text for w in words]
    assert texts.count("身份证号") == len(pages)
    for label in printed:
        for line in LAYOUTS[label].header.split("\n"):
            assert line in texts, label
    # Every ID number prints whole on one line, and the neutralised formula as text.
    id_at = widest.column_index("身份证号")
    for row in widest.rows:
        assert row[id_at] in texts
    assert any(t.startswith("'=HYPERLI") for t in texts)  # wrapped in the narrow name column
    assert "合计：申报人员" in " ".join(texts)


def test_a_csv_opened_in_libreoffice_keeps_every_id_digit(widest, tmp_path):
    source = tmp_path / "roster.csv"
    source.write_bytes(csv_bytes(widest))
    # As the import dialog opens it by default: comma, double quote, UTF-8, from the first row.
    sheet = load_workbook(convert(source, "xlsx", infilter="CSV:44,34,76,1")).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    id_at, phone_at, name_at = (header.index(c) for c in ("身份证号", "联系电话", "姓名"))
    assert len(rows) == len(widest.rows)
    for cells, row in zip(rows, widest.rows, strict=True):
        id_cell, phone_cell = cells[id_at], cells[phone_at]
        assert id_cell.data_type == "s" and id_cell.value.strip() == row[id_at]
        assert phone_cell.data_type == "s" and phone_cell.value.strip() == row[phone_at]
        assert cells[name_at].data_type == "s"  # a formula-like name stays text
    assert "'" + FORMULA in {r[name_at].value for r in rows}
    # Without the text mark the same file loses the digits: what the mark is for.
    plain = tmp_path / "plain.csv"
    plain.write_bytes(csv_bytes(widest).replace(b"\t", b""))
    sheet = load_workbook(convert(plain, "xlsx", infilter="CSV:44,34,76,1")).worksheets[0]
    numbers = [r[id_at].value for r in sheet.iter_rows(min_row=2)]
    assert any(isinstance(v, float) for v in numbers)
