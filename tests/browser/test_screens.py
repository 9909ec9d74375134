"""Every staff page at 1366×768: no horizontal scroll, no internal codes, a screenshot each.

Done when (issue 13): every page a clerk, a prefecture reader or an administrator opens fits
a 1366 px wide window (document width ≤ viewport width) and has been looked at. Pages are
found by following the portal's own links, so a new page of these kinds is covered too.
"""

from __future__ import annotations

import re

import pytest

from portal.applications.sections import SECTIONS
from tests.browser.conftest import login, shot

WIDTH, HEIGHT = 1366, 768
# What staff must not have to read: notice and office codes, the holiday library's name.
INTERNAL = re.compile(r"bz-[a-z]+-\d{4}|\d{6}-[a-z]+|chinese[-_]calendar")


@pytest.fixture
def screen(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _check(page, url: str, name: str, *, codes_allowed: bool = False) -> None:
    """Open a page: no horizontal scroll, row tables whole, no internal codes; screenshot it."""
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{url} is {width} px wide"
    clipped = page.evaluate(
        "[...document.querySelectorAll('#rows, .card')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className)"
    )
    assert not clipped, f"{url}: {clipped} scroll sideways inside"
    if not codes_allowed:
        assert not INTERNAL.findall(page.locator("body").inner_text()), url
    shot(page, f"90-{name}")


def _hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.href)")


def test_every_clerk_page_fits_1366_without_codes(screen, live_server):
    page = screen
    login(page, live_server)
    base = live_server
    _check(page, f"{base}/", "clerk-home")
    _check(page, f"{base}/applications/", "clerk-applications")
    first = _hrefs(page, "#results tbody td:nth-child(2) a:first-child")[0].rsplit("/", 1)[0]
    _check(page, f"{base}/applications/new", "clerk-new")
    for i, section in enumerate(SECTIONS, start=1):
        _check(page, f"{first}/{section.key}", f"clerk-section-{i:02d}-{section.key}")
        if section.rows and section.key != "materials":  # with one row more, as a clerk adds
            page.click(f"text={section.add_label}")
            page.wait_for_load_state("networkidle")
            shot(page, f"90-clerk-section-{i:02d}-{section.key}-one-row-more")
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
            assert page.evaluate(
                "document.querySelector('#rows').scrollWidth <= "
                "document.querySelector('#rows').clientWidth + 1"
            ), section.key
    _check(page, f"{first}/review", "clerk-review")
    app_id = first.rsplit("/", 1)[1]
    _check(page, f"{base}/documents/{app_id}/", "clerk-documents")
    previews = _hrefs(page, "main a:has-text('打印预览')")
    assert previews, "no document can be previewed"
    _check(page, previews[0], "clerk-document-preview")
    for path, name in [
        ("/rosters/", "clerk-roster"),
        ("/rosters/summary", "clerk-roster-summary"),
        ("/rosters/import", "clerk-roster-import"),
        ("/units", "clerk-units"),
        ("/units/new", "clerk-unit-new"),
        ("/offices", "clerk-offices"),
        ("/campaigns/", "clerk-campaigns"),
        ("/documents/templates/", "clerk-unit-templates"),
        ("/documents/templates/new", "clerk-unit-template-new"),
        ("/account/password", "clerk-password"),
    ]:
        _check(page, base + path, name)
    page.goto(f"{base}/units")
    _check(page, _hrefs(page, "main a:has-text('编辑')")[0], "clerk-unit-edit")
    page.goto(f"{base}/offices")
    _check(
        page, _hrefs(page, "main a:has-text('编辑')")[0], "clerk-office-edit", codes_allowed=True
    )
    page.goto(f"{base}/campaigns/")
    for n, href in enumerate(_hrefs(page, "main td a[href*='/campaigns/']")):
        _check(page, href, f"clerk-campaign-{n}")


def test_every_prefecture_and_admin_page_fits_1366(screen, live_server):
    page = screen
    login(page, live_server, "bazhou")
    assert page.locator(".who a").inner_text() == "州职称办（巴音郭楞蒙古自治州）"  # said once
    for path, name in [
        ("/", "prefecture-home"),
        ("/applications/", "prefecture-applications"),
        ("/rosters/", "prefecture-roster"),
        ("/rosters/summary", "prefecture-roster-summary"),
        ("/admin/workdays/", "prefecture-workdays"),
        ("/campaigns/", "prefecture-campaigns"),
        ("/campaigns/upload", "prefecture-campaign-upload"),
    ]:
        _check(page, live_server + path, name)
    page.goto(f"{live_server}/applications/")
    first = _hrefs(page, "#results tbody td:nth-child(2) a:first-child")[0].rsplit("/", 1)[0]
    _check(page, f"{first}/review", "prefecture-review")
    assert page.locator("text=返回填写").count() == 0  # a reader is not sent to fill in
    _check(page, f"{first}/education", "prefecture-section")

    page.click("button.link:has-text('退出')")
    login(page, live_server, "admin")
    for path, name in [
        ("/", "admin-home"),
        ("/admin/users", "admin-users"),
        ("/admin/users/new", "admin-user-new"),
        ("/admin/workdays/", "admin-workdays"),
        ("/rosters/audit", "admin-audit"),
        ("/offices", "admin-offices"),
        ("/offices/new", "admin-office-new"),
        ("/campaigns/", "admin-campaigns"),
        ("/campaigns/upload", "admin-campaign-upload"),
    ]:
        _check(page, live_server + path, name, codes_allowed=True)
    page.goto(f"{live_server}/admin/users")
    _check(
        page,
        _hrefs(page, "main a[href*='/admin/users/']")[0],
        "admin-user-edit",
        codes_allowed=True,
    )
    page.goto(f"{live_server}/applications/")
    first = _hrefs(page, "#results tbody td:nth-child(2) a:first-child")[0].rsplit("/", 1)[0]
    _check(page, f"{first}/review", "admin-review", codes_allowed=True)


def test_the_portal_serves_a_favicon(screen, live_server):
    page = screen
    page.goto(f"{live_server}/login")
    href = page.eval_on_selector("link[rel=icon]", "l => l.href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"].startswith("image/")
