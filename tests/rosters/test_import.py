"""Importing a roster: round trip, messy files, per-cell messages, nothing saved on errors."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.applications.idcard import make_id
from portal.applications.models import Application, Person
from portal.rosters import importer
from portal.rosters.builder import RosterFilters, build_roster, load_applications, roster_statement
from portal.rosters.writers import write_xlsx
from tests.factories import make_office, make_unit
from tests.rosters.helpers import full_application, roster_workbook

PARTY = "bz-partyschool-2023"
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _serial(d: date) -> int:
    """The Excel 1900-system serial number of a date."""
    return (d - date(1899, 12, 30)).days


def _roster(campaign, office):
    apps = load_applications(roster_statement(campaign, RosterFilters(office_id=office.id)))
    return build_roster(apps, campaign, office.name)


def _count(db, office) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.office_id == office.id)
    )


def test_export_then_import_into_an_empty_office_gives_the_same_rows(world, db):
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
    data = write_xlsx(before)

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
    assert result.messages() == ["第6行“身份证号”：校验位不正确，请逐位核对后重新填写"]
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
            "党员",
            id2,
            "若羌县图书馆",
            "大专",
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
        "第4行“性别”：与身份证号第17位表示的性别“女”不一致",
        "第4行“民族”：未知的民族“火星族”，请填写56个民族之一，如“维吾尔族”",
        "第4行“参加工作时间”：日期“1990.13”的月份13不对，月份应在1到12之间",
        "第4行“申报系列”：本评审通知没有“文化系列”，可选：党干校教师系列",
        "第5行“出生年月”：与身份证号中的出生日期1991年6月不一致",
        "第5行“政治面貌”：未知的政治面貌“党员”，如“中共党员”“共青团员”“群众”",
        "第5行“工作单位”：本主管部门没有名为“若羌县图书馆”的推荐单位，请先在“推荐单位”中添加",
        "第5行“学历”：未知的学历“大专”，如“大学本科”“大学专科”",
        "第5行“取得时间”：有现任专业技术职务时请填写取得时间",
        "第5行“申报级别”：“党干校教师系列”不评审“副高级”，可选：初级、中级",
        "第5行“申报类型”：本评审通知没有“聘任”，可选：评审、初次确定、授予",
        "第5行“联系电话”：固定电话请写上区号，如 0996-2030024",
        "第6行“身份证号”：与第5行重复",
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
    assert result.messages() == [f"第4行“身份证号”：{importer.NUMBER_ID_MESSAGE}"]
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
    assert result.rows[0].values["kind"] == "evaluation"  # 申报类型 left out: 评审
    missing = roster_workbook([row[:4]], header[:4])
    result = importer.dry_run(missing, campaign, world.office_a)
    assert result.file_errors == [
        "第3行表头缺少以下列：政治面貌、工作单位、参加工作时间、申报系列、申报级别、联系电话，"
        "请使用花名册模板。"
    ]


def test_an_import_cannot_change_an_application_already_reported(world, db):
    campaign = world.campaigns[PARTY]
    app = full_application(world.office_a, world.unit_a, campaign, name="马福军", seq=3)
    db.session.commit()
    data = write_xlsx(_roster(campaign, world.office_a))
    app.status = "reported"
    db.session.commit()
    result = importer.dry_run(data, campaign, world.office_a)
    assert not result.ok
    assert result.messages() == [
        f"第{result.rows[0].row}行“身份证号”：此人的申报已是“已报送州”状态，导入不能修改；"
        "如需修改请先退回。"
    ]
    importer.apply(result, campaign, world.office_a, world.clerk_a, only_valid=True)
    assert result.updated == 0
