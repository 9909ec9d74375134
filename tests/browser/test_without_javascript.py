"""With JavaScript switched off, the forms still work as plain POSTs."""

from __future__ import annotations

from tests.browser.conftest import shot


def test_rows_and_saving_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "ruoqiang")
        page.fill("#password", "demo-pass-2024")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")  # logged in before going on
        page.goto(f"{live_server}/applications/?q=刘洋")
        page.click("text=刘洋")
        base = page.url.rsplit("/", 1)[0]
        page.goto(f"{base}/awards")
        page.uncheck("#none")
        page.click("#rows button[value=add]")  # a full-page POST that adds a row, saves nothing
        page.fill("#rows-0-awarded_on", "2020-05-01")
        page.fill("#rows-0-name", "全州群众文艺汇演")
        page.fill("#rows-0-level", "州级二等奖")
        page.fill("#rows-0-issuer", "巴州文体广旅局")
        page.click("#rows button[value=add]")
        assert page.locator("#rows tbody tr").count() == 2
        page.click("#rows tbody tr:nth-child(2) button[value^=remove]")
        assert page.locator("#rows tbody tr").count() == 1
        assert page.input_value("#rows-0-name") == "全州群众文艺汇演"
        page.click("form#section-form .actions button.primary")
        assert page.url.endswith("/papers")
        page.goto(f"{base}/awards")
        assert page.input_value("#rows-0-name") == "全州群众文艺汇演"
        shot(page, "52-no-javascript-awards")
    finally:
        context.close()
