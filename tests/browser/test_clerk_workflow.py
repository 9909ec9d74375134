"""A clerk's workflow in Chromium: batch status changes, confirmations, reversal and locking."""

from __future__ import annotations

from tests.browser.conftest import login, shot


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
    page.wait_for_function(
        "[...document.querySelectorAll('#results tbody tr')].every("
        "r => r.innerText.includes('公示中'))"
    )
    assert page.evaluate("window.notReloaded") is True
    assert "status=in_publicity" in page.url
