"""A clerk's workflow in Chromium: batch status changes, confirmations, reversal and locking."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login, open_application, shot

# No wait_for_function: it evaluates a string, which the portal's CSP forbids (no eval).
expect = pytest.importorskip("playwright.sync_api").expect


def test_a_batch_status_change_reaches_the_server_with_javascript_on(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=刘洋")
    page.wait_for_load_state("networkidle")
    page.check("#results input[name=ids]")
    page.select_option("#results select[name=to]", "accepted")
    page.wait_for_load_state("networkidle")
    # Choosing the status must not re-render the results (which cleared the ticks and choice).
    assert page.locator("#results input[name=ids]").is_checked()
    assert page.locator("#results select[name=to]").input_value() == "accepted"
    page.click("text=批量修改状态")
    page.wait_for_load_state("networkidle")
    flashes = page.locator(".flash").all_inner_texts()
    assert not any("请选择要改成的状态" in f for f in flashes), flashes
    # A draft cannot be accepted: the server says why for that person, so it got both.
    assert any("刘洋" in f and "不能改为" in f for f in flashes), flashes
    shot(page, "70-bulk-status-with-javascript")


def test_a_filter_select_still_refreshes_the_results_in_place(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.notReloaded = true")
    page.select_option("#filters select[name=status]", "in_publicity")
    expect(page).to_have_url(re.compile(r"status=in_publicity"))
    rows = page.locator("#results tbody tr")
    expect(rows.filter(has_not_text="公示中")).to_have_count(0)
    assert rows.count() >= 1
    assert page.evaluate("window.notReloaded") is True
    assert "status=in_publicity" in page.url


def _review(page, base: str, name: str) -> None:
    page.goto(f"{open_application(page, base, name)}/review")
    page.wait_for_load_state("networkidle")


def test_reporting_asks_which_submission_it_uses_then_locks_the_sections(page, live_server):
    login(page, live_server, "hejing")
    _review(page, live_server, "巴音德力格尔")
    assert page.locator("text=将是第1次提交（最多3次）").count() == 1
    page.click("button[value=reported]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "确认改为“已报送州”"
    assert page.locator("text=这将是第1次提交（最多3次，此后还可提交2次）").count() == 1
    shot(page, "74-confirm-report")
    page.click("button:has-text('确认改为“已报送州”')")
    page.wait_for_load_state("networkidle")
    assert "当前状态：已报送州" in page.locator("main").inner_text()
    assert page.locator("#lock >> text=各部分已锁定").count() == 1
    page.click("text=查看各部分")
    page.wait_for_load_state("networkidle")
    assert page.locator("fieldset[disabled]").count() == 1
    assert page.locator("form#section-form button.primary").count() == 0
    assert "已锁定" in page.locator(".flash.lock").inner_text()
    shot(page, "75-locked-section")


def test_rejecting_is_asked_in_red_and_an_admin_reverses_it(page, live_server):
    login(page, live_server, "hejing")
    _review(page, live_server, "阿依古丽·叶尔肯")
    button = page.locator("button[value=rejected]")
    assert "danger" in button.get_attribute("class")
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(198, 40, 40)"
    button.click()
    page.wait_for_load_state("networkidle")
    confirm = page.locator("button.danger.solid")
    assert confirm.inner_text() == "确认改为“不予受理”"
    assert "此操作不能撤回" in page.locator("main").inner_text()
    shot(page, "76-confirm-reject")
    confirm.click()
    page.wait_for_load_state("networkidle")
    assert "当前状态：不予受理" in page.locator("main").inner_text()
    assert page.locator("text=解锁修改").count() == 0  # final: never unlocked

    page.click("button.link:has-text('退出')")
    login(page, live_server, "admin")
    _review(page, live_server, "阿依古丽·叶尔肯")
    page.fill("#reverse-reason", "误点不予受理，材料齐全")
    page.click("form.reverse button.danger")
    page.wait_for_load_state("networkidle")
    assert "当前状态：已报送州" in page.locator("main").inner_text()
    assert page.locator("tr.reversal", has_text="误点不予受理").count() == 1
    shot(page, "77-reversed-by-admin")


def test_an_unticked_material_is_named_on_its_page_and_on_the_review(page, live_server):
    login(page, live_server)
    base = open_application(page, live_server, "古丽娜尔·吐尔逊")
    page.goto(f"{base}/materials")
    boxes = page.locator("input[id$='-received']")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    boxes.first.uncheck()
    label = boxes.first.get_attribute("aria-label")  # 第1项材料（名称） 已收到
    name = label.split("（", 1)[1].rsplit("）", 1)[0]
    page.click("form#section-form .actions button.primary")
    page.wait_for_load_state("networkidle")
    reason = f"尚未收到“{name}”，报送前须收齐。"
    page.goto(f"{base}/materials")
    assert page.locator(f"text={reason}").count() == 1
    assert page.locator("a[href$='/materials'] [data-state=problem]").count() == 1
    shot(page, "78-materials-reason-on-its-page")
    page.goto(f"{base}/review")
    assert page.locator(f"text={reason}").count() == 1
    assert page.locator("text=未发现问题").count() == 0
    shot(page, "79-materials-reason-on-the-review")
