"""A clerk enters a whole application in Chromium, section by section, and edits rows."""

from __future__ import annotations

from datetime import date

import pytest

from portal.applications.idcard import make_id
from tests.browser.conftest import login, shot

expect = pytest.importorskip("playwright.sync_api").expect  # skipped without it

SECTION_KEYS = [
    "basic",
    "education",
    "qualification",
    "work",
    "achievements",
    "awards",
    "papers",
    "assessments",
    "continuing_education",
    "political",
    "summary",
    "publicity",
    "materials",
]


def _save(page) -> None:
    page.click("form#section-form .actions button.primary")
    page.wait_for_load_state("networkidle")


def test_a_clerk_creates_an_application_and_completes_every_section(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/new")
    page.select_option("#campaign_id", label="2021年度自治州文化系列职称评审")
    page.wait_for_load_state("networkidle")
    page.select_option("#unit_id", label="若羌县文化馆")
    page.fill("#name", "热依拉·买买提")
    page.fill("#id_number", make_id("652824", date(1990, 5, 6), 321, "女").lower())
    page.select_option("#specialty", "群众文化")
    page.select_option("#level", "intermediate")
    page.click("button.primary")
    page.wait_for_url("**/basic")
    base = page.url.rsplit("/", 1)[0]

    page.select_option("#gender", "女")
    page.select_option("#ethnicity", "维吾尔族")
    page.fill("#birth_date", "1990.05.06")
    page.select_option("#political_status", "中共党员")
    page.fill("#phone", "13899001122")
    page.fill("#work_start", "2012年8月")
    page.select_option("#mandarin_level", "二级甲等")
    shot(page, "10-section-basic")
    _save(page)
    assert page.url.endswith("/education"), page.locator(".error").all_inner_texts()

    page.fill("#rows-0-start", "2008-09-01")
    page.fill("#rows-0-end", "2012-07-01")
    page.fill("#rows-0-school", "新疆艺术学院")
    page.fill("#rows-0-major", "群众文化")
    page.select_option("#rows-0-level", "大学本科")
    page.select_option("#rows-0-degree", "学士")
    shot(page, "11-section-education")
    _save(page)
    assert page.url.endswith("/qualification"), page.locator(".error").all_inner_texts()

    page.fill("#title", "助理馆员")
    page.fill("#series", "文化系列")
    page.select_option("#level", "junior")
    page.fill("#obtained_on", "2016-09-01")
    page.fill("#appointed_on", "2016-12-01")
    page.fill("#certificate_no", "XJ2016000123")
    shot(page, "12-section-qualification")
    _save(page)
    assert page.url.endswith("/work"), page.locator(".error").all_inner_texts()

    page.fill("#rows-0-start", "2012-08-01")
    page.fill("#rows-0-unit", "若羌县文化馆")
    page.fill("#rows-0-work", "群众文化辅导")
    shot(page, "13-section-work")
    _save(page)
    assert page.url.endswith("/achievements")

    page.fill("#summary", "组织全县群众文化活动四十余场，本人负责策划和组织实施。")
    shot(page, "14-section-achievements")
    _save(page)
    assert page.url.endswith("/awards")

    page.check("#none")
    shot(page, "15-section-awards")
    _save(page)
    assert page.url.endswith("/papers")

    page.click("#rows button[value=add]")
    page.wait_for_selector("#rows-0-title")
    page.fill("#rows-0-title", "基层群众文化活动组织的实践")
    page.fill("#rows-0-journal", "新疆艺术")
    page.fill("#rows-0-published_on", "2020.03")
    page.select_option("#rows-0-level", "自治区级")
    shot(page, "16-section-papers")
    _save(page)
    assert page.url.endswith("/assessments"), page.locator(".error").all_inner_texts()

    for i in range(page.locator("select[id$='-result']").count()):
        page.select_option(f"#rows-{i}-result", "competent")
    shot(page, "17-section-assessments")
    _save(page)
    assert page.url.endswith("/continuing_education")

    for i in range(page.locator("input[id$='-public_hours']").count()):
        page.fill(f"#rows-{i}-public_hours", "30")
        page.fill(f"#rows-{i}-professional_hours", "60")
    shot(page, "18-section-continuing_education")
    _save(page)
    assert page.url.endswith("/political")

    page.click("button[data-fill-none=conduct]")
    assert page.input_value("#conduct") == "无"
    page.fill("#conduct", "政治立场坚定，遵纪守法。")
    page.fill("#appraisal", "该同志政治立场坚定，廉洁自律。")
    shot(page, "19-section-political")
    _save(page)
    assert page.url.endswith("/summary")

    page.fill("#text", "任现职以来，本人认真履行岗位职责……")
    shot(page, "20-section-summary")
    _save(page)
    assert page.url.endswith("/publicity")

    page.fill("#start", "2021-09-01")
    _save(page)
    assert page.url.endswith("/materials"), page.locator(".error").all_inner_texts()

    for box in page.locator("input[id$='-received']").all():
        box.check()
    _save(page)
    shot(page, "22-section-materials")

    for key in SECTION_KEYS:
        page.goto(f"{base}/{key}")
        badge = page.locator(f"nav.sidenav a[href$='/{key}'] .badge")
        assert badge.get_attribute("data-state") == "done", (key, badge.inner_text())
    page.goto(f"{base}/publicity")
    assert "2021年9月1日起至2021年9月7日止" in page.locator("#publicity-period").inner_text()
    shot(page, "21-section-publicity")


def test_rows_are_added_and_removed_without_a_page_reload(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=张丽娟")
    page.click("text=张丽娟")
    base = page.url.rsplit("/", 1)[0]
    page.goto(f"{base}/work")
    page.evaluate("window.__marker = 'same page'")
    rows = page.locator("#rows tbody tr")
    before = rows.count()
    page.click("#rows button[value=add]")
    expect(rows).to_have_count(before + 1)  # (no wait_for_function: the CSP forbids eval)
    page.fill(f"#rows-{before}-start", "2030-01-01")
    page.keyboard.press("Enter")  # Enter in a row field must not submit the page
    page.wait_for_timeout(300)
    assert page.evaluate("window.__marker") == "same page"
    page.click(f"#rows tbody tr:nth-child({before + 1}) button[value^=remove]")
    expect(rows).to_have_count(before)
    assert page.evaluate("window.__marker") == "same page"
    shot(page, "23-rows-after-remove")


def test_a_bad_id_number_is_reported_at_the_field_when_it_loses_focus(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=张丽娟")
    page.click("text=张丽娟")
    field = page.locator("#id_number")
    value = field.input_value()
    field.fill(value[:-1] + ("0" if value[-1] != "0" else "1"))
    page.locator("#phone").focus()
    page.wait_for_selector("#err-id_number .error")
    assert "校验位" in page.locator("#err-id_number").inner_text()
    shot(page, "24-inline-id-error")
