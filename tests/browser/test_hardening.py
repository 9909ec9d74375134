"""Issue 11 in Chromium: the CSP breaks nothing, moved JavaScript works, login and audit pages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

expect = pytest.importorskip("playwright.sync_api").expect  # skipped without it

PASSWORD = "demo-pass-2024"


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, script error and failed request collected."""
    problems: list[str] = []

    def console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def response(resp) -> None:
        # No favicon yet (issue 13); downloads and refusals the tests provoke are not errors.
        if resp.status >= 500 or (resp.status == 404 and not resp.url.endswith("/favicon.ico")):
            problems.append(f"{resp.status} {resp.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.problems = problems
    return page


def test_the_login_page_says_what_went_wrong_and_slows_guessing(watched, live_server):
    page = watched
    page.goto(f"{live_server}/login")
    page.fill("#username", "ruoqiang")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator("#err-password").inner_text()
    shot(page, "60-login-wrong-password")
    assert page.problems == []


def test_staff_pages_run_under_the_csp_without_a_single_violation(watched, live_server):
    page = watched
    login(page, live_server)
    for path in (
        "/",
        "/applications/",
        "/units",
        "/rosters/",
        "/campaigns/",
        "/documents/templates/new",
        "/account/password",
    ):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
    # Active search still works with htmx's eval switched off.
    page.goto(f"{live_server}/applications/")
    page.fill("input[type=search]", "买买提")
    # (Playwright's wait_for_function evaluates a string: the CSP forbids that, so expect().)
    expect(page.locator("#results")).not_to_contain_text("阿依古丽")
    assert page.locator("#results td", has_text="买买提").count() >= 1
    assert page.problems == [], page.problems


def test_select_all_ticks_every_row(watched, live_server):
    page = watched
    login(page, live_server)
    page.goto(f"{live_server}/applications/")
    page.check("input[data-select-all]")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() > 1
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("input[data-select-all]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert page.problems == []


def test_deleting_a_draft_asks_first(watched, live_server):
    page = watched
    login(page, live_server)
    page.goto(f"{live_server}/applications/?status=draft")
    page.click("#results a:text('审核') >> nth=0")
    url = page.url
    questions = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.click("button:text('删除此申报草稿')")
    assert questions == ["确定删除此申报草稿吗？删除后不能恢复。"]
    assert page.url == url  # dismissed: nothing deleted, still on the review page
    shot(page, "61-review-delete-asks")
    assert page.problems == []


def test_the_template_editor_inserts_a_placeholder_at_the_cursor(watched, live_server):
    page = watched
    login(page, live_server)
    page.goto(f"{live_server}/documents/templates/new")
    page.wait_for_selector("#preview .sheet, #preview p")
    text = page.locator("#text")
    text.fill("公示对象：")
    text.press("End")
    page.click("[data-insert='{{ 姓名 }}'] >> nth=0")
    assert text.input_value() == "公示对象：{{ 姓名 }}"
    expect(page.locator("#preview")).to_contain_text("公示对象：")
    shot(page, "62-template-insert")
    assert page.problems == []


def test_a_document_preview_keeps_its_styles_and_prints(watched, live_server):
    page = watched
    login(page, live_server)
    page.goto(f"{live_server}/applications/?q=买买提")
    page.click("text=审核")
    page.click("text=打印文书")
    page.click("a[href$='/publicity'] >> nth=0")
    page.wait_for_load_state("networkidle")
    # The preview's own <style> (with the response's nonce) applied: the toolbar is styled.
    assert page.locator(".toolbar").count() == 1
    margin = page.evaluate("getComputedStyle(document.querySelector('.sheet')).marginLeft")
    assert margin != "0px"
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.printed") is True
    shot(page, "63-preview-under-csp")
    assert page.problems == [], page.problems


def test_the_audit_page_filters_and_exports(watched, live_server):
    page = watched
    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/audit/")
    assert page.locator("h1").inner_text() == "操作日志"
    assert page.locator("td", has_text="登录").count() >= 1
    page.select_option("#action", "login")
    page.click("button:text('查询')")
    actions = page.locator("tbody tr td:nth-child(4)")
    assert actions.count() >= 1
    assert {actions.nth(i).inner_text() for i in range(actions.count())} == {"登录"}
    shot(page, "64-audit")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.fill("#date_from", "2024-05-01")
    page.fill("#date_to", "2024-04-01")
    page.click("button:text('查询')")
    assert "截止日期不能早于起始日期" in page.locator("#err-date_to").inner_text()
    shot(page, "65-audit-bad-dates")
    assert page.problems == []


def test_logging_out_forgets_the_remembered_login(watched, live_server, browser):
    page = watched
    page.goto(f"{live_server}/login")
    page.fill("#username", "hejing")
    page.fill("#password", PASSWORD)
    page.check("#remember")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert any(c["name"] == "remember_token" for c in page.context.cookies())
    page.click("button:text('退出')")
    page.wait_for_url(f"{live_server}/login")
    assert not any(c["name"] == "remember_token" for c in page.context.cookies())
    page.goto(f"{live_server}/units")
    assert page.url.startswith(f"{live_server}/login")
    shot(page, "66-after-logout")


def test_the_password_page_offers_logout_everywhere(watched, live_server):
    page = watched
    login(page, live_server, "hejing")
    page.goto(f"{live_server}/account/password")
    assert "退出所有设备" in page.locator("body").inner_text()
    shot(page, "67-password-and-devices")
    assert page.problems == []


def test_the_prefecture_reads_the_region_wide_holidays_without_changing_them(watched, live_server):
    page = watched
    login(page, live_server, "bazhou")
    page.goto(f"{live_server}/admin/workdays/")
    assert "只有系统管理员可以修改" in page.locator("body").inner_text()
    assert page.locator("#day").count() == 0 and page.locator("button.danger").count() == 0
    shot(page, "68-workdays-prefecture")
    assert page.problems == []
