"""The import preview in a real browser: a unit's file, what is read and what is not."""

from __future__ import annotations

from tests.browser.conftest import login, shot, upload_roster
from tests.rosters.unit_files import unit_roster


def test_the_preview_of_a_unit_file_lists_unused_columns_and_skipped_rows(
    page, live_server, tmp_path
):
    path = tmp_path / "若羌县文化馆花名册.xlsx"
    path.write_bytes(unit_roster())
    login(page, live_server)
    upload_roster(page, live_server, "2023年度自治州党干校教师系列职称评审", path)
    unused = page.locator("#unused-columns")
    assert "Q列“籍贯”" in unused.inner_text() and "R列“是否在编”" in unused.inner_text()
    assert "第9行（合计 4人）：合计行" in page.locator("#skipped-rows").inner_text()
    assert "“申报专业”“申报类型”" in page.locator("#absent-fields").inner_text()
    # The warning stands above the button that saves.
    box = unused.bounding_box()
    button = page.locator("form .primary").bounding_box()
    assert box["y"] + box["height"] <= button["y"]
    assert page.locator("#import-rows .badge-done").count() == 4
    assert "“团员”按“共青团员”导入" in page.locator("#import-rows").inner_text()
    # No horizontal scroll at 1366 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "63-roster-import-unit-file-preview")
    page.click("#column-map summary")
    assert "现专业技术职务" in page.locator("#column-map").inner_text()
    shot(page, "64-roster-import-column-map")
