"""Roster pages: scoped exports, the prefecture's view, import with a dry run, the audit log."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.extensions import db
from portal.rosters.builder import COLUMNS, OFFICE_COLUMN
from portal.rosters.writers import PAPERS
from tests.conftest import csrf_token, readable
from tests.factories import make_application, make_office, make_unit, make_user
from tests.rosters.helpers import full_application, header_labels, roster_workbook, sheet_rows
from tests.rosters.unit_files import column_letter
from tests.rules.test_checks import stored_sections

PARTY = "bz-partyschool-2023"
PREFECTURE = "巴音郭楞蒙古自治州"


@pytest.fixture
def scene(app, world):
    """Applications in offices A and B of the prefecture, one in another prefecture."""
    c = world.campaigns[PARTY]
    with app.app_context():
        other = make_office("X01", "伊宁县教育局", "伊宁县")
        other.prefecture = "伊犁哈萨克自治州"
        other_unit = make_unit(other, "伊宁县第一中学", county="伊宁县")
        apps = {
            "a1": full_application(world.office_a, world.unit_a, c, name="买买提·艾力", seq=1),
            "a2": full_application(
                world.office_a,
                world.unit_a,
                c,
                name="李海燕",
                seq=2,
                level="junior",
                gender="女",
                ethnicity="汉族",
                birth=date(1994, 3, 27),
            ),
            "b1": full_application(
                world.office_b,
                world.unit_b,
                c,
                name="其木格",
                seq=3,
                gender="女",
                ethnicity="蒙古族",
                birth=date(1992, 7, 19),
            ),
            "x1": full_application(other, other_unit, c, name="努尔兰·哈力别克", seq=4),
        }
        for key, application in apps.items():
            application.status = "reported" if key == "a2" else "recommended"
        make_user("bazhou", "password-pref", "prefecture", prefecture=PREFECTURE)
        db.session.commit()
        readable(*apps.values())
    return apps


def export(client, data: dict):
    token = csrf_token(client, "/rosters/")
    return client.post("/rosters/export", data={**data, "csrf_token": token})


def names_in(resp) -> set[str]:
    rows = sheet_rows(resp.data)
    return {r[1] for r in rows[3:] if isinstance(r[0], int)}


def test_a_prefecture_export_spans_the_offices_of_its_prefecture(client, auth, world, scene):
    auth.login("bazhou", "password-pref")
    resp = export(client, {"campaign": world.campaigns[PARTY].id, "format": "xlsx"})
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    rows = sheet_rows(resp.data)
    assert rows[1][0] == f"填报单位（主管部门）：{PREFECTURE}（全部主管部门）"
    header = list(rows[2])
    assert OFFICE_COLUMN in header
    assert names_in(resp) == {"买买提·艾力", "李海燕", "其木格"}  # not the other prefecture's
    office_col = header.index(OFFICE_COLUMN)
    assert {r[office_col] for r in rows[3:6]} == {"若羌县文化体育广播电视和旅游局", "和静县水利局"}


def test_a_prefecture_user_can_narrow_to_one_office(client, auth, world, scene):
    auth.login("bazhou", "password-pref")
    resp = export(
        client,
        {"campaign": world.campaigns[PARTY].id, "format": "xlsx", "office": world.office_b.id},
    )
    assert names_in(resp) == {"其木格"}
    assert sorted(header_labels(resp.data)) == sorted(COLUMNS)


def test_a_clerk_export_never_spans_offices(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY].id
    resp = export(client, {"campaign": c, "format": "xlsx", "office": world.office_b.id})
    assert names_in(resp) == {"买买提·艾力", "李海燕"}
    assert OFFICE_COLUMN not in sheet_rows(resp.data)[2]
    # Selected ids from the list: another office's ids are silently out of scope.
    resp = export(client, {"format": "xlsx", "ids": [scene["b1"].id, scene["a2"].id]})
    assert names_in(resp) == {"李海燕"}
    page = client.get(f"/rosters/?campaign={c}").get_data(as_text=True)
    assert "李海燕" in page and "其木格" not in page and "主管部门</th>" not in page


def test_filters_narrow_the_export(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    resp = export(
        client, {"campaign": world.campaigns[PARTY].id, "format": "xlsx", "level": "junior"}
    )
    assert names_in(resp) == {"李海燕"}


def test_csv_download_has_a_bom(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    resp = export(client, {"campaign": world.campaigns[PARTY].id, "format": "csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith("\ufeff序号,姓名,".encode())


def test_exports_are_audited(app, client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    export(client, {"campaign": world.campaigns[PARTY].id, "format": "csv", "level": "junior"})
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster_export"))
        assert entry.username == "clerk_a" and entry.rows == 1
        assert entry.office_id == world.office_a.id
        title = world.campaigns[PARTY].title
        assert entry.detail["格式"] == "csv" and entry.detail["评审通知"] == title
        assert entry.detail["筛选"] == (
            "主管部门=若羌县文化体育广播电视和旅游局，级别=初级，状态=报送的（已推荐、已报送及其后）"
        )


def test_the_counts_page_groups_by_office_series_and_level(client, auth, world, scene):
    auth.login("bazhou", "password-pref")
    page = client.get(f"/rosters/summary?campaign={world.campaigns[PARTY].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "若羌县文化体育广播电视和旅游局" in html and "和静县水利局" in html
    assert "伊宁县教育局" not in html
    assert "共 3 人" in html


def test_the_audit_log_is_for_admins_only(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    export(client, {"campaign": world.campaigns[PARTY].id, "format": "xlsx"})
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/rosters/audit", follow_redirects=True).status_code == 403
    auth.logout()
    auth.login("admin", "password-admin")
    html = client.get("/rosters/audit", follow_redirects=True).get_data(as_text=True)
    assert "导出花名册" in html and "clerk_a" in html
    title = world.campaigns[PARTY].title
    assert f"评审通知：{title}；格式：xlsx；筛选：主管部门=若羌县文化体育广播电视和旅游局" in html


def _upload(client, campaign_id: int, data: bytes):
    token = csrf_token(client, "/rosters/import")
    return client.post(
        "/rosters/import",
        data={
            "csrf_token": token,
            "campaign": campaign_id,
            "file": (io.BytesIO(data), "花名册.xlsx"),
        },
        content_type="multipart/form-data",
    )


def test_import_shows_a_dry_run_then_saves_on_confirm(app, client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY]
    exported = export(client, {"campaign": c.id, "format": "xlsx"}).data
    with app.app_context():
        target = make_office("A03", "若羌县第二主管部门", "若羌县")
        make_unit(target, "若羌县文化馆")
        clerk = make_user("clerk_c", "password-c", "clerk", target)
        db.session.commit()
        readable(target, clerk)
    auth.logout()
    auth.login("clerk_c", "password-c")

    resp = _upload(client, c.id, exported)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "无误 <b>2</b> 行" in html and "新增" in html
    uploads = list((Path(app.instance_path) / "roster_uploads").glob("*.xlsx"))
    assert len(uploads) == 1 and len(uploads[0].stem) == 32
    count = sa.select(sa.func.count(Application.id)).where(Application.office_id == target.id)
    with app.app_context():
        assert db.session.scalar(count) == 0

    token = uploads[0].stem
    resp = client.post(
        "/rosters/import/confirm",
        data={"csrf_token": csrf_token(client, "/rosters/import"), "token": token},
    )
    assert resp.status_code == 302
    assert not uploads[0].exists()
    with app.app_context():
        assert db.session.scalar(count) == 2
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster_import"))
        assert entry.user_id == clerk.id and entry.rows == 2 and entry.detail["新增"] == 2
        assert entry.office_id == target.id


def column_of(ws, label: str) -> int:
    """The 1-based column of a roster sheet's header label (headers may take two lines)."""
    return [(c.value or "").replace("\n", "") for c in ws[3]].index(label) + 1


def _set_status(app, apps, status: str) -> None:
    with app.app_context():
        for application in apps:
            db.session.get(Application, application.id).status = status
        db.session.commit()


def test_an_import_with_errors_saves_nothing_unless_only_valid(app, client, auth, world, scene):
    _set_status(app, scene.values(), "draft")  # an import changes only what is in preparation
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY]
    data = export(client, {"campaign": c.id, "format": "xlsx", "status": "all"}).data
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    ws.cell(row=4, column=column_of(ws, "民族"), value="火星族")
    # The valid row changes its specialty, so that the update is visible.
    ws.cell(row=5, column=column_of(ws, "申报专业"), value="马克思主义理论")
    out = io.BytesIO()
    wb.save(out)
    resp = _upload(client, c.id, out.getvalue())
    html = resp.get_data(as_text=True)
    letter = column_letter(out.getvalue(), "民族")
    assert f"第4行{letter}列“民族”：未知的民族“火星族”" in html and "只导入无误的 1 行" in html
    with client.session_transaction() as sess:
        token = sess["roster_upload"]["token"]
    csrf = csrf_token(client, "/rosters/import")
    resp = client.post("/rosters/import/confirm", data={"csrf_token": csrf, "token": token})
    assert resp.status_code == 200 and "未导入任何数据" in resp.get_data(as_text=True)
    imports = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "roster_import")
    with app.app_context():
        assert db.session.scalar(imports) == 0
    resp = client.post(
        "/rosters/import/confirm", data={"csrf_token": csrf, "token": token, "only_valid": "1"}
    )
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Application, scene["a1"].id).specialty == "马克思主义理论"
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster_import"))
        assert entry.detail["更新"] == 1 and entry.detail["未导入"] == 1


def test_a_stale_or_foreign_token_is_refused(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    csrf = csrf_token(client, "/rosters/import")
    resp = client.post("/rosters/import/confirm", data={"csrf_token": csrf, "token": "0" * 32})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/rosters/import")


def test_a_prefecture_user_cannot_import(client, auth, world, scene):
    auth.login("bazhou", "password-pref")
    assert client.get("/rosters/import").status_code == 403


def test_a_non_xlsx_upload_is_refused(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    resp = _upload(client, world.campaigns[PARTY].id, b"name,id\n")
    assert resp.status_code == 400 and ".xlsx" in resp.get_data(as_text=True)


def test_roster_workbook_helper_round_trips(world):
    data = roster_workbook([[1, "张伟"]])
    assert sheet_rows(data)[3][:2] == (1, "张伟")


@pytest.mark.parametrize(
    "user,password",
    [("clerk_a", "password-a"), ("bazhou", "password-pref"), ("admin", "password-admin")],
)
def test_every_roster_page_opens_for_every_role(client, auth, world, scene, user, password):
    auth.login(user, password)
    c = world.campaigns[PARTY].id
    for url in (f"/rosters/?campaign={c}", f"/rosters/summary?campaign={c}"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "申报" in resp.get_data(as_text=True)
    expected = 403 if user == "bazhou" else 200
    assert client.get("/rosters/import").status_code == expected


def test_selected_ids_from_several_campaigns_are_refused(app, client, auth, world, scene):
    water = world.campaigns["bz-water-2021"]
    with app.app_context():
        other = full_application(world.office_a, world.unit_a, water, name="王建军", seq=9)
        db.session.commit()
        readable(other)
    auth.login("clerk_a", "password-a")
    resp = export(client, {"format": "xlsx", "ids": [scene["a1"].id, other.id]})
    assert resp.status_code == 302  # back to the list with a message, nothing downloaded
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "所选人员属于不同的评审通知" in page


def test_unconfirmed_uploads_older_than_a_day_are_removed(client, auth, world, scene, app):
    import os
    import time

    auth.login("clerk_a", "password-a")
    folder = Path(app.instance_path) / "roster_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / ("a" * 32 + ".xlsx")
    stale.write_bytes(b"PK")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    _upload(client, world.campaigns[PARTY].id, roster_workbook([[1, "张伟"]]))
    assert not stale.exists()
    assert len(list(folder.glob("*.xlsx"))) == 1


def test_the_roster_lists_the_applications_sent_unless_asked_otherwise(
    app, client, auth, world, scene
):
    with app.app_context():
        draft = full_application(
            world.office_a, world.unit_a, world.campaigns[PARTY], name="王草稿", seq=7
        )
        db.session.commit()
        assert draft.status == "draft"
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY].id
    html = client.get(f"/rosters/?campaign={c}").get_data(as_text=True)
    assert "王草稿" not in html and "李海燕" in html and "买买提·艾力" in html
    assert 'value="sent" selected' in html and '列入 <b id="roster-count">2</b> 人' in html
    assert "<th>状态</th>" not in html and 'id="roster-unsent"' not in html
    names = names_in(export(client, {"campaign": c, "format": "xlsx"}))
    assert names == {"李海燕", "买买提·艾力"}

    html = client.get(f"/rosters/?campaign={c}&status=all").get_data(as_text=True)
    assert "王草稿" in html and "<th>状态</th>" in html
    assert "所选范围含 1 名尚未推荐的人员（草稿 1 人）" in html
    assert '评审费合计 <b id="roster-fees">600</b> 元（只计已推荐、已报送的人员）' in html
    resp = export(client, {"campaign": c, "format": "xlsx", "status": "all"})
    rows = sheet_rows(resp.data)
    header = header_labels(resp.data)
    assert "状态" in header and names_in(resp) == {"王草稿", "李海燕", "买买提·艾力"}
    status = {r[1]: r[header.index("状态")] for r in rows[3:6]}
    assert status == {"王草稿": "草稿", "李海燕": "已报送州", "买买提·艾力": "已推荐"}
    totals = next(r for r in rows if str(r[0]).startswith("合计"))
    assert totals[header.index("评审费（元）")] == 600


def _page_statements(app, client, url: str) -> tuple[list[str], str]:
    """The SQL statements one request of the page runs, and its HTML."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*a, **_k):
        statements.append(a[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        resp = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    return statements, resp.get_data(as_text=True)


def _bulk(app, world, first: int, count: int) -> None:
    """More reported applications in office A (only what the page reads)."""
    with app.app_context():
        for seq in range(first, first + count):
            make_application(
                world.office_a, world.unit_a, world.campaigns[PARTY], "张丽娟", seq
            ).status = "reported"
        db.session.commit()


def test_the_roster_page_does_not_grow_with_the_roster(app, client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    url = f"/rosters/?campaign={world.campaigns[PARTY].id}"
    _bulk(app, world, 100, 60)
    small_n, small = _page_statements(app, client, url)
    _bulk(app, world, 200, 140)
    large_n, large = _page_statements(app, client, url)
    assert len(small_n) == len(large_n), (small_n, large_n)
    assert "共 202 人，第 1/5 页" in large and '列入 <b id="roster-count">202</b> 人' in large
    assert large.count('<td class="num">') == small.count('<td class="num">')  # one page
    assert abs(len(large) - len(small)) < 0.05 * len(small)
    last_n, last = _page_statements(app, client, url + "&page=5")
    assert len(last_n) == len(large_n) and ">201</td>" in last and ">202</td>" in last


def test_search_finds_a_row_of_the_roster(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY].id
    resp = client.get(
        f"/rosters/?campaign={c}&q=李海",
        headers={"HX-Request": "true", "HX-Target": "roster-rows"},
    )
    html = resp.get_data(as_text=True)
    assert "<html" not in html and "李海燕" in html and "买买提" not in html
    assert "找到 1 人" in html and "下载的花名册仍含列入的全部人员" in html
    digits = scene["a1"].id_number[6:14]
    html = client.get(f"/rosters/?campaign={c}&q={digits}").get_data(as_text=True)
    assert "买买提·艾力" in html.split('id="roster-rows"')[1]


def test_csv_keeps_id_digits_as_text_and_a3_prints_every_column(client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY].id
    text = export(client, {"campaign": c, "format": "csv"}).data.decode("utf-8-sig")
    assert f",\t{scene['a1'].id_number}," in text and ",\t13912345678," in text
    data = export(client, {"campaign": c, "format": "xlsx", "paper": "a3"}).data
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert str(ws.page_setup.paperSize) == "8"
    assert ws.print_area.endswith(f"${ws.cell(row=3, column=len(COLUMNS)).column_letter}$8")
    assert export(client, {"campaign": c, "format": "xlsx", "paper": "b5"}).status_code == 400


def test_the_roster_page_warns_of_applications_with_blocking_findings(
    app, client, auth, world, scene
):
    campaign = world.campaigns[PARTY]
    c = campaign.id
    with app.app_context():
        good = make_application(
            world.office_a,
            world.unit_a,
            campaign,
            "周完整",
            21,
            sections=stored_sections(campaign.definition),
        )
        good.status = "reported"
        # Sent, then emptied: nothing the workflow allows, but what the roster must catch.
        bare = make_application(world.office_a, world.unit_a, campaign, "赵空白", 9)
        bare.status = "reported"
        draft = make_application(world.office_a, world.unit_a, campaign, "钱草稿", 8)
        db.session.commit()
        good_id, bare_id, draft_id = good.id, bare.id, draft.id
    auth.login("clerk_a", "password-a")
    page = client.get(f"/rosters/?campaign={c}").get_data(as_text=True)
    assert 'hx-get="/rosters/check?campaign=' in page  # the page asks once it has shown
    htmx = {"HX-Request": "true"}
    html = client.get(f"/rosters/check?campaign={c}", headers=htmx).get_data(as_text=True)
    assert "<html" not in html and 'id="roster-blocked"' in html
    # The scene's applications lack sections (blocking); 周完整 has every one, its publicity and
    # materials too (an unfinished section blocks sending); 钱草稿 is unsent.
    assert "所选人员中有 <b>3</b> 人存在必须修改的问题" in html
    assert f'href="/applications/{bare_id}/review">赵空白</a>（已报送州）' in html
    assert "买买提·艾力" in html and "李海燕" in html
    assert "周完整" not in html and "钱草稿" not in html
    html = client.get(f"/rosters/check?campaign={c}&status=all").get_data(as_text=True)
    assert "<html" in html and "有 <b>4</b> 人" in html  # without JavaScript: a page
    assert f'href="/applications/{draft_id}/review">钱草稿</a>（草稿）' in html
    html = client.get(f"/rosters/check?campaign={c}&ids={good_id}", headers=htmx)
    assert "已检查所选的 1 人，未发现必须修改的问题。" in html.get_data(as_text=True)
    auth.logout()
    auth.login("clerk_b", "password-b")
    html = client.get(f"/rosters/check?campaign={c}&status=all", headers=htmx).get_data(
        as_text=True
    )
    assert "赵空白" not in html and "有 <b>1</b> 人" in html and "其木格" in html  # own office


def test_a_selection_beyond_the_check_limit_says_what_was_checked(app, world, scene):
    from portal.rosters.builder import ALL, RosterFilters, roster_statement
    from portal.rosters.checking import check_selection

    with app.app_context():
        for seq in (11, 12, 13):
            make_application(world.office_a, world.unit_a, world.campaigns[PARTY], "孙空白", seq)
        db.session.commit()
        stmt = roster_statement(world.campaigns[PARTY], RosterFilters(status=ALL))
        result = check_selection(stmt, limit=5)
    assert (result.checked, result.total, result.complete) == (5, 7, False)
    every = [b.name for b in result.blocked]
    assert every.count("孙空白") == 1 and all(b.count > 0 for b in result.blocked)


def _confirm(client, only_valid: bool = False):
    """Confirm the upload held in the session (only its valid rows when asked)."""
    with client.session_transaction() as sess:
        token = sess["roster_upload"]["token"]
    data = {"csrf_token": csrf_token(client, "/rosters/import"), "token": token}
    return client.post(
        "/rosters/import/confirm", data=data | ({"only_valid": "1"} if only_valid else {})
    )


def test_a_row_the_writes_refuse_at_confirm_saves_nothing_and_is_shown_at_its_cell(
    app, client, auth, world
):
    # The confirmation checks each row once, as it writes it (not twice): what changed since
    # the preview still stops the import and is named at the file's cell.
    from tests.rosters.unit_files import taken_elsewhere, unit_roster

    auth.login("clerk_a", "password-a")
    party = world.campaigns[PARTY]
    html = _upload(client, party.id, unit_roster()).get_data(as_text=True)
    assert "无误 <b>4</b> 行" in html
    with app.app_context():
        taken_elsewhere(world)
        db.session.commit()
    resp = _confirm(client)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "未导入任何数据" in html
    assert "第8行C列“身份证号码”（身份证号）：身份证号652824********" in html
    assert "已登记为“马晓军”" in html
    saved = sa.select(sa.func.count(Application.id)).where(Application.campaign_id == party.id)
    with app.app_context():
        assert db.session.scalar(saved) == 0
    assert _confirm(client, only_valid=True).status_code == 302
    with app.app_context():
        assert db.session.scalar(saved) == 3


def run_job(app, location: str):
    """Run the queued job (as a consumer would) and read its row."""
    from portal.jobs.models import Job

    job_id = location.rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        assert app.extensions["portal_jobs"].run_pending() == 1
        return readable(db.session.get(Job, job_id))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_large_export_is_a_background_job(app, client, auth, world, scene, fmt):
    app.config["ROSTER_JOB_THRESHOLD"] = 2
    auth.login("bazhou", "password-pref")
    c = world.campaigns[PARTY]
    resp = export(client, {"campaign": c.id, "format": fmt, "paper": "a3"})
    assert resp.status_code == 303 and "/jobs/" in resp.headers["Location"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "排队中" in html and "已生成 0/3" in html
    with app.app_context():  # nothing audited until the file is written
        assert not db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "roster_export")
        )
    job = run_job(app, resp.headers["Location"])
    assert job.status == "done", (job.error, job.problems)
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已生成 3/3" in html and f"/jobs/{job.id}/download" in html
    download = client.get(f"/jobs/{job.id}/download")
    data = download.get_data()
    download.close()
    assert download.status_code == 200
    if fmt == "xlsx":
        assert download.mimetype.endswith("spreadsheetml.sheet")
        rows = sheet_rows(data)
        assert rows[1][0] == f"填报单位（主管部门）：{PREFECTURE}（全部主管部门）"
        names = {r[1] for r in rows[3:] if isinstance(r[0], int)}
        ws = load_workbook(io.BytesIO(data)).active
        assert str(ws.page_setup.paperSize) == PAPERS["a3"].size
    else:
        assert download.mimetype == "text/csv" and data.startswith("\ufeff序号,".encode())
        names = {line.split(",")[1] for line in data.decode("utf-8-sig").splitlines()[1:]}
    assert names == {"买买提·艾力", "李海燕", "其木格"}  # not the other prefecture's
    assert quote("申报人员花名册_") in download.headers["Content-Disposition"]
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster_export"))
        assert entry.username == "bazhou" and entry.rows == 3
        assert entry.detail["格式"] == fmt and entry.detail["评审通知"] == c.title
        assert entry.detail["筛选"] == "状态=报送的（已推荐、已报送及其后）"
        assert entry.detail.get("纸张") == (PAPERS["a3"].label if fmt == "xlsx" else None)
        assert entry.detail["后台生成"] is True
    # The file is its owner's alone.
    auth.logout()
    for user, password in (("clerk_a", "password-a"), ("admin", "password-admin")):
        auth.login(user, password)
        assert client.get(f"/jobs/{job.id}").status_code == 404
        assert client.get(f"/jobs/{job.id}/download").status_code == 404
        auth.logout()


def test_a_clerks_background_export_keeps_to_the_own_office(app, client, auth, world, scene):
    app.config["ROSTER_JOB_THRESHOLD"] = 1
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY].id
    resp = export(client, {"campaign": c, "format": "xlsx", "office": world.office_b.id})
    job = run_job(app, resp.headers["Location"])
    assert job.status == "done" and job.total == 2
    download = client.get(f"/jobs/{job.id}/download")
    assert names_in(download) == {"买买提·艾力", "李海燕"}
    download.close()
    # At the threshold the download is direct, as before.
    app.config["ROSTER_JOB_THRESHOLD"] = 2
    resp = export(client, {"campaign": c, "format": "xlsx"})
    assert resp.status_code == 200 and names_in(resp) == {"买买提·艾力", "李海燕"}


def test_a_background_export_of_a_user_deactivated_meanwhile_writes_nothing(
    app, client, auth, world, scene
):
    app.config["ROSTER_JOB_THRESHOLD"] = 1
    auth.login("clerk_a", "password-a")
    resp = export(client, {"campaign": world.campaigns[PARTY].id, "format": "csv"})
    assert resp.status_code == 303
    with app.app_context():
        db.session.get(type(world.clerk_a), world.clerk_a.id).active = False
        db.session.commit()
    job = run_job(app, resp.headers["Location"])
    assert job.status == "missing" and not job.file_name
    assert job.problems == [["花名册", ["您已无权查看该评审通知的申报，未导出。"]]]
    with app.app_context():
        assert not db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "roster_export")
        )
