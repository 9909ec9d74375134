"""htmx requests get fragments (read with htmx-flask's request.htmx), in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

# No wait_for_function: it evaluates a string, which the portal's CSP forbids (no eval).
expect = pytest.importorskip("playwright.sync_api").expect


def test_search_as_you_type_swaps_the_results_without_reloading(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/")
    names = page.locator("#results tbody tr td:nth-child(2) a:first-child").all_inner_texts()
    assert len(names) >= 2
    page.evaluate("window.notReloaded = true")
    page.fill("input[type=search]", names[0])
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True  # a fragment was swapped in
    assert page.locator("h1").count() == 1  # no page nested in the results
    assert names[0] in page.locator("#results tbody tr").inner_text()
    shot(page, "60-htmx-search")


def test_choosing_another_campaign_refreshes_the_targets_in_place(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/new")
    page.evaluate("window.notReloaded = true")
    page.select_option("#campaign_id", label="2021年度自治州工程系列水利专业职称评审")
    expect(page.locator("#specialty option", has_text="水利").first).to_be_attached()
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#target").count() == 1 and page.locator("form").count() >= 1
    shot(page, "61-htmx-new-target")
