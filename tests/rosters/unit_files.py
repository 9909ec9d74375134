"""A roster built the way units really send them (issue 14), for the import tests."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from portal.applications.idcard import make_id
from portal.rosters.reading import header_key
from tests.factories import World, make_application

FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _serial(d: date) -> int:
    """The Excel 1900-system serial number of a date (a number cell without a date format)."""
    return (d - date(1899, 12, 30)).days


def save(wb: Workbook) -> bytes:
    """The workbook as xlsx bytes."""
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# The unit's own layout: columns reordered, headers in the words units use, two columns the
# portal has no field for, and 序号/备注 that it works out itself.
UNIT_HEADER = [
    "序号", "姓 名", "身份证号码", "性别", "民族", "出生年月日", "政治面貌", "现专业技术职务",
    "取得时间", "工作单位", "学历", "毕业院校及专业", "参加工作时间", "申报系列", "申报级别",
    "联系电话", "籍贯", "是否在编", "备注",
]  # fmt: skip
PEOPLE = [
    # name, birth, gender, ethnicity, political status, title, education, school and major,
    # then the cells of 出生年月日, 参加工作时间 and 取得时间 as typed: 1985.03 / 1985年3月 /
    # 1985-3 / an Excel serial, and what each must read as (a month typed stays a month).
    ("阿不都热合曼·阿不都热西提", date(1985, 3, 9), "男", "维吾尔族", "中共党员", "助理讲师",
     "大学本科", "新疆大学 法学", ("1985.03", "2008.07", "2012.03"),
     ("2008-07", "2012-03")),
    ("李海燕", date(1988, 11, 2), "女", "汉族", "共青团员", "无", "大学专科",
     "新疆师范大学 汉语言文学", ("1988年11月", "2010年3月", None), ("2010-03", None)),
    ("努尔兰·哈力别克", date(1990, 1, 17), "男", "哈萨克族", "群众", "助理讲师", "硕士研究生",
     "新疆大学 历史学", ("1990-1", "2013-8", "2018-3"), ("2013-08", "2018-03")),
    ("马福军", date(1983, 8, 14), "男", "回族", "中共党员", "助理讲师", "大学本科",
     "西北民族大学 哲学",
     (_serial(date(1983, 8, 14)), _serial(date(2005, 8, 1)), _serial(date(2015, 9, 1))),
     ("2005-08-01", "2015-09-01")),
]  # fmt: skip


# Units write some values short; the import reads the full word and says so.
SHORT = {"维吾尔族": "维族", "共青团员": "团员", "大学专科": "大专"}


def unit_roster() -> bytes:
    """A workbook as a unit sends it: a sheet of instructions first, then the roster under a
    merged title, with full-width digits, a blank row, a totals row and a signature line."""
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["1. 身份证号码请设为文本格式。"])
    notes.append(["2. 日期写到月，如1985.03。"])
    ws = wb.create_sheet("花名册")
    ws.append(["若羌县文化馆2023年度党干校教师系列职称评审申报人员花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(UNIT_HEADER))
    ws.append(
        ["填报单位（盖章）：若羌县文化馆", None, None, None, None, None, None, "2023年10月8日"]
    )
    ws.append(UNIT_HEADER)
    for n, (name, birth, gender, eth, pol, title, edu, school, cells, _) in enumerate(PEOPLE):
        if n == 2:
            ws.append([])  # a blank row between applicants
        id_number = make_id("652824", birth, 10 + n, gender)
        born, start, obtained = cells
        eth, pol, edu = (SHORT.get(v, v) for v in (eth, pol, edu))
        ws.append([
            n + 1, name, id_number.translate(FW) if n % 2 == 0 else id_number, gender, eth,
            born, pol, title, obtained, "若羌县文化馆", edu, school, start, "党干校教师系列",
            "初级" if n == 1 else "中级", f"１３９１２３４５６７{n}".translate(FW), "新疆若羌",
            "是", None,
        ])  # fmt: skip
    ws.append(["合计", "4人", None, None, None, None, None, None, None, None, None, None, None])
    ws.append(["填报人：张三", None, None, None, None, None, None, None, None, "审核人：李四"])
    return save(wb)


def taken_elsewhere(world: World, n: int = 3, name: str = "马晓军") -> None:
    """The n-th person's ID number entered under another name, for another notice: the
    operations API then refuses that row of unit_roster() (in office A)."""
    _name, birth, gender = PEOPLE[n][:3]
    make_application(
        world.office_a, world.unit_a, world.campaigns["bz-culture-2021"], name=name,
        seq=10 + n, birth=birth, gender=gender,
    )  # fmt: skip


def column_letter(data: bytes, label: str) -> str:
    """The letter of the column headed `label` in a roster file (its first sheet)."""
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    for values in ws.iter_rows(max_row=30, values_only=True):
        keys = [header_key(v) for v in values]
        if header_key(label) in keys:
            return get_column_letter(keys.index(header_key(label)) + 1)
    raise AssertionError(f"no column {label}")
