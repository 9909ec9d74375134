"""The roster builder and its xlsx and CSV writers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.rosters.builder import (
    COLUMNS,
    OFFICE_COLUMN,
    RosterFilters,
    build_roster,
    load_applications,
    roster_statement,
)
from portal.rosters.writers import DAY_FORMAT, MONTH_FORMAT, display_width, write_csv, write_xlsx
from tests.factories import make_unit
from tests.rosters.helpers import full_application

PARTY = "bz-partyschool-2023"


@pytest.fixture
def roster_apps(world, db):
    """Three party-school applications in office A, one in office B."""
    c = world.campaigns[PARTY]
    apps = [
        full_application(world.office_a, world.unit_a, c, name="买买提·艾力", seq=1),
        full_application(
            world.office_a,
            world.unit_a,
            c,
            name="李海燕",
            seq=2,
            level="junior",
            gender="女",
            ethnicity="汉族",
            birth=date(1994, 3, 27),
        ),
        full_application(
            world.office_a,
            world.unit_a,
            c,
            name="马福军",
            seq=3,
            kind="conferment",
            ethnicity="回族",
            birth=date(1983, 8, 14),
        ),
        full_application(
            world.office_b,
            world.unit_b,
            c,
            name="其木格",
            seq=4,
            gender="女",
            ethnicity="蒙古族",
            birth=date(1992, 7, 19),
        ),
    ]
    db.session.commit()
    return apps


def roster_for(world, office=None, **kw):
    campaign = world.campaigns[PARTY]
    filters = RosterFilters(office_id=office.id if office else None)
    apps = load_applications(roster_statement(campaign, filters))
    return build_roster(
        apps, campaign, office.name if office else "全部主管部门", with_office=office is None, **kw
    )


def test_title_columns_and_typed_rows(world, roster_apps):
    roster = roster_for(world, world.office_a)
    assert roster.title == "2023年度党干校教师系列职称评审申报人员花名册"
    assert roster.columns == COLUMNS
    assert roster.columns[:3] == ("序号", "姓名", "性别") and roster.columns[-1] == "备注"
    assert [r[0] for r in roster.rows] == [1, 2, 3]
    row = dict(zip(roster.columns, roster.rows[0], strict=True))
    assert row["姓名"] == "李海燕"  # junior comes before intermediate
    assert row["出生年月"] == date(1994, 3, 27)
    assert row["申报级别"] == "初级" and row["申报类型"] == "评审"
    assert row["评审费（元）"] == 220
    assert row["学历"] == "大学本科" and row["毕业院校及专业"] == "新疆大学 汉语言文学"
    assert row["现任专业技术职务"] == "无" and row["取得时间"] is None
    assert row["免于答辩"] == "是" and row["备注"] == "免于答辩：在若羌县工作"
    second = dict(zip(roster.columns, roster.rows[1], strict=True))
    assert second["免于答辩"] == "是" and second["备注"] == "免于答辩：在若羌县工作"
    assert second["取得时间"] == date(2017, 9, 1)
    assert roster.applicants == 3 and roster.fees == 220 + 380 + 380


def test_defense_is_required_outside_the_exempt_counties(world, roster_apps, db):
    row = dict(zip(COLUMNS, roster_for(world, world.office_b).rows[0], strict=True))
    assert row["免于答辩"] == "否" and row["备注"] == ""
    # 002 六（二）: junior applicants are exempt wherever they work.
    full_application(
        world.office_b, world.unit_b, world.campaigns[PARTY], name="王建军", seq=5, level="junior"
    )
    db.session.commit()
    row = dict(zip(COLUMNS, roster_for(world, world.office_b).rows[0], strict=True))
    assert row["姓名"] == "王建军" and row["免于答辩"] == "是"
    assert row["备注"] == "免于答辩：申报初级专业技术职务任职资格"


def test_sections_are_loaded_in_a_fixed_number_of_queries(world, roster_apps, db):
    campaign = world.campaigns[PARTY]
    for seq in range(10, 20):
        full_application(world.office_a, world.unit_a, campaign, name="张丽娟", seq=seq)
    db.session.commit()
    db.session.expire_all()
    assert world.office_a.name and world.campaigns[PARTY].title  # loaded before counting
    statements: list[str] = []

    def count(*args, **kwargs):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        roster = roster_for(world, world.office_a)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert roster.applicants == 13
    assert len(statements) == 2, statements  # applications, then all their sections


def test_the_xlsx_layout_prints_on_a4_landscape(world, roster_apps):
    roster = roster_for(world, world.office_a, reporter="阿依努尔", made_on=date(2023, 10, 20))
    ws = load_workbook(io.BytesIO(write_xlsx(roster))).worksheets[0]
    assert ws["A1"].value == "2023年度党干校教师系列职称评审申报人员花名册"
    assert "A1:U1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位（主管部门）：若羌县文化体育广播电视和旅游局"
    assert [c.value for c in ws[3]] == list(COLUMNS)
    assert ws.freeze_panes == "C4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    totals = [c.value for c in ws[7]]
    assert totals[0] == "合计：申报人员 3 人" and totals[COLUMNS.index("评审费（元）")] == 980
    footer = [c.value for c in ws[9] if c.value]
    assert footer == [
        "填报单位（盖章）：",
        "填报人：阿依努尔",
        "联系电话：",
        "填报日期：2023年10月20日",
    ]
    # Widths fit the CJK text: the ID column holds 18 characters, the unit name is wide.
    id_col = ws.column_dimensions["G"].width
    assert id_col >= 20
    assert ws.column_dimensions["H"].width >= display_width("若羌县文化馆")


def test_id_numbers_are_text_and_dates_are_dates(world, roster_apps):
    roster = roster_for(world, world.office_a)
    ws = load_workbook(io.BytesIO(write_xlsx(roster))).worksheets[0]
    id_col = COLUMNS.index("身份证号") + 1
    birth_col = COLUMNS.index("出生年月") + 1
    for r in range(4, 7):
        cell = ws.cell(row=r, column=id_col)
        assert cell.data_type == "s" and cell.number_format == "@"
        assert isinstance(cell.value, str) and len(cell.value) == 18
        birth = ws.cell(row=r, column=birth_col)
        assert isinstance(birth.value, datetime) and birth.number_format == MONTH_FORMAT
    assert ws.cell(row=4, column=id_col).value == roster.rows[0][id_col - 1]
    assert DAY_FORMAT == 'yyyy"年"m"月"d"日"'


def test_a_formula_like_name_is_neutralised(world, roster_apps, db):
    app = roster_apps[0]
    app.name = "=1+1"
    db.session.commit()
    roster = roster_for(world, world.office_a)
    ws = load_workbook(io.BytesIO(write_xlsx(roster))).worksheets[0]
    names = [ws.cell(row=r, column=2) for r in range(4, 7)]
    cell = next(c for c in names if "1+1" in c.value)
    assert cell.value == "'=1+1" and cell.data_type == "s"
    text = write_csv(roster).decode("utf-8-sig")
    assert "'=1+1" in text and ",=1+1" not in text


def test_csv_has_a_bom_and_the_same_rows(world, roster_apps):
    roster = roster_for(world, world.office_a)
    data = write_csv(roster)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + roster.applicants
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["出生年月"] == "1994年3月" and first["身份证号"] == roster.rows[0][6]


def test_a_roster_of_all_offices_names_the_office(world, roster_apps):
    roster = roster_for(world)
    assert OFFICE_COLUMN in roster.columns
    assert roster.columns.index(OFFICE_COLUMN) == roster.columns.index("工作单位") - 1
    offices = {r[roster.column_index(OFFICE_COLUMN)] for r in roster.rows}
    assert offices == {"若羌县文化体育广播电视和旅游局", "和静县水利局"}


def test_a_campaign_with_several_series_names_those_present(world, db):
    campaign = world.campaigns["bz-culture-2021"]
    unit = make_unit(world.office_a, "若羌县图书馆")
    full_application(world.office_a, unit, campaign, name="张丽娟", seq=7)
    db.session.commit()
    apps = load_applications(roster_statement(campaign, RosterFilters()))
    roster = build_roster(apps, campaign, "x")
    assert roster.title == "2021年度文化系列职称评审申报人员花名册"
    row = dict(zip(roster.columns, roster.rows[0], strict=True))
    # 000 sets no fee for evaluating intermediate titles: shown blank, with a remark.
    assert row["评审费（元）"] is None and "通知未列明此类评审费" in row["备注"]
