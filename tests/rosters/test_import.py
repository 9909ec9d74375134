"""Importing a roster: round trip, messy files, per-cell messages, nothing saved on errors."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.applications import operations, sections
from portal.applications.idcard import make_id
from portal.applications.models import Application, Person
from portal.extensions import db as _db
from portal.rosters import importer
from portal.rosters.builder import COLUMNS
from portal.rosters.writers import xlsx_bytes
from tests.factories import make_application, make_office, make_unit, store_sections
from tests.rosters.helpers import built_roster, full_application, roster_workbook
from tests.rosters.unit_files import column_letter

PARTY = "bz-partyschool-2023"
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _serial(d: date) -> int:
    """The Excel 1900-system serial number of a date."""
    return (d - date(1899, 12, 30)).days


def _roster(campaign, office):
    return built_roster(campaign, office)


def _count(db, office) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.office_id == office.id)
    )


@pytest.mark.parametrize("paper", ["a4", "a3"])  # columns in another order, two-line headers
def test_export_then_import_into_an_empty_office_gives_the_same_rows(world, db, paper):
    campaign = world.campaigns[PARTY]
    full_application(
        world.office_a, world.unit_a, campaign, name="阿不都热合曼·阿不都热西提", seq=1
    )
    full_application(
        world.office_a,
        world.unit_a,
        campaign,
        name="李海燕",
        seq=2,
        level="junior",
        gender="女",
        ethnicity="汉族",
        birth=date(1994, 3, 27),
        phone="0996-7102311",
    )
    full_application(
        world.office_a,
        world.unit_a,
        campaign,
        name="马福军",
        seq=3,
        kind="conferment",
        ethnicity="回族",
        birth=date(1983, 8, 14),
    )
    db.session.commit()
    before = _roster(campaign, world.office_a)
    data = xlsx_bytes(before, paper=paper)

    empty = make_office("A02", "若羌县另一主管部门", "若羌县")
    make_unit(empty, "若羌县文化馆")
    db.session.commit()
    result = importer.dry_run(data, campaign, empty)
    assert result.ok, result.messages()
    assert [r.action for r in result.rows] == ["create"] * 3
    assert _count(db, empty) == 0  # a dry run saves nothing
    importer.apply(result, campaign, empty, world.clerk_a)
    db.session.commit()
    assert (result.created, result.updated) == (3, 0)
    db.session.expire_all()
    after = _roster(campaign, empty)
    assert after.rows == before.rows
    assert (after.applicants, after.fees) == (before.applicants, before.fees)

    # Importing the same file again updates the same three applications.
    again = importer.dry_run(data, campaign, empty)
    assert [r.action for r in again.rows] == ["update"] * 3
    importer.apply(again, campaign, empty, world.clerk_a)
    db.session.commit()
    assert (again.created, again.updated) == (0, 3) and _count(db, empty) == 3


def _messy_rows() -> tuple[list[list[object]], str]:
    """Three rows as units type them; the third ID has a wrong check digit."""
    good1 = make_id("652824", date(1994, 3, 27), 5, "女")
    good2 = make_id("652827", date(1990, 1, 17), 6, "男")
    bad = make_id("652826", date(1983, 8, 14), 7, "男")
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    rows = [
        [
            1,
            " 李海燕 ",
            "女",
            " 汉族",
            "1994.03",
            "中共党员",
            good1.translate(FW),
            "若羌县文化馆 ",
            "大学本科",
            "新疆大学 法学",
            _serial(date(2016, 8, 1)),
            "无",
            None,
            "党干校教师系列",
            None,
            "初级",
            "评审",
            "是",
            220,
            "１３９ １２３４ ５６７８",
            None,
        ],
        [
            2,
            "努尔兰 · 哈力别克",
            "男",
            "哈萨克族",
            "1990年1月",
            " 群众 ",
            f" {good2} ",
            "若羌县文化馆",
            "大学本科",
            "新疆师范大学 历史学",
            "２０１３年８月",
            "助理讲师",
            "2018.09",
            "党干校教师系列 ",
            None,
            " 中级",
            "评审",
            "是",
            380,
            "13912345679",
            None,
        ],
        [
            3,
            "马福军",
            "男",
            "回族",
            date(1983, 8, 1),
            "中共党员",
            bad,
            "若羌县文化馆",
            "大学本科",
            "新疆大学 哲学",
            date(2005, 8, 1),
            "助理讲师",
            date(2015, 9, 1),
            "党干校教师系列",
            None,
            "中级",
            "授予",
            "是",
            380,
            "13912345670",
            None,
        ],
    ]
    return rows, bad


def test_a_messy_file_gives_exactly_the_expected_messages_and_saves_nothing(world, db):
    campaign = world.campaigns[PARTY]
    rows, _bad = _messy_rows()
    header = [
        "序 号",
        "姓名",
        "性别",
        "民族",
        "出生年月",
        "政治面貌",
        " 身份证号 ",
        "工作单位",
        "学历",
        "毕业院校及专业",
        "参加工作时间",
        "现任专业技术职务",
        "取得时间",
        "申报系列",
        "申报专业",
        "申报级别",
        "申报类型",
        "免于答辩",
        "评审费(元)",
        "联系电话",
        "备注",
    ]
    data = roster_workbook(rows, header)
    result = importer.dry_run(data, campaign, world.office_a)
    assert result.messages() == ["第6行G列“身份证号”：校验位不正确，请逐位核对后重新填写"]
    assert [r.ok for r in result.rows] == [True, True, False]
    assert [r.action_label for r in result.rows] == ["新增", "新增", "有错误"]
    first, second = result.rows[0].values, result.rows[1].values
    assert first["name"] == "李海燕" and first["ethnicity"] == "汉族"
    assert first["id_number"] == make_id("652824", date(1994, 3, 27), 5, "女")
    assert first["work_start"] == date(2016, 8, 1) and first["phone"] == "13912345678"
    assert first["level"] == "junior" and first["title"] == "无"
    assert second["name"] == "努尔兰·哈力别克" and second["political_status"] == "群众"
    assert second["work_start"] == date(2013, 8, 1) and second["obtained_on"] == date(2018, 9, 1)

    importer.apply(result, campaign, world.office_a, world.clerk_a)
    assert not result.saved
    db.session.commit()
    assert _count(db, world.office_a) == 0
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0

    importer.apply(result, campaign, world.office_a, world.clerk_a, only_valid=True)
    db.session.commit()
    assert result.saved and result.created == 2 and _count(db, world.office_a) == 2
    app = db.session.scalar(sa.select(Application).where(Application.name == "李海燕"))
    basic = app.section_data("basic")
    assert basic["birth_date"] == "1994-03-27" and basic["county"] == "若羌县"
    assert app.section("basic").complete
    assert app.section_data("education")["rows"][-1]["school"] == "新疆大学"


def test_each_bad_cell_is_named_with_its_reason(world, db):
    campaign = world.campaigns[PARTY]
    id1 = make_id("652824", date(1990, 5, 3), 8, "女")
    id2 = make_id("652824", date(1991, 6, 4), 9, "男")
    rows = [
        [
            1,
            "古丽娜尔",
            "男",
            "火星族",
            "1990.05",
            "中共党员",
            id1,
            "若羌县文化馆",
            "大学本科",
            "新疆大学 法学",
            "1990.13",
            "无",
            None,
            "文化系列",
            None,
            "初级",
            "评审",
            None,
            None,
            "13912345678",
            None,
        ],
        [
            2,
            "王建军",
            "男",
            "汉族",
            "1991.07",
            "积极分子",
            id2,
            "若羌县图书馆",
            "函授",
            "",
            "2013.08",
            "助理讲师",
            None,
            "党干校教师系列",
            None,
            "副高级",
            "聘任",
            None,
            None,
            "7102311",
            None,
        ],
        [
            3,
            "王建军",
            "男",
            "汉族",
            "1991.06",
            "群众",
            id2,
            "若羌县文化馆",
            "",
            "",
            "2013.08",
            "",
            None,
            "党干校教师系列",
            None,
            "中级",
            "",
            None,
            None,
            "13912345678",
            None,
        ],
    ]
    result = importer.dry_run(roster_workbook(rows), campaign, world.office_a)
    assert result.messages() == [
        "第4行C列“性别”：与身份证号第17位表示的性别“女”不一致",
        "第4行D列“民族”：未知的民族“火星族”，请填写56个民族之一，如“维吾尔族”",
        "第4行K列“参加工作时间”：日期“1990.13”的月份13不对，月份应在1到12之间",
        "第4行N列“申报系列”：本评审通知没有“文化系列”，可选：党干校教师系列",
        "第5行E列“出生年月”：与身份证号中的出生日期1991年6月不一致",
        "第5行F列“政治面貌”：未知的政治面貌“积极分子”，如“中共党员”“共青团员”“群众”",
        "第5行H列“工作单位”：本主管部门没有名为“若羌县图书馆”的推荐单位，请先在“推荐单位”中添加",
        "第5行I列“学历”：未知的学历“函授”，如“大学本科”“大学专科”",
        "第5行M列“取得时间”：有现任专业技术职务时请填写取得时间",
        "第5行P列“申报级别”：“党干校教师系列”不评审“副高级”，可选：初级、中级",
        "第5行Q列“申报类型”：本评审通知没有“聘任”，可选：评审、初次确定、授予",
        "第5行T列“联系电话”：固定电话请写上区号，如 0996-2030024",
        "第6行G列“身份证号”：与第5行重复",
    ]
    assert not importer.apply(result, campaign, world.office_a, None).saved


def test_an_id_stored_as_a_number_and_an_unknown_file_are_explained(world, db):
    campaign = world.campaigns[PARTY]
    id_number = make_id("652824", date(1968, 1, 2), 4, "男")
    row = [
        1,
        "张伟",
        "男",
        "汉族",
        "1968年1月",
        "群众",
        int(id_number),
        "若羌县文化馆",
        "",
        "",
        "1990.01",
        "无",
        None,
        "党干校教师系列",
        None,
        "初级",
        "评审",
        None,
        None,
        "13912345678",
        None,
    ]
    result = importer.dry_run(roster_workbook([row]), campaign, world.office_a)
    # openpyxl, like Excel, keeps 15 significant digits: the number is no longer the ID.
    assert result.messages() == [f"第4行G列“身份证号”：{importer.NUMBER_ID_MESSAGE}"]
    result = importer.dry_run(b"not a workbook", campaign, world.office_a)
    assert result.file_errors == ["无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。"]
    no_header = roster_workbook([], header=["甲", "乙"])
    result = importer.dry_run(no_header, campaign, world.office_a)
    assert "没有找到表头" in result.file_errors[0]


@pytest.mark.parametrize("value", ["1990.01", "1990年1月", "１９９０．０１", 32874, " 1990-01 "])
def test_dates_are_read_the_ways_units_write_them(world, db, value):
    campaign = world.campaigns[PARTY]
    id_number = make_id("652824", date(1968, 1, 2), 3, "男")
    row = [
        1,
        "张伟",
        "男",
        "汉族",
        "1968年1月",
        "群众",
        id_number,
        "若羌县文化馆",
        "",
        "",
        value,
        "无",
        None,
        "党干校教师系列",
        None,
        "初级",
        "评审",
        None,
        None,
        "13912345678",
        None,
    ]
    result = importer.dry_run(roster_workbook([row]), campaign, world.office_a)
    assert result.ok, result.messages()
    assert result.rows[0].values["work_start"] == date(1990, 1, 1)


def test_the_header_is_found_by_its_labels_including_common_variants(world, db):
    campaign = world.campaigns[PARTY]
    id_number = make_id("652824", date(1968, 1, 2), 3, "男")
    header = [
        "序号",
        "姓名",
        "族别",
        "公民身份号码",
        "推荐单位",
        "参加工作时间",
        "系列",
        "级别",
        "政治面貌",
        "手机号码",
    ]
    row = [
        1,
        "张伟",
        "汉族",
        id_number,
        "若羌县文化馆",
        "1990.01",
        "党干校教师系列",
        "初级",
        "群众",
        "13912345678",
    ]
    result = importer.dry_run(roster_workbook([row], header), campaign, world.office_a)
    assert result.ok, result.messages()
    # 申报类型 left out: a new application is an evaluation (评审).
    assert importer.row_sections(result.rows[0].values, None)["basic"]["kind"] == "evaluation"
    missing = roster_workbook([row[:4]], header[:4])
    result = importer.dry_run(missing, campaign, world.office_a)
    assert result.file_errors == [
        "第3行表头缺少以下列：政治面貌、工作单位、参加工作时间、申报系列、申报级别、联系电话，"
        "请在表头加上这些列（名称见花名册模板），未导入任何数据。"
    ]


def test_an_import_cannot_change_an_application_already_reported(world, db):
    campaign = world.campaigns[PARTY]
    app = full_application(world.office_a, world.unit_a, campaign, name="马福军", seq=3)
    db.session.commit()
    data = xlsx_bytes(_roster(campaign, world.office_a))
    app.status = "reported"
    db.session.commit()
    result = importer.dry_run(data, campaign, world.office_a)
    assert not result.ok
    assert result.messages() == [
        f"第{result.rows[0].row}行{column_letter(data, '身份证号')}列“身份证号”："
        "此人的申报已是“已报送州”状态，导入不能修改；"
        "如需修改请先退回"
    ]
    importer.apply(result, campaign, world.office_a, world.clerk_a, only_valid=True)
    assert result.updated == 0


def test_a_field_saved_through_the_form_and_imported_from_a_roster_land_alike(
    app, client, auth, world
):
    # Issue 9: one writer. The same values typed into the section pages and into a roster land
    # under the same keys with the same formats (ISO dates, codes, normalised phone).
    from tests.applications.test_sections import _post

    campaign = world.campaigns["bz-culture-2021"]
    with app.app_context():
        typed = make_application(world.office_a, world.unit_a, campaign, name="张丽娟", seq=1)
        _db.session.commit()
        typed_id, typed_id_number = typed.id, typed.id_number
    auth.login()
    basic = {
        "series_code": "culture", "specialty": "群众文化", "level": "intermediate",
        "kind": "evaluation", "name": "张丽娟", "gender": "男", "ethnicity": "维吾尔族",
        "birth_date": "1986.03.14", "id_number": typed_id_number, "political_status": "中共党员",
        "phone": "139 1234 5678", "unit_id": world.unit_a.id, "work_start": "2008.08",
        "unit_nature": world.unit_a.nature, "county": world.unit_a.county, "sanction": "",
    }  # fmt: skip
    education = {
        "rows-0-start": "2004.09", "rows-0-end": "2008.07", "rows-0-school": "新疆大学",
        "rows-0-major": "汉语言文学", "rows-0-level": "大学本科", "rows-0-degree": "学士",
        "rows-0-full_time": "全日制",
    }  # fmt: skip
    qualification = {
        "title": "助理馆员", "series": "文化系列", "level": "junior", "obtained_on": "2016.09",
        "obtained_in": "新疆", "certificate_no": "XJ2016001",
    }  # fmt: skip
    for key, data in (("basic", basic), ("education", education), ("qualification", qualification)):
        assert _post(client, typed_id, key, data).status_code == 302, key

    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "序号": 1, "姓名": "王建军", "性别": "男", "民族": "维吾尔族", "出生年月": "1986.03",
        "政治面貌": "中共党员", "身份证号": make_id("652824", date(1986, 3, 14), 2, "男"),
        "工作单位": world.unit_a.name, "学历": "大学本科", "毕业院校及专业": "新疆大学 汉语言文学",
        "参加工作时间": "2008.08", "现任专业技术职务": "助理馆员", "取得时间": "2016.09",
        "申报系列": "文化系列", "申报专业": "群众文化", "申报级别": "中级", "申报类型": "评审",
        "联系电话": "139 1234 5678",
    })  # fmt: skip
    with app.app_context():
        typed = _db.session.get(Application, typed_id)
        result = importer.dry_run(roster_workbook([list(row.values())]), campaign, world.office_a)
        assert result.ok, result.messages()
        importer.apply(result, campaign, world.office_a, world.clerk_a)
        _db.session.commit()
        imported = _db.session.scalar(sa.select(Application).where(Application.name == "王建军"))

        for key, brought in (
            ("basic", {"ethnicity", "political_status", "phone", "unit_id", "work_start", "level",
                       "series_code", "specialty", "kind", "gender", "birth_date"}),
            ("qualification", {"title", "obtained_on"}),
        ):  # fmt: skip
            form_data, import_data = typed.section_data(key), imported.section_data(key)
            assert set(form_data) == set(import_data), key
            assert {k: import_data[k] for k in brought} == {k: form_data[k] for k in brought}, key
        assert imported.section_data("basic")["work_start"] == "2008-08"  # a month stays a month
        assert imported.section_data("basic")["phone"] == "13912345678"
        form_row = typed.section_data("education")["rows"][0]
        import_row = imported.section_data("education")["rows"][0]
        assert set(form_row) == set(import_row)
        assert {k: import_row[k] for k in ("level", "school", "major")} == {
            k: form_row[k] for k in ("level", "school", "major")
        }
        # The roster brings no education dates or certificate number: stored, but not complete.
        assert imported.section("basic").complete and typed.section("basic").complete
        assert not imported.section("education").complete and typed.section("education").complete
        assert {g.field for g in sections.missing(imported, "qualification")} >= {"certificate_no"}


def test_what_the_operations_api_refuses_is_shown_at_the_cell_in_the_dry_run(world, db):
    # The dry run checks each row with the same API apply writes through: a known ID number
    # under another name, and a start of work after today, are named at their cells.
    party = world.campaigns[PARTY]
    known = make_application(
        world.office_a, world.unit_a, world.campaigns["bz-culture-2021"], name="张丽娟", seq=4
    )
    db.session.commit()
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "序号": 1, "姓名": "马晓梅", "性别": "男", "民族": "回族", "政治面貌": "群众",
        "身份证号": known.id_number, "工作单位": world.unit_a.name, "参加工作时间": "2008.08",
        "申报系列": "党干校教师系列", "申报级别": "中级", "联系电话": "13912345678",
    })  # fmt: skip
    later = {**row, "序号": 2, "姓名": "王建军", "参加工作时间": "2099.08"}
    later["身份证号"] = make_id("652824", date(1986, 3, 14), 5, "男")
    result = importer.dry_run(
        roster_workbook([list(row.values()), list(later.values())]), party, world.office_a
    )
    assert len(result.rows) == 2 and not result.valid_rows
    first, second = result.messages()
    assert first.startswith("第4行G列“身份证号”：身份证号652824********") and "张丽娟" in first
    assert second == "第5行K列“参加工作时间”：日期不能晚于今天"
    importer.apply(result, party, world.office_a, world.clerk_a, only_valid=True)
    assert known.person.name == "张丽娟" and _count(db, world.office_a) == 1


def _carried(app: Application) -> dict[str, object]:
    """What the roster carries of an application, as stored (not as the roster prints it)."""
    basic = app.section_data("basic")
    highest = (app.section_data("education").get("rows") or [{}])[-1]
    qual = app.section_data("qualification")
    return {
        "app": (app.name, app.id_number, app.unit.name, app.series_code, app.specialty),
        "kind": (app.level, app.kind),
        "basic": {k: basic.get(k) for k in importer.BASIC_VALUES},
        "education": {k: highest.get(k) for k in ("level", "school", "major")},
        "qualification": {k: qual.get(k) for k in ("title", "obtained_on")},
    }


def test_the_round_trip_keeps_every_stored_value_the_roster_carries(world, db):
    # Values where a roster could lose something: a school with a space in its name, a day
    # that is not the 1st, a landline with its area code, an ID ending in X, no title.
    campaign = world.campaigns[PARTY]
    people = [
        full_application(world.office_a, world.unit_a, campaign, name="古丽米热·阿不都", seq=1),
        full_application(
            world.office_a, world.unit_a, campaign, name="李海燕", seq=2, level="junior",
            gender="女", ethnicity="汉族", birth=date(1994, 3, 27), phone="0996-7102311",
        ),
        full_application(
            world.office_a, world.unit_a, campaign, name="马福军", seq=3, kind="conferment",
            ethnicity="回族", birth=date(1983, 8, 14),
        ),
    ]  # fmt: skip
    store_sections(
        people[0],
        {
            "basic": {"work_start": "2009-07-15"},
            "education": {
                "rows": [
                    {
                        **people[0].section_data("education")["rows"][0],
                        "school": "中国人民大学 继续教育学院",
                        "major": "法学（双学位）",
                    }
                ]
            },
            "qualification": {"title": "讲师", "obtained_on": "2017-09-12"},
        },
    )
    for n in range(1, 100):
        id_number = make_id("652824", date(1983, 8, 14), n, "男")
        if id_number.endswith("X"):
            break
    operations.save_application(
        campaign, world.office_a.id, {"basic": {"id_number": id_number}}, None,
        app=people[2], partial=True,
    )  # fmt: skip
    db.session.commit()
    before = {app.id_number: _carried(app) for app in people}
    assert people[2].id_number.endswith("X")

    empty = make_office("A02", "若羌县另一主管部门", "若羌县")
    make_unit(empty, "若羌县文化馆")
    db.session.commit()
    result = importer.dry_run(xlsx_bytes(_roster(campaign, world.office_a)), campaign, empty)
    assert result.ok, result.messages()
    assert result.notes == [] and result.unused_columns() == []
    importer.apply(result, campaign, empty, world.clerk_a)
    db.session.commit()
    db.session.expire_all()
    imported = db.session.scalars(sa.select(Application).where(Application.office_id == empty.id))
    after = {app.id_number: _carried(app) for app in imported}
    assert after == before


def test_an_update_from_the_roster_keeps_a_school_name_the_split_cannot_tell(world, db):
    # 「新疆大学 继续教育部 法学」 is split after 新疆大学 (继续教育部 does not end like a
    # school); the application's own school and major are kept, being the same words.
    campaign = world.campaigns[PARTY]
    app = full_application(world.office_a, world.unit_a, campaign, name="古丽米热·阿不都", seq=1)
    row = {**app.section_data("education")["rows"][0], "school": "新疆大学 继续教育部"}
    store_sections(app, {"education": {"rows": [row]}})
    db.session.commit()
    data = xlsx_bytes(_roster(campaign, world.office_a))
    result = importer.dry_run(data, campaign, world.office_a)
    assert result.ok and [r.action for r in result.rows] == ["update"]
    assert (result.rows[0].values["school"], result.rows[0].values["major"]) == (
        "新疆大学",
        "继续教育部 汉语言文学",
    )
    importer.apply(result, campaign, world.office_a, world.clerk_a)
    db.session.commit()
    db.session.expire_all()
    highest = db.session.get(Application, app.id).section_data("education")["rows"][-1]
    assert (highest["school"], highest["major"]) == ("新疆大学 继续教育部", "汉语言文学")
