"""The roster page in Chromium: what is listed by default, the status column, search, download."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login, shot

expect = pytest.importorskip("playwright.sync_api").expect


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_roster_lists_what_is_sent_and_says_so(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "hejing")  # an office that has reported applications
    page.goto(f"{live_server}/rosters/")
    choice = page.locator("#roster-status")
    assert choice.locator("option:checked").inner_text().startswith("报送的")
    assert "已推荐" in page.locator("#roster-summary").inner_text()  # the choice is explained
    table = page.locator("table.roster-table")
    headers = table.locator("thead th").all_inner_texts()
    assert "状态" not in headers and "身份证号" in headers
    listed = int(page.locator("#roster-count").inner_text())
    assert listed == table.locator("tbody tr").count() >= 1
    assert page.locator("#roster-unsent").count() == 0
    # The check of the selection arrives after the page: what would be refused, or nothing.
    page.wait_for_selector("#roster-blocked, #roster-checked")
    checked = page.locator("#roster-check").inner_text()
    assert "必须修改的问题" in checked and "正在检查" not in checked
    _no_horizontal_scroll(page)
    shot(page, "46-roster-sent")

    # Everyone, drafts included: a status column, a warning, and fees still only for the sent.
    fees = page.locator("#roster-fees").inner_text()
    choice.select_option("all")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    headers = table.locator("thead th").all_inner_texts()
    assert "状态" in headers
    statuses = table.locator(f"tbody td:nth-child({headers.index('状态') + 1})").all_inner_texts()
    assert "草稿" in statuses and "已报送州" in statuses
    assert "尚未推荐的人员" in page.locator("#roster-unsent").inner_text()
    page.wait_for_selector("#roster-blocked, #roster-checked")
    assert page.locator("#roster-fees").inner_text() == fees
    assert int(page.locator("#roster-count").inner_text()) > listed
    _no_horizontal_scroll(page)
    shot(page, "47-roster-all")

    # Active search narrows the table (only), without reloading the page.
    name = table.locator(f"tbody td:nth-child({headers.index('姓名') + 1})").last.inner_text()
    page.fill("input[type=search][name=q]", name)
    # expect() polls without eval: wait_for_function evaluates a string, which the CSP forbids.
    expect(page.locator("#roster-rows p").first).to_have_text(re.compile(r"^找到"))
    rows = table.locator("tbody tr").all_inner_texts()
    assert rows and all(name in r for r in rows) and len(rows) < len(statuses)
    shot(page, "48-roster-search")

    # Leave the search field first, as a clerk does: on this branch the field's blur between
    # the button's press and release made the release land on a div (no submit, no download).
    page.locator("input[type=search][name=q]").blur()
    with page.expect_download() as download:
        page.click("button[value=xlsx]")
    data = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [(c.value or "").replace("\n", "") for c in ws[3]]
    assert "状态" in header and ws.page_setup.orientation == "landscape"


def test_the_roster_names_a_sent_application_that_has_blocking_findings(page, tmp_path):
    import sqlalchemy as sa

    from portal.applications.models import Application
    from portal.extensions import db
    from portal.offices.models import Office
    from tests.browser.conftest import demo_app, serving
    from tests.factories import make_application

    app = demo_app(tmp_path)
    with app.app_context():
        office = db.session.scalars(sa.select(Office).where(Office.code == "652827-slj")).one()
        sent = db.session.scalars(
            sa.select(Application).where(
                Application.office_id == office.id, Application.status == "reported"
            )
        ).first()
        # Reported, then found wanting: its sections are empty.
        bare = make_application(office, sent.unit, sent.campaign, "赵空白", seq=77)
        bare.status = "reported"
        db.session.commit()
        review = f"/applications/{bare.id}/review"
    page.set_viewport_size({"width": 1366, "height": 768})
    with serving(app) as base:
        login(page, base, "hejing")
        page.goto(f"{base}/rosters/")
        warning = page.locator("#roster-blocked")
        warning.wait_for()
        assert "所选人员中有 1 人存在必须修改的问题" in warning.inner_text()
        assert "赵空白（已报送州）" in warning.inner_text()
        _no_horizontal_scroll(page)
        shot(page, "49-roster-blocked")
        warning.get_by_role("link", name="赵空白").click()
        page.wait_for_url(f"{base}{review}")
