"""The review page and the dashboard with the demo data, in Chromium."""

from __future__ import annotations

from tests.browser.conftest import login, shot


def test_the_dashboard_and_the_review_page_with_demo_data(page, live_server):
    login(page, live_server, "hejing")
    # The demo leaves some applications unfinished: the dashboard lists them.
    assert page.locator("h2", has_text="需要修改的申报").count() == 1
    rows = page.locator("section:has(h2:has-text('需要修改的申报')) tbody tr")
    assert rows.count() >= 1
    shot(page, "30-dashboard")
    rows.first.locator("a").first.click()
    page.wait_for_url("**/review")
    assert page.locator("h1").inner_text().endswith("审核与状态")
    assert page.locator(".finding-blocking").count() >= 1
    assert page.locator("text=评审费").count() == 1
    shot(page, "31-review")
    # A finding links to the section and field it is about.
    page.locator(".finding-blocking a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/applications/" in page.url and "/review" not in page.url
    shot(page, "32-finding-target")


def test_a_complete_demo_application_goes_into_publicity(page, live_server):
    login(page, live_server, "ruoqiang")
    page.goto(f"{live_server}/applications/?q=张丽娟")
    page.click("text=审核")
    page.wait_for_url("**/review")
    shot(page, "33-review-complete")
    page.goto(page.url.replace("/review", "/publicity"))
    page.fill("#start", "2021-09-01")
    page.click("form#section-form .actions button.primary")
    page.wait_for_load_state("networkidle")
    page.goto(page.url.rsplit("/", 1)[0] + "/review")
    page.click("button[value=in_publicity]")
    page.wait_for_load_state("networkidle")
    assert "状态已改为“公示中”" in page.locator(".flash-success").inner_text()
    shot(page, "34-review-in-publicity")
