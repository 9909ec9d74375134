"""Rosters as units really send them (issue 14): every column read or listed, nothing dropped."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from portal import vocabulary
from portal.applications.idcard import make_id
from portal.applications.models import Application
from portal.extensions import db
from portal.rosters import importer, reading
from portal.rosters.builder import COLUMNS, NONE, OFFICE_COLUMN
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS
from tests.conftest import csrf_token
from tests.factories import make_unit
from tests.rosters.helpers import full_application
from tests.rosters.unit_files import PEOPLE, save, unit_roster

PARTY = "bz-partyschool-2023"


def test_a_unit_file_lands_every_value_in_its_field_and_lists_the_columns_not_used(world, db):
    campaign = world.campaigns[PARTY]
    result = importer.dry_run(unit_roster(), campaign, world.office_a)
    assert result.ok, result.messages()
    assert [s.name for s in result.sheets] == ["花名册"]
    assert result.ignored_sheets == ["工作表“填表说明”中没有花名册表头，未读取"]
    assert [r.row for r in result.rows] == [4, 5, 7, 8]
    assert result.unused_columns() == [
        "Q列“籍贯”：系统不认识这个表头，该列未导入；如是花名册的某一项，请把表头改为花名册模板的名称",
        "R列“是否在编”：系统不认识这个表头，该列未导入；如是花名册的某一项，请把表头改为花名册模板的名称",
    ]
    assert result.computed_columns() == ["A列“序号”", "S列“备注”"]
    assert result.skipped_rows() == [
        "第9行（合计 4人）：合计行，未导入",
        "第10行（填报人：张三 审核人：李四）：表尾的落款或说明，未导入",
    ]
    assert result.absent_fields() == ["申报专业", "申报类型"]
    assert [str(n) for n in result.notes] == [
        "第4行E列“民族”：“维族”按“维吾尔族”导入",
        "第5行G列“政治面貌”：“团员”按“共青团员”导入",
        "第5行K列“学历”：“大专”按“大学专科”导入",
    ]

    importer.apply(result, campaign, world.office_a, world.clerk_a)
    db.session.commit()
    assert (result.created, result.updated) == (4, 0)
    for n, person in enumerate(PEOPLE):
        name, birth, gender, eth, pol, title, edu, school, _cells, (start, obtained) = person
        app = db.session.scalar(sa.select(Application).where(Application.name == name))
        basic = app.section_data("basic")
        assert app.id_number == make_id("652824", birth, 10 + n, gender)
        assert (basic["gender"], basic["ethnicity"], basic["political_status"]) == (
            gender,
            eth,
            pol,
        )
        assert (basic["birth_date"], basic["work_start"]) == (birth.isoformat(), start)
        assert basic["phone"] == f"1391234567{n}"
        assert app.unit_id == world.unit_a.id and app.kind == "evaluation"
        assert app.level == ("junior" if n == 1 else "intermediate")
        highest = app.section_data("education")["rows"][-1]
        assert (highest["level"], f"{highest['school']} {highest['major']}") == (edu, school)
        qualification = app.section_data("qualification")
        assert (qualification["title"], qualification["obtained_on"]) == (title, obtained)


def test_the_unit_file_in_the_preview_lists_unused_columns_before_anything_is_saved(
    app, client, auth, world
):
    auth.login()
    resp = client.post(
        "/rosters/import",
        data={
            "csrf_token": csrf_token(client, "/rosters/import"),
            "campaign": world.campaigns[PARTY].id,
            "file": (io.BytesIO(unit_roster()), "若羌县文化馆.xlsx"),
        },
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "文件中有 2 列没有导入" in html and "Q列“籍贯”" in html and "R列“是否在编”" in html
    assert "第9行（合计 4人）：合计行，未导入" in html
    assert html.index("Q列“籍贯”") < html.index("确认导入")
    assert "H</td><td>现专业技术职务</td>" in html.replace("\n", "").replace("        ", "")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def _one_row(header: list[str], row: list[object]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(row)
    return save(wb)


MINIMAL = {
    "姓名": "张伟", "民族": "汉族", "政治面貌": "群众", "工作单位": "若羌县文化馆",
    "参加工作时间": "1990.01", "申报系列": "党干校教师系列", "申报级别": "初级",
    "联系电话": "13912345678",
}  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("身份证", "身份证号"), ("身份证号码（18位）", "身份证号"), ("公民身份号码", "身份证号"),
        ("＊身份证号", "身份证号"), ("现专业技术职务", "现任专业技术职务"),
        ("专业技术职务", "现任专业技术职务"), ("现任职务", "现任专业技术职务"),
        ("现任专业技术\n职务", "现任专业技术职务"), ("出生年月日", "出生年月"),
        ("出生年月(年.月)", "出生年月"), ("申报职称", "申报级别"), ("申 报 级 别", "申报级别"),
        ("联系电话（手机）", "联系电话"), ("政治面目", "政治面貌"), ("族别", "民族"),
        ("手机号码", "联系电话"), ("评审费\n（元）", "评审费（元）"), ("出生\n年月", "出生年月"),
    ],
)  # fmt: skip
def test_header_variants_name_their_field(header, field):
    found = reading.known(header)
    assert found is not None and found.name == field


@pytest.mark.parametrize("header", ["单位联系电话", "职务", "专业", "籍贯", "身份证号码复印件"])
def test_a_header_is_never_guessed_from_a_part(header):
    assert reading.known(header) is None


def test_every_column_of_the_portals_own_roster_is_known():
    # The export -> import round trip depends on it (with the prefecture's 主管部门 and 状态).
    for label in (*COLUMNS, OFFICE_COLUMN, "状态"):
        assert reading.known(label) is not None, label


def test_the_words_table_names_each_header_once_and_maps_to_words_the_portal_knows():
    words = reading.words()
    allowed = {
        "性别": vocabulary.GENDERS,
        "民族": vocabulary.ETHNICITIES,
        "政治面貌": vocabulary.POLITICAL_STATUSES,
        "学历": vocabulary.EDUCATION_LEVELS,
        "申报级别": tuple(LEVEL_LABELS.values()),
        "申报类型": tuple(KIND_LABELS.values()),
    }
    assert set(words.values) == set(allowed)
    for name, table in words.values.items():
        for short, full in table.items():
            assert full in allowed[name], (name, short, full)
            assert short not in allowed[name], (name, short)
    assert set(words.fields) >= set(importer.REQUIRED_COLUMNS)
    for upper, parts in words.under.items():
        assert upper in words.fields and set(parts.values()) <= set(words.fields)


def _abbreviation_cases():
    for name, table in reading.words().values.items():
        for short, full in table.items():
            if name not in ("申报级别", "申报类型"):
                yield name, short, full


@pytest.mark.parametrize(("name", "short", "full"), list(_abbreviation_cases()))
def test_each_short_form_is_imported_as_the_full_word_with_a_note(world, db, name, short, full):
    gender = full if name == "性别" else "男"
    row = {**MINIMAL, "身份证号": make_id("652824", date(1968, 1, 2), 3, gender), name: short}
    result = importer.dry_run(_one_row(list(row), list(row.values())), world.campaigns[PARTY],
                              world.office_a)  # fmt: skip
    assert result.ok, result.messages()
    column = list(row).index(name)
    letter = "ABCDEFGHIJK"[column]
    assert [str(n) for n in result.notes] == [f"第2行{letter}列“{name}”：“{short}”按“{full}”导入"]
    key = {"性别": "gender", "民族": "ethnicity", "政治面貌": "political_status"}.get(name)
    stored = result.rows[0].values[key] if key else result.rows[0].values["education_level"]
    assert stored == full


@pytest.mark.parametrize(
    ("level_text", "level", "noted"),
    [("中级", "intermediate", False), ("中级职称", "intermediate", True),
     ("助理讲师", "junior", True), ("讲师", "intermediate", True)],
)  # fmt: skip
def test_the_level_may_be_written_as_a_title_name_with_a_note(world, db, level_text, level, noted):
    row = {**MINIMAL, "身份证号": make_id("652824", date(1968, 1, 2), 3, "男")}
    header = [("申报职称" if k == "申报级别" else k) for k in row]
    row["申报级别"] = level_text
    result = importer.dry_run(_one_row(header, list(row.values())), world.campaigns[PARTY],
                              world.office_a)  # fmt: skip
    assert result.ok, result.messages()
    assert result.rows[0].values["level"] == level
    assert [str(n) for n in result.notes] == (
        [f"第2行G列“申报职称”（申报级别）：“{level_text}”按“{LEVEL_LABELS[level]}”导入"]
        if noted
        else []
    )


def test_a_title_name_of_a_level_the_notice_does_not_hold_is_refused_at_its_cell(world, db):
    row = {
        **MINIMAL,
        "身份证号": make_id("652824", date(1968, 1, 2), 3, "男"),
        "申报级别": "高级工程师",
    }
    result = importer.dry_run(_one_row(list(row), list(row.values())), world.campaigns[PARTY],
                              world.office_a)  # fmt: skip
    assert result.messages() == [
        "第2行G列“申报级别”：“党干校教师系列”不评审“高级工程师”，可选：初级、中级"
    ]
    assert not result.notes  # a value refused is not said to be read as another


@pytest.mark.parametrize(
    ("kind_text", "kind", "notes"),
    [("初次确定", "first_determination", []),
     ("初定", "first_determination", ["第2行J列“申报类型”：“初定”按“初次确定”导入"]),
     ("直接授予", "conferment", ["第2行J列“申报类型”：“直接授予”按“授予”导入"]),
     ("", "evaluation", [])],
)  # fmt: skip
def test_the_kind_may_be_written_short_and_blank_is_an_evaluation(
    world, db, kind_text, kind, notes
):
    row = {
        **MINIMAL,
        "身份证号": make_id("652824", date(1968, 1, 2), 3, "男"),
        "申报类型": kind_text,
    }
    result = importer.dry_run(
        _one_row(list(row), list(row.values())), world.campaigns[PARTY], world.office_a
    )
    assert result.ok, result.messages()
    assert result.rows[0].values["kind"] == kind
    assert [str(n) for n in result.notes] == notes


def test_a_column_the_file_lacks_keeps_what_the_application_has(world, db):
    # The bug: a unit's file without a recognised title column set every title to 无.
    campaign = world.campaigns[PARTY]
    app = full_application(world.office_a, world.unit_a, campaign, name="马福军", seq=3)
    db.session.commit()
    assert app.section_data("qualification")["title"] == "助理讲师"
    row = {**MINIMAL, "姓名": "马福军", "身份证号": app.id_number, "申报级别": "中级",
           "民族": "回族", "政治面貌": "中共党员", "参加工作时间": "2008.08"}  # fmt: skip
    result = importer.dry_run(_one_row(list(row), list(row.values())), campaign, world.office_a)
    assert result.ok, result.messages()
    assert result.absent_fields() == [
        "学历", "毕业院校及专业", "现任专业技术职务", "取得时间", "申报专业", "申报类型"
    ]  # fmt: skip
    importer.apply(result, campaign, world.office_a, world.clerk_a)
    db.session.commit()
    db.session.expire_all()
    assert result.updated == 1
    qualification = app.section_data("qualification")
    assert (qualification["title"], qualification["obtained_on"]) == ("助理讲师", "2017-09-01")
    assert app.section_data("education")["rows"][-1]["school"] == "新疆大学"
    assert app.kind == "evaluation" and app.section_data("basic")["ethnicity"] == "回族"


def test_a_title_column_left_blank_or_marked_none_reads_as_none(world, db):
    for mark in ("", "/", "暂无", "无"):
        row = {**MINIMAL, "身份证号": make_id("652824", date(1968, 1, 2), 3, "男"),
               "现任职务": mark, "取得时间": "/"}  # fmt: skip
        result = importer.dry_run(_one_row(list(row), list(row.values())),
                                  world.campaigns[PARTY], world.office_a)  # fmt: skip
        assert result.ok, (mark, result.messages())
        assert result.rows[0].values["title"] == NONE
        assert result.rows[0].values["obtained_on"] is None


def test_a_required_column_missing_stops_the_import_with_its_name(world, db):
    row = dict(MINIMAL)
    del row["联系电话"], row["民族"]
    row["身份证"] = make_id("652824", date(1968, 1, 2), 3, "男")
    row["单位电话"] = "0996-7102311"
    result = importer.dry_run(_one_row(list(row), list(row.values())), world.campaigns[PARTY],
                              world.office_a)  # fmt: skip
    assert result.file_errors == [
        "第1行表头缺少以下列：民族、联系电话，请在表头加上这些列（名称见花名册模板），"
        "未导入任何数据。"
    ]
    assert not result.rows
    assert result.unused_columns()[0].startswith("H列“单位电话”：系统不认识这个表头")


def test_a_header_over_two_rows_under_merged_cells_is_read(world, db):
    wb = Workbook()
    ws = wb.active
    ws.append(["申报人员花名册"])
    upper = ["序号", "姓名", "身份证号", "民族", "政治面貌", "工作单位", "参加工作时间",
             "现任专业技术职务", None, "申报", None, "联系电话", "毕业院校及专业",
             None]  # fmt: skip
    lower = [None, None, None, None, None, None, None, "名称", "取得时间", "系列", "级别", None,
             "院校", "专业"]  # fmt: skip
    ws.append(upper)
    ws.append(lower)
    for col, letter in enumerate("ABCDEFGL", start=1):
        if letter in "ABCDEFG":
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells("L2:L3")
    ws.merge_cells("H2:I2")
    ws.merge_cells("J2:K2")
    ws.merge_cells("M2:N2")
    id_number = make_id("652824", date(1986, 3, 14), 5, "男")
    ws.append([1, "王建军", id_number, "汉族", "群众", "若羌县文化馆", "2008.08", "助理讲师",
               "2016.09", "党干校教师系列", "中级", "13912345678", "新疆大学", "法学"])  # fmt: skip
    result = importer.dry_run(save(wb), world.campaigns[PARTY], world.office_a)
    assert result.ok, result.messages()
    sheet = result.sheets[0]
    assert (sheet.header_row, sheet.header_rows) == (2, 2)
    assert {c.letter: c.field for c in sheet.columns if c.used} == {
        "B": "姓名", "C": "身份证号", "D": "民族", "E": "政治面貌", "F": "工作单位",
        "G": "参加工作时间", "H": "现任专业技术职务", "I": "取得时间", "J": "申报系列",
        "K": "申报级别", "L": "联系电话", "M": "毕业院校", "N": "所学专业",
    }  # fmt: skip
    values = result.rows[0].values
    assert (values["title"], values["obtained_on"]) == ("助理讲师", date(2016, 9, 1))
    assert (values["school"], values["major"], values["level"]) == (
        "新疆大学",
        "法学",
        "intermediate",
    )
    assert result.rows[0].row == 4


def test_a_unit_name_merged_down_over_several_rows_fills_each_row(world, db):
    wb = Workbook()
    ws = wb.active
    ws.append(list(MINIMAL) + ["身份证号"])
    for n in range(3):
        row = {**MINIMAL, "身份证号": make_id("652824", date(1980 + n, 1, 2), 3, "男")}
        row["姓名"] = ["张伟", "王芳", "李强"][n]
        if n:
            row["工作单位"] = None
        ws.append(list(row.values()))
    ws.merge_cells("D2:D4")
    result = importer.dry_run(save(wb), world.campaigns[PARTY], world.office_a)
    assert result.ok, result.messages()
    assert [r.values["unit"].name for r in result.rows] == ["若羌县文化馆"] * 3


def test_every_roster_sheet_is_read_and_messages_name_the_sheet(world, db):
    make_unit(world.office_a, "若羌县图书馆")
    wb = Workbook()
    hidden = wb.active
    hidden.title = "去年"
    hidden.sheet_state = "hidden"
    hidden.append(list(MINIMAL) + ["身份证号"])
    hidden.append(list(MINIMAL.values()) + [make_id("652824", date(1970, 1, 2), 3, "男")])
    for title, level, unit, birth in (
        ("中级", "中级", "若羌县文化馆", 1981),
        ("初级", "初级", "若羌县图书馆", 1992),
    ):
        ws = wb.create_sheet(title)
        ws.append([f"{title}申报人员"])
        ws.append(list(MINIMAL) + ["身份证号"])
        row = {**MINIMAL, "申报级别": level, "工作单位": unit}
        ws.append(list(row.values()) + [make_id("652824", date(birth, 1, 2), 3, "男")])
        bad = {**row, "姓名": "王芳", "民族": "火星族"}
        ws.append(list(bad.values()) + [make_id("652824", date(birth, 5, 2), 4, "女")])
    result = importer.dry_run(save(wb), world.campaigns[PARTY], world.office_a)
    assert [s.name for s in result.sheets] == ["中级", "初级"]
    assert result.ignored_sheets == ["工作表“去年”是隐藏的，未读取"]
    assert [(r.sheet_label, r.row, r.ok) for r in result.rows] == [
        ("中级", 3, True), ("中级", 4, False), ("初级", 3, True), ("初级", 4, False)
    ]  # fmt: skip
    assert result.messages() == [
        "“中级”表第4行B列“民族”：未知的民族“火星族”，请填写56个民族之一，如“维吾尔族”",
        "“初级”表第4行B列“民族”：未知的民族“火星族”，请填写56个民族之一，如“维吾尔族”",
    ]


def test_the_same_id_on_two_sheets_is_named_with_the_sheet_of_the_first(world, db):
    wb = Workbook()
    wb.active.title = "一"
    id_number = make_id("652824", date(1970, 1, 2), 3, "男")
    for ws in (wb.active, wb.create_sheet("二")):
        ws.append(list(MINIMAL) + ["身份证号"])
        ws.append(list(MINIMAL.values()) + [id_number])
    result = importer.dry_run(save(wb), world.campaigns[PARTY], world.office_a)
    assert result.messages() == ["“二”表第2行I列“身份证号”：与“一”表第2行重复"]


def test_a_repeated_header_and_a_column_without_header_are_reported(world, db):
    wb = Workbook()
    ws = wb.active
    header = list(MINIMAL) + ["身份证号"]
    ws.append(header)
    ws.append(list(MINIMAL.values()) + [make_id("652824", date(1970, 1, 2), 3, "男"), "党校"])
    ws.append(header)  # a second page pasted under the first, header and all
    ws.append(list(MINIMAL.values()) + [make_id("652824", date(1971, 1, 2), 3, "男"), None])
    ws.append([None] * 11 + [datetime(2023, 1, 1)])
    result = importer.dry_run(save(wb), world.campaigns[PARTY], world.office_a)
    assert [r.row for r in result.rows] == [2, 4]
    assert result.skipped_rows()[0] == f"第3行（{' '.join(header)[:40]}…）：重复的表头行，未导入"
    assert result.skipped_rows()[1].startswith("第5行（2023-01-01")
    assert result.unused_columns() == [
        "J列（无表头）：没有表头，不知道是哪一项，该列的数据未导入",
        "L列（无表头）：没有表头，不知道是哪一项，该列的数据未导入",
    ]


def test_of_two_columns_for_one_field_the_more_exact_header_is_read(world, db):
    # 现任职务 often holds an administrative post; beside 专业技术职务 it is not the title.
    row = {**MINIMAL, "身份证号": make_id("652824", date(1968, 1, 2), 3, "男"),
           "现任职务": "副馆长", "专业技术职务": "助理馆员", "取得时间": "2016.09"}  # fmt: skip
    result = importer.dry_run(
        _one_row(list(row), list(row.values())), world.campaigns[PARTY], world.office_a
    )
    assert result.ok, result.messages()
    assert result.rows[0].values["title"] == "助理馆员"
    assert result.unused_columns() == [
        "J列“现任职务”：与K列“专业技术职务”同为“现任专业技术职务”，只导入K列"
    ]


@pytest.mark.parametrize(
    ("cell", "school", "major", "noted"),
    [("新疆大学 法学", "新疆大学", "法学", False), ("新疆大学/法学", "新疆大学", "法学", False),
     ("新疆大学、汉语言文学", "新疆大学", "汉语言文学", False),
     ("中国石油大学（华东） 石油工程", "中国石油大学（华东）", "石油工程", False),
     ("新疆大学法学", "新疆大学法学", "", True),
     # A school's own name with a space: split after the part that ends like a school.
     ("中国人民大学 继续教育学院 法学", "中国人民大学 继续教育学院", "法学", False),
     ("新疆大学 人文学院/汉语言文学", "新疆大学 人文学院", "汉语言文学", False),
     ("新疆大学 汉语言 文学", "新疆大学", "汉语言 文学", False)],
)  # fmt: skip
def test_school_and_major_in_one_cell_are_split_or_the_clerk_is_told(
    world, db, cell, school, major, noted
):
    row = {**MINIMAL, "身份证号": make_id("652824", date(1968, 1, 2), 3, "男"),
           "毕业院校及专业": cell}  # fmt: skip
    result = importer.dry_run(
        _one_row(list(row), list(row.values())), world.campaigns[PARTY], world.office_a
    )
    assert result.ok, result.messages()
    assert (result.rows[0].values["school"], result.rows[0].values["major"]) == (school, major)
    assert [str(n) for n in result.notes] == (
        [
            f"第2行J列“毕业院校及专业”：“{cell}”中分不出院校和专业，整体按院校导入，专业请在“学历”中补上"
        ]
        if noted
        else []
    )
