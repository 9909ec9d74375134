"""htmx requests get fragments (read with htmx-flask's request.htmx), in Chromium."""

from __future__ import annotations

from tests.browser.conftest import login, shot


def test_search_as_you_type_swaps_the_results_without_reloading(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/")
    names = page.locator("#results tbody tr td:nth-child(2) a:first-child").all_inner_texts()
    assert len(names) >= 2
    page.evaluate("window.notReloaded = true")
    page.fill("input[type=search]", names[0])
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert page.evaluate("window.notReloaded") is True  # a fragment was swapped in
    assert page.locator("h1").count() == 1  # no page nested in the results
    assert names[0] in page.locator("#results tbody tr").inner_text()
    shot(page, "60-htmx-search")


def test_choosing_another_campaign_refreshes_the_targets_in_place(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/new")
    page.evaluate("window.notReloaded = true")
    page.select_option("#campaign_id", label="2021年度自治州工程系列水利专业职称评审")
    page.wait_for_function(
        "[...document.querySelectorAll('#specialty option')].some(o => o.text.includes('水利'))"
    )
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#target").count() == 1 and page.locator("form").count() >= 1
    shot(page, "61-htmx-new-target")
