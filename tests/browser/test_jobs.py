"""In Chromium: the list's check column, the home page's applications to fix, and a batch
and a roster export that run as background jobs (progress polled, then the download link)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import _require_browser, demo_app, login, serving, shot


@pytest.fixture(scope="module")
def jobs_server(tmp_path_factory):
    """A portal whose batches and rosters of more than 2 run as background jobs."""
    _require_browser()
    app = demo_app(
        tmp_path_factory.mktemp("jobs"),
        DOCUMENT_BATCH_BACKGROUND_THRESHOLD=2,
        ROSTER_JOB_THRESHOLD=2,
    )
    with serving(app) as url:
        yield url


def test_the_list_shows_problems_and_unfinished_sections(page, live_server) -> None:
    login(page, live_server)
    page.goto(f"{live_server}/applications/")
    cells = page.locator("td.check")
    assert cells.count() >= 5
    text = " ".join(cells.all_inner_texts())
    assert "项必须修改" in text and "未完成：" in text
    badge = page.locator("td.check a.badge-problem").first
    assert badge.get_attribute("title")  # the first problem, on hover
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "jobs-list-check-column")
    assert width <= 1366, f"the list is {width}px wide at 1366"


def test_the_home_page_lists_applications_to_fix(page, live_server) -> None:
    login(page, live_server)
    assert page.locator("text=需要修改的申报").count() == 1
    rows = page.locator("section.card:has(h2:has-text('需要修改的申报')) tbody tr")
    assert rows.count() >= 1
    shot(page, "jobs-home-needing-work")


def test_a_large_batch_runs_as_a_job_and_offers_its_file(page, jobs_server) -> None:
    # One draft among the selection: listed first, then skipped on the clerk's word; the
    # job makes the rest and names the skipped one beside its file.
    login(page, jobs_server, "hejing")
    page.goto(f"{jobs_server}/applications/")
    rows = page.locator("#results tbody tr")
    chosen, draft = 0, ""
    for i in range(rows.count()):
        text = rows.nth(i).inner_text()
        if "草稿" not in text:  # the demo's drafts lack what documents need
            rows.nth(i).locator("input[name=ids]").check()
            chosen += 1
        elif not draft:
            rows.nth(i).locator("input[name=ids]").check()
            draft = rows.nth(i).locator("input[name=ids]").get_attribute("aria-label")
    assert chosen > 2 and draft  # more than the threshold: a background job
    page.click("button:has-text('打印文书')")
    page.wait_for_url("**/documents/batch")
    page.check("input[name=kinds][value=publicity]")
    page.check("input[name=mode][value=zip]")
    page.click("form button.primary:has-text('生成')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#incomplete li").count() == 1
    page.click(f"button:has-text('跳过以上1份，生成其余{chosen}份')")
    page.wait_for_url("**/jobs/**")
    shot(page, "jobs-batch-progress")
    status = page.locator("#job-status")
    status.locator("text=已完成").wait_for(timeout=120_000)
    assert f"已生成 {chosen}/{chosen}" in status.inner_text()
    skipped = status.locator("ul.skipped li")
    assert skipped.count() == 1 and draft.removeprefix("选择 ") in skipped.inner_text()
    shot(page, "jobs-batch-finished")
    with page.expect_download() as download:
        page.click("#job-status a.button")
    assert download.value.suggested_filename == f"推荐单位公示_{chosen}人.zip"
    saved = download.value.path()  # waits until the whole file has arrived
    with zipfile.ZipFile(saved) as archive:
        assert len(archive.namelist()) == chosen


def test_a_large_roster_export_runs_as_a_job(page, jobs_server) -> None:
    login(page, jobs_server, "hejing")
    page.goto(f"{jobs_server}/rosters/")
    page.locator("#roster-status").select_option("all")  # drafts too: more than sent
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    listed = int(page.locator("#roster-count").inner_text())
    assert listed > 2  # more than the threshold: a background job
    page.click("button[value=xlsx]")
    page.wait_for_url("**/jobs/**")
    status = page.locator("#job-status")
    assert "导出《" in page.locator("main").inner_text()
    shot(page, "jobs-roster-progress")
    status.locator("text=已完成").wait_for(timeout=120_000)
    assert f"已生成 {listed}/{listed}" in status.inner_text()
    assert page.locator("main a:has-text('返回花名册')").count() == 1
    shot(page, "jobs-roster-finished")
    with page.expect_download() as download:
        page.click("#job-status a.button")
    assert download.value.suggested_filename.endswith(".xlsx")
    data = download.value.path().read_bytes()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    numbered = [row for row in ws.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert len(numbered) == listed
