"""What the operations API refuses reaches the clerk at the field or the roster cell."""

from __future__ import annotations

from portal.applications.idcard import make_id
from portal.demo import PEOPLE
from portal.rosters.builder import COLUMNS
from tests.browser.conftest import login, shot, upload_roster
from tests.rosters.helpers import roster_workbook


def _demo_id(seq: int) -> str:
    """The ID number the demo gives the seq-th person of PEOPLE."""
    name, gender, _ethnicity, birth, region, *_ = PEOPLE[seq]
    return make_id(region, birth, 100 + seq, gender)


def test_another_applicants_id_number_is_refused_at_the_field(page, live_server):
    # Issue 11: the ID of 买买提·艾力 typed into 张丽娟's basic information.
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=张丽娟")
    page.click("text=张丽娟")
    page.wait_for_url("**/basic")
    name, gender, _ethnicity, birth, *_ = PEOPLE[0]
    page.fill("#id_number", _demo_id(0))
    page.fill("#birth_date", birth.isoformat())
    page.select_option("#gender", gender)
    page.click("form#section-form .actions button.primary")
    page.wait_for_load_state("networkidle")
    message = page.locator("#err-id_number").inner_text()
    assert name in message and "652824********" in message
    assert page.locator(".flash-danger").count() and "保存冲突" not in page.content()
    shot(page, "60-basic-id-of-another-applicant")


def test_a_known_id_number_under_another_name_is_refused_when_creating(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/new")
    page.select_option("#campaign_id", label="2021年度自治州新闻系列职称评审")
    page.wait_for_load_state("networkidle")
    page.fill("#name", "刘洋洋")
    page.fill("#id_number", _demo_id(13))  # 刘洋 applies to the culture campaign
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    message = page.locator("#err-id_number").inner_text()
    assert "已登记为“刘洋”" in message
    shot(page, "61-new-application-known-id")


def test_the_roster_dry_run_names_what_the_api_refuses_at_its_cell(page, live_server, tmp_path):
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        {
            "序号": 1,
            "姓名": "刘洋洋",
            "民族": "回族",
            "政治面貌": "群众",
            "身份证号": _demo_id(13),  # 刘洋's number (he applies to culture) under another name
            "工作单位": "若羌县图书馆",
            "参加工作时间": "2099.08",
            "申报系列": "新闻系列",
            "申报专业": "记者",
            "申报级别": "中级",
            "联系电话": "13912345678",
        }
    )
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_workbook([list(row.values())]))
    login(page, live_server)
    upload_roster(page, live_server, "2021年度自治州新闻系列职称评审", path)
    text = page.content()
    assert "第4行G列“身份证号”：身份证号652824********" in text and "已登记为“刘洋”" in text
    assert "第4行K列“参加工作时间”：日期不能晚于今天" in text
    shot(page, "62-roster-import-refused-by-the-api")
