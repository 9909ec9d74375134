"""The roster builder and its xlsx and CSV writers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.rosters import writers
from portal.rosters.builder import (
    ALL,
    COLUMNS,
    OFFICE_COLUMN,
    SENT,
    STATUS_COLUMN,
    UNSENT_REMARK,
    RosterFilters,
    make_roster,
    roster_statement,
)
from portal.rosters.writers import (
    DAY_FORMAT,
    LAYOUTS,
    MONTH_FORMAT,
    PAPERS,
    TEXT_MARK,
    column_budget,
    csv_bytes,
    print_columns,
    xlsx_bytes,
)
from tests.factories import make_unit
from tests.rosters.helpers import built_roster, full_application

PARTY = "bz-partyschool-2023"


@pytest.fixture
def roster_apps(world, db):
    """Three recommended party-school applications in office A, one in office B."""
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
    for app in apps:
        app.status = "recommended"
    db.session.commit()
    return apps


def roster_for(world, office=None, *, status=SENT, **kw):
    return built_roster(world.campaigns[PARTY], office, status=status, **kw)


def by_label(roster, row) -> dict:
    return dict(zip(roster.columns, row, strict=True))


def test_title_columns_and_typed_rows(world, roster_apps):
    roster = roster_for(world, world.office_a)
    assert roster.title == "2023年度党干校教师系列职称评审申报人员花名册"
    assert roster.columns == COLUMNS
    assert roster.columns[:3] == ("序号", "姓名", "性别") and roster.columns[-1] == "备注"
    assert [r[0] for r in roster.rows] == [1, 2, 3]
    row = by_label(roster, roster.rows[0])
    assert row["姓名"] == "李海燕"  # junior comes before intermediate
    assert row["出生年月"] == date(1994, 3, 27)
    assert row["申报级别"] == "初级" and row["申报类型"] == "评审"
    assert row["评审费（元）"] == 220
    assert row["学历"] == "大学本科" and row["毕业院校及专业"] == "新疆大学 汉语言文学"
    assert row["现任专业技术职务"] == "无" and row["取得时间"] is None
    assert row["免于答辩"] == "是" and row["备注"] == "免于答辩：在若羌县工作"
    second = by_label(roster, roster.rows[1])
    assert second["免于答辩"] == "是" and second["备注"] == "免于答辩：在若羌县工作"
    assert second["取得时间"] == date(2017, 9, 1)
    assert roster.applicants == 3 and roster.fees == 220 + 380 + 380
    assert sum(by_label(roster, r)["评审费（元）"] for r in roster.rows) == roster.fees


def test_defense_is_required_outside_the_exempt_counties(world, roster_apps, db):
    row = by_label(roster_for(world, world.office_b), roster_for(world, world.office_b).rows[0])
    assert row["免于答辩"] == "否" and row["备注"] == ""
    # 002 六（二）: junior applicants are exempt wherever they work.
    app = full_application(
        world.office_b, world.unit_b, world.campaigns[PARTY], name="王建军", seq=5, level="junior"
    )
    app.status = "reported"
    db.session.commit()
    roster = roster_for(world, world.office_b)
    row = by_label(roster, roster.rows[0])
    assert row["姓名"] == "王建军" and row["免于答辩"] == "是"
    assert row["备注"] == "免于答辩：申报初级专业技术职务任职资格"


def _statements(db, work) -> list[str]:
    statements: list[str] = []

    def count(*args, **kwargs):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_a_roster_reads_in_three_statements_whatever_its_length(world, roster_apps, db):
    campaign = world.campaigns[PARTY]

    def export() -> None:
        roster = make_roster(
            roster_statement(campaign, RosterFilters(office_id=world.office_a.id)),
            campaign,
            "x",
        )
        xlsx_bytes(roster)

    def loaded() -> bool:  # what the caller holds before the roster is read
        db.session.expire_all()
        return bool(campaign.definition and campaign.title and world.office_a.id)

    assert loaded()
    small = _statements(db, export)
    for seq in range(10, 30):
        app = full_application(world.office_a, world.unit_a, campaign, name="张丽娟", seq=seq)
        app.status = "reported"
    db.session.commit()
    assert loaded()
    large = _statements(db, export)
    # The totals (from the roster index alone), the office names, then every row.
    assert len(small) == len(large) == 3, large
    assert "GROUP BY" in large[0] and " JOIN " not in large[0]
    assert "FROM office" in large[1]
    # Only the sections the columns read are joined, never the other eight.
    assert large[2].count("application_section") == 3


def test_the_default_roster_leaves_out_what_is_not_sent(world, roster_apps, db):
    draft = full_application(
        world.office_a, world.unit_a, world.campaigns[PARTY], name="草稿人", seq=8
    )
    draft.status = "draft"
    roster_apps[2].status = "in_publicity"
    db.session.commit()
    sent = roster_for(world, world.office_a)
    assert {by_label(sent, r)["姓名"] for r in sent.rows} == {"买买提·艾力", "李海燕"}
    assert STATUS_COLUMN not in sent.columns and sent.unsent == 0
    assert sent.fees == 380 + 220

    everyone = roster_for(world, world.office_a, status=ALL)
    assert everyone.applicants == 4 and everyone.unsent == 2
    assert everyone.columns.index(STATUS_COLUMN) == everyone.columns.index("备注") - 1
    rows = {by_label(everyone, r)["姓名"]: by_label(everyone, r) for r in everyone.rows}
    assert rows["草稿人"]["状态"] == "草稿" and rows["马福军"]["状态"] == "公示中"
    assert rows["买买提·艾力"]["状态"] == "已推荐"
    # Fees only for what is sent, and the row says why it has none.
    assert rows["草稿人"]["评审费（元）"] is None and UNSENT_REMARK in rows["草稿人"]["备注"]
    assert everyone.fees == 380 + 220
    ws = load_workbook(io.BytesIO(xlsx_bytes(everyone))).worksheets[0]
    totals = next(r for r in ws.iter_rows(values_only=True) if str(r[0]).startswith("合计"))
    header = [c.value for c in ws[3]]
    assert totals[0] == "合计：申报人员 4 人"
    assert totals[header.index("评审费\n（元）")] == 600
    assert "其中2人未推荐，未计评审费" in totals


def test_the_xlsx_layout_prints_on_a4_landscape(world, roster_apps):
    roster = roster_for(world, world.office_a, reporter="阿依努尔", made_on=date(2023, 10, 20))
    ws = load_workbook(io.BytesIO(xlsx_bytes(roster))).worksheets[0]
    printed, extra = print_columns(roster.columns, "a4")
    assert ws["A1"].value == "2023年度党干校教师系列职称评审申报人员花名册"
    last = ws.cell(row=3, column=len(printed)).column_letter
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位（主管部门）：若羌县文化体育广播电视和旅游局"
    # Every column is in the file: the printed ones first, short headers on two lines.
    header = [c.value for c in ws[3]]
    assert [h.replace("\n", "") for h in header] == printed + extra
    assert sorted(printed + extra) == sorted(COLUMNS) and extra
    assert "出生\n年月" in header and "评审费\n（元）" in header
    assert ws.freeze_panes == "C4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.print_area == f"'申报人员花名册'!$A$1:${last}$9"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == PAPERS["a4"].size
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    fee_col = printed.index("评审费（元）")
    totals = [c.value for c in ws[7]]
    assert totals[0] == "合计：申报人员 3 人" and totals[fee_col] == 980
    footer = [c.value for c in ws[9] if c.value]
    assert footer == [
        "填报单位（盖章）：",
        "填报人：阿依努尔",
        "联系电话：",
        "填报日期：2023年10月20日",
    ]
    widths = [ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width for i in (1, 2)]
    assert widths == [LAYOUTS["序号"].width, LAYOUTS["姓名"].width]
    # A long name wraps onto more lines in a taller row rather than widening its column.
    assert ws.cell(row=4, column=2).alignment.wrap_text


def test_a3_prints_every_column_and_a4_the_ones_a_printout_needs(world, roster_apps, db):
    roster_apps[0].status = "draft"  # the widest roster: every office, with 状态
    db.session.commit()
    for columns in (COLUMNS, roster_for(world, status=ALL).columns):
        printed, extra = print_columns(columns, "a3")
        assert extra == [] and printed == list(columns)
        printed, extra = print_columns(columns, "a4")
        must = {"序号", "姓名", "性别", "身份证号", "工作单位", "申报系列", "申报专业", "申报级别"}
        assert must | {"评审费（元）", "免于答辩", "备注"} <= set(printed)
        assert sum(LAYOUTS[c].width for c in printed) <= column_budget("a4")
    roster = roster_for(world, status=ALL)
    assert {OFFICE_COLUMN, STATUS_COLUMN} <= set(print_columns(roster.columns, "a4")[0])


def test_id_numbers_are_text_and_dates_are_dates(world, roster_apps):
    roster = roster_for(world, world.office_a)
    ws = load_workbook(io.BytesIO(xlsx_bytes(roster))).worksheets[0]
    header = [c.value.replace("\n", "") for c in ws[3]]
    id_col = header.index("身份证号") + 1
    birth_col = header.index("出生年月") + 1
    for r in range(4, 7):
        cell = ws.cell(row=r, column=id_col)
        assert cell.data_type == "s" and cell.number_format == "@"
        assert isinstance(cell.value, str) and len(cell.value) == 18
        birth = ws.cell(row=r, column=birth_col)
        assert isinstance(birth.value, datetime) and birth.number_format == MONTH_FORMAT
    assert ws.cell(row=4, column=id_col).value == roster.rows[0][COLUMNS.index("身份证号")]
    assert DAY_FORMAT == 'yyyy"年"m"月"d"日"'


def test_a_formula_like_name_is_neutralised(world, roster_apps, db):
    app = roster_apps[0]
    app.name = "=1+1"
    db.session.commit()
    roster = roster_for(world, world.office_a)
    ws = load_workbook(io.BytesIO(xlsx_bytes(roster))).worksheets[0]
    names = [ws.cell(row=r, column=2) for r in range(4, 7)]
    cell = next(c for c in names if "1+1" in c.value)
    assert cell.value == "'=1+1" and cell.data_type == "s"
    text = csv_bytes(roster).decode("utf-8-sig")
    assert "'=1+1" in text and ",=1+1" not in text


def test_csv_has_a_bom_the_same_rows_and_text_marked_digits(world, roster_apps, db):
    roster_apps[0].id_number = "=cmd|' /C calc'!A0"  # even an ID column is neutralised
    db.session.commit()
    roster = roster_for(world, world.office_a)
    data = csv_bytes(roster)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + roster.applicants
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["出生年月"] == "1994年3月"
    assert first["身份证号"] == TEXT_MARK + roster.rows[0][6]
    assert first["联系电话"] == TEXT_MARK + "13912345678"
    ids = [dict(zip(rows[0], r, strict=True))["身份证号"] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in ids  # neutralised, and no tab before the quote


def test_a_roster_of_all_offices_names_the_office(world, roster_apps):
    roster = roster_for(world)
    assert OFFICE_COLUMN in roster.columns
    assert roster.columns.index(OFFICE_COLUMN) == roster.columns.index("工作单位") - 1
    offices = {r[roster.column_index(OFFICE_COLUMN)] for r in roster.rows}
    assert offices == {"若羌县文化体育广播电视和旅游局", "和静县水利局"}
    assert [c.office for c in roster.counts] == [
        "和静县水利局",
        "若羌县文化体育广播电视和旅游局",
        "若羌县文化体育广播电视和旅游局",
    ]
    assert [(c.level, c.applicants, c.fees) for c in roster.counts] == [
        ("中级", 1, 380),
        ("初级", 1, 220),
        ("中级", 2, 760),
    ]


def test_a_campaign_with_several_series_names_those_present(world, db):
    campaign = world.campaigns["bz-culture-2021"]
    unit = make_unit(world.office_a, "若羌县图书馆")
    full_application(world.office_a, unit, campaign, name="张丽娟", seq=7).status = "reported"
    db.session.commit()
    roster = built_roster(campaign)
    assert roster.title == "2021年度文化系列职称评审申报人员花名册"
    row = by_label(roster, roster.rows[0])
    # 000 sets no fee for evaluating intermediate titles: shown blank, with a remark.
    assert row["评审费（元）"] is None and "通知未列明此类评审费" in row["备注"]


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_rows_of_cells_go_straight_to_the_sheet_and_write_the_same_file(
    world, roster_apps, db, monkeypatch
):
    # Text a clerk's data may hold: a control character, a formula, a leading space, lines.
    roster_apps[0].name = "买买提\x07·艾力"
    roster_apps[1].name = "@SUM(A1)"
    roster_apps[2].name = " =1+1"
    roster_apps[2].unit.name = "若羌县瓦石峡镇综合文化站\n第二行的很长很长的单位名称"
    db.session.commit()
    for paper in PAPERS:
        direct = xlsx_bytes(roster_for(world, status=ALL), paper=paper)
        # openpyxl's public path: every item of a row tried as a value first.
        with monkeypatch.context() as m:
            m.setattr(writers, "_append_cells_directly", lambda ws: None)
            public = xlsx_bytes(roster_for(world, status=ALL), paper=paper)
        assert _sheet_xml(direct) == _sheet_xml(public)
    ws = load_workbook(io.BytesIO(direct)).worksheets[0]
    names = {ws.cell(row=r, column=2).value for r in range(4, 8)}
    assert {"买买提·艾力", "'@SUM(A1)", "' =1+1"} <= names
    heights = {ws.row_dimensions[r].height for r in range(4, 8)}
    assert len(heights) > 1  # rows of several lines are taller, each its own height
