"""Every other page the staff use opens in Chromium and shows what it should."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

expect = pytest.importorskip("playwright.sync_api").expect  # skipped without it


def test_unit_pages(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/units")
    page.click("text=编辑 >> nth=0")
    assert page.locator("#supervision_phone").input_value()
    page.fill("#supervision_phone", "12")
    page.click("button.primary")
    assert "本地电话" in page.locator("#err-supervision_phone").inner_text()
    shot(page, "40-unit-form-error")


def test_the_password_page(page, live_server):
    login(page, live_server, "hejing")
    page.click("a[title=修改密码]")
    page.fill("#current", "demo-pass-2024")
    page.fill("#new", "short")
    page.fill("#confirm", "short")
    page.click("button.primary")
    assert "密码至少10个字符" in page.locator("#err-new").inner_text()
    shot(page, "55-password")


def test_roster_pages(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/rosters/")
    assert page.locator("h1").first.inner_text().startswith("申报人员花名册")
    shot(page, "41-roster")
    page.goto(f"{live_server}/rosters/summary")
    shot(page, "42-roster-summary")
    page.goto(f"{live_server}/rosters/import")
    assert page.locator("input[type=file]").count() == 1
    shot(page, "43-roster-import")
    with page.expect_download() as download:
        page.goto(f"{live_server}/rosters/?status=all")  # the demo office has sent none yet
        page.click("button[value=xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_document_pages(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=买买提")
    page.click("text=审核")
    page.click("text=打印文书")
    page.wait_for_load_state("networkidle")
    shot(page, "44-documents")
    page.click("a[href$='/publicity'] >> nth=0")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=根据自治区职称评审工作的要求").count() >= 1
    shot(page, "45-publicity-preview")


def test_admin_pages(page, live_server):
    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/workdays/")
    page.fill("#day", "2025-06-06")
    page.fill("#name", "古尔邦节")
    page.click("button.primary")
    assert page.locator("td", has_text="古尔邦节").count() == 1
    shot(page, "46-workdays")
    page.goto(f"{live_server}/rosters/audit")
    shot(page, "47-audit")
    page.goto(f"{live_server}/offices")
    assert page.locator("td", has_text="652824-wtgl").count() == 1
    page.goto(f"{live_server}/offices/new")
    page.click("button.primary")
    assert page.locator("#err-code .error").count() == 1
    shot(page, "50-office-form")
    page.goto(f"{live_server}/campaigns/upload")
    page.set_input_files(
        "#file", files=[{"name": "x.txt", "mimeType": "text/plain", "buffer": b"not a notice"}]
    )
    page.click("button.primary")
    assert "toml" in page.locator("#err-file").inner_text()
    shot(page, "51-campaign-upload")
    page.goto(f"{live_server}/admin/users/new")
    page.click("button.primary")
    assert page.locator(".error").count() >= 1
    shot(page, "48-user-form")


def test_the_prefecture_reads_every_office(page, live_server):
    login(page, live_server, "bazhou")
    page.goto(f"{live_server}/applications/")
    assert page.locator("td", has_text="和静县").count() >= 1
    assert page.locator("td", has_text="若羌县").count() >= 1
    page.goto(f"{live_server}/rosters/summary")
    shot(page, "49-prefecture-summary")


def test_the_unit_template_editor_previews_and_refuses_code(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server}/documents/templates/new")
    page.wait_for_selector("#preview .sheet, #preview p")
    text = page.locator("#text")
    text.fill(text.input_value().replace("公示时间从", "本单位公示时间从"))
    text.press("End")  # the preview follows key presses
    expect(page.locator("#preview")).to_contain_text("本单位公示时间从")  # no eval under the CSP
    text.fill(text.input_value() + "\n{{ config }}")
    text.press("End")
    expect(page.locator("#err-text")).to_contain_text("config")
    shot(page, "53-unit-template-error")
    page.goto(f"{live_server}/documents/templates/")
    shot(page, "54-unit-templates")
