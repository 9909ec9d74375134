"""Roster pages: scoped exports, the prefecture's view, import with a dry run, the audit log."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.extensions import db
from portal.rosters.builder import COLUMNS, OFFICE_COLUMN
from tests.conftest import csrf_token, readable
from tests.factories import make_office, make_unit, make_user
from tests.rosters.helpers import full_application, roster_workbook, sheet_rows

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
    assert list(sheet_rows(resp.data)[2]) == list(COLUMNS)


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
        assert entry.detail["format"] == "csv" and entry.detail["campaign"] == PARTY
        assert entry.detail["filters"] == {"office_id": world.office_a.id, "level": "junior"}


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
    assert client.get("/rosters/audit").status_code == 403
    auth.logout()
    auth.login("admin", "password-admin")
    html = client.get("/rosters/audit").get_data(as_text=True)
    assert "导出花名册" in html and "clerk_a" in html
    assert f"评审通知：{PARTY}；格式：xlsx；筛选：主管部门编号={world.office_a.id}" in html


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
        assert entry.user_id == clerk.id and entry.rows == 2 and entry.detail["created"] == 2
        assert entry.office_id == target.id


def test_an_import_with_errors_saves_nothing_unless_only_valid(app, client, auth, world, scene):
    auth.login("clerk_a", "password-a")
    c = world.campaigns[PARTY]
    wb = load_workbook(io.BytesIO(export(client, {"campaign": c.id, "format": "xlsx"}).data))
    ws = wb.worksheets[0]
    ws.cell(row=4, column=COLUMNS.index("民族") + 1, value="火星族")
    # The valid row changes its specialty, so that the update is visible.
    ws.cell(row=5, column=COLUMNS.index("申报专业") + 1, value="马克思主义理论")
    out = io.BytesIO()
    wb.save(out)
    resp = _upload(client, c.id, out.getvalue())
    html = resp.get_data(as_text=True)
    assert "第4行“民族”：未知的民族“火星族”" in html and "只导入无误的 1 行" in html
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
        assert entry.detail["updated"] == 1 and entry.detail["skipped"] == 1


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
