"""The demo clerk logs in and reaches the office home page, in Chromium."""

from __future__ import annotations

from tests.browser.conftest import login, shot


def test_the_demo_clerk_logs_in_and_sees_the_office_home(page, live_server):
    page.goto(f"{live_server}/login")
    shot(page, "01-login")
    page.fill("#username", "ruoqiang")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "用户名或密码错误，请重新输入。"
    login(page, live_server)
    assert page.locator("h1").inner_text() == "若羌县文化体育广播电视和旅游局"
    assert page.locator(".stat").count() >= 2
    shot(page, "02-home")


def test_every_main_page_renders_for_the_clerk(page, live_server):
    login(page, live_server)
    for path, heading, name in [
        ("/units", "推荐单位", "03-units"),
        ("/campaigns/", "评审通知", "04-campaigns"),
        ("/campaigns/bz-partyschool-2023", "2023年度自治州党干校教师系列职称评审", "05-campaign"),
        ("/applications/", "申报人员", "06-applications"),
        ("/applications/new", "新建申报", "07-new"),
    ]:
        page.goto(f"{live_server}{path}")
        assert page.locator("h1").first.inner_text() == heading
        shot(page, name)


def test_the_admin_manages_users(page, live_server):
    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users")
    assert page.locator("td", has_text="ruoqiang").count() == 1
    shot(page, "08-users")
