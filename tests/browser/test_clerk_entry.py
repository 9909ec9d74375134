"""Entry without traps in Chromium: the ID number fills 性别 and 出生日期, months stay months,
a row added by mistake is dropped, 「无」 works without JavaScript, rows are labelled."""

from __future__ import annotations

from datetime import date

import pytest

from portal.applications.idcard import make_id
from tests.browser.conftest import login, open_application, shot

# No wait_for_function: it evaluates a string, which the portal's CSP forbids (no eval).
expect = pytest.importorskip("playwright.sync_api").expect


def _new_application(page, base: str, name: str, id_number: str) -> str:
    """Create an application in the culture notice; returns its URL prefix."""
    page.goto(f"{base}/applications/new")
    page.select_option("#campaign_id", label="2021年度自治州文化系列职称评审")
    page.wait_for_load_state("networkidle")
    page.select_option("#unit_id", label="若羌县文化馆")
    page.fill("#name", name)
    page.fill("#id_number", id_number)
    page.select_option("#level", "intermediate")
    page.click("button.primary")
    page.wait_for_url("**/basic")
    return page.url.rsplit("/", 1)[0]


def test_gender_and_birth_date_follow_the_id_number_as_it_is_typed(page, live_server):
    login(page, live_server)
    _new_application(
        page, live_server, "古丽·艾买提", make_id("652824", date(1991, 4, 9), 77, "女")
    )
    # Known from the ID number the application was created with; no ethnicity assumed.
    assert page.input_value("#gender") == "女"
    assert page.input_value("#birth_date") == "1991-04-09"
    assert page.input_value("#ethnicity") == ""
    other = make_id("652801", date(1985, 2, 3), 12, "男")
    page.fill("#id_number", "")
    page.locator("#id_number").press_sequentially(other[:17])
    assert page.input_value("#birth_date") == "1991-04-09"  # nothing changes on a part
    page.locator("#id_number").press_sequentially(other[17])
    assert page.input_value("#birth_date") == "1985-02-03"
    assert page.input_value("#gender") == "男"
    shot(page, "71-id-fills-gender-and-birth-date")


def test_months_stay_months_and_a_row_added_by_mistake_is_dropped(page, live_server):
    login(page, live_server)
    base = _new_application(
        page, live_server, "阿依古丽·托合提", make_id("652824", date(1988, 8, 8), 78, "女")
    )
    page.goto(f"{base}/work")
    page.get_by_label("第1段工作经历 开始时间").fill("2010.07")
    page.get_by_label("第1段工作经历 结束时间").fill("2015年6月")
    page.get_by_label("第1段工作经历 工作单位").fill("若羌县文化馆")
    page.get_by_label("第1段工作经历 从事工作及职务").fill("群众文化辅导")
    page.click("text=添加一段工作经历")
    page.get_by_label("第2段工作经历 开始时间").fill("2015-8")
    page.get_by_label("第2段工作经历 工作单位").fill("若羌县图书馆")
    page.get_by_label("第2段工作经历 从事工作及职务").fill("馆员")
    page.click("text=添加一段工作经历")  # one row too many, left empty
    expect(page.locator("#rows tbody tr")).to_have_count(3)
    page.click("form#section-form .actions button.primary")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/work")  # saved, but with a gap to look at
    assert page.locator("#rows tbody tr").count() == 2  # the empty row was dropped
    assert page.input_value("#rows-0-start") == "2010-07"
    assert page.input_value("#rows-0-end") == "2015-06"
    gap = "第2段工作经历：与上一段经历之间有空档：上一段至2015年6月，这一段从2015年8月开始"
    assert page.locator(f"text={gap}").count() == 1  # said once, in months
    shot(page, "72-work-history-in-months")


def test_the_none_button_works_without_javascript(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    try:
        login(page, live_server)
        base = open_application(page, live_server, "古丽娜尔·吐尔逊")
        page.goto(f"{base}/political")
        page.fill("#conduct", "")
        page.fill("#appraisal", "拥护党的路线方针政策")
        page.click("button[value='none:conduct']")  # a plain POST that fills in, saves nothing
        assert page.input_value("#conduct") == "无"
        assert page.input_value("#appraisal") == "拥护党的路线方针政策"  # nothing typed is lost
        shot(page, "73-none-without-javascript")
    finally:
        context.close()


def test_the_none_button_fills_in_place_with_javascript(page, live_server):
    login(page, live_server)
    base = open_application(page, live_server, "古丽娜尔·吐尔逊")
    page.goto(f"{base}/political")
    page.evaluate("window.notReloaded = true")
    page.fill("#appraisal", "")
    page.click("button[value='none:appraisal']")
    assert page.input_value("#appraisal") == "无"
    assert page.evaluate("window.notReloaded") is True
