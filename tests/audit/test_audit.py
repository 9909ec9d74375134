"""The audit log: what is recorded, in words; the page's filters; the xlsx export (issue 11, 13)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.audit import AuditEntry
from portal.audit.models import ACTION_LABELS
from portal.auth.models import User
from portal.extensions import db
from portal.timeutil import utcnow
from tests.conftest import csrf_token, post_form, readable
from tests.factories import make_application


def actions(app) -> list[str]:
    """The actions recorded, but the notice loads of the world fixture."""
    stmt = sa.select(AuditEntry.action).where(AuditEntry.action != "campaign_load")
    with app.app_context():
        return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def last(app, action: str) -> AuditEntry:
    """The newest entry of an action (readable after its context closed)."""
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    with app.app_context():
        entry = db.session.scalars(stmt).first()
        return readable(entry) if entry else None


def test_logins_failed_logins_and_logouts_are_recorded(app, client, auth, world):
    auth.login("clerk_a", "wrong-password")
    auth.login("nobody", "wrong-password")
    auth.login()
    auth.logout()
    assert actions(app) == ["login_failed", "login_failed", "login", "logout"]
    with app.app_context():
        stmt = sa.select(AuditEntry.username).where(AuditEntry.action == "login_failed")
        assert list(db.session.scalars(stmt)) == ["clerk_a", "nobody"]
    assert last(app, "login").detail == {"地址": "127.0.0.1"}


def test_account_creation_role_status_and_password_changes_are_recorded(app, client, auth, world):
    auth.login("admin", "password-admin")
    data = {
        "username": "newclerk",
        "display_name": "新人",
        "role": "clerk",
        "office_id": world.office_b.id,
        "prefecture": "",
        "password": "Kongque-river-9",
        "active": "y",
    }
    post_form(client, "/admin/users/new", data)
    created = last(app, "user_create")
    assert created.detail["用户名"] == "newclerk"
    assert created.detail["角色"] == "县市经办人" and created.detail["单位"] == "和静县水利局"
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == "newclerk"))
    post_form(
        client,
        f"/admin/users/{user_id}",
        {
            **data,
            "role": "prefecture",
            "prefecture": "巴音郭楞蒙古自治州",
            "active": "",
            "password": "",
        },
    )
    change = last(app, "user_update").detail["改动"]
    assert "角色：县市经办人 → 州职称办" in change and "状态：启用 → 停用" in change
    auth.logout()
    auth.login()
    post_form(
        client,
        "/account/password",
        {"current": "password-a", "new": "Tarim-river-2024", "confirm": "Tarim-river-2024"},
    )
    assert last(app, "password_change").username == "clerk_a"


def test_the_publicity_full_id_setting_is_recorded_in_words(app, client, auth, world):
    auth.login()
    url = f"/offices/{world.office_a.id}"
    post_form(
        client,
        url,
        {
            "code": world.office_a.code,
            "name": world.office_a.name,
            "county": world.office_a.county,
            "prefecture": world.office_a.prefecture,
            "show_full_id_on_publicity": "y",
        },
    )
    entry = last(app, "office_update")
    assert entry.detail == {
        "主管部门": "若羌县文化体育广播电视和旅游局",
        "改动": "公示显示完整身份证号：否 → 是",
    }


def _legacy_entries(world, campaign) -> None:
    """Entries as they were written before details were kept in words."""
    one = make_application(world.office_a, world.unit_a, campaign, name="张三", seq=3)
    two = make_application(world.office_a, world.unit_a, campaign, name="李四", seq=4)
    db.session.add_all(
        [
            AuditEntry(
                action="document_export",
                username="clerk_a",
                detail={"kind": "commitment", "mode": "zip", "application_ids": [one.id, two.id]},
                rows=2,
            ),
            AuditEntry(
                action="roster_export",
                username="clerk_a",
                detail={
                    "campaign": campaign.code,
                    "format": "xlsx",
                    "filters": {"office_id": world.office_a.id, "level": "junior"},
                },
            ),
        ]
    )
    db.session.commit()


def test_legacy_entries_are_shown_with_labels_names_and_titles(app, client, auth, world):
    """Issue 13: not `document_export`, `kind：commitment；…`, `主管部门编号=1`."""
    campaign = world.campaigns["bz-culture-2021"]
    with app.app_context():
        _legacy_entries(world, campaign)
    auth.login("admin", "password-admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    html = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "文书：个人承诺书；方式：ZIP压缩包；申报人：张三、李四" in html
    assert f"评审通知：{campaign.title}" in html
    assert "筛选：主管部门：若羌县文化体育广播电视和旅游局，级别：初级" in html
    for raw in ("document_export", "commitment", "application_ids", "主管部门编号"):
        assert raw not in html
    assert f"评审通知：{campaign.code}" not in html


def test_every_action_has_a_chinese_label():
    assert all(label and not label.isascii() for label in ACTION_LABELS.values())


@pytest.fixture
def log(app, world):
    """Three entries on different days by different users."""
    now = utcnow()
    rows = [
        AuditEntry(action="login", username="clerk_a", at=now - timedelta(days=10), detail={}),
        AuditEntry(
            action="roster_export",
            username="clerk_b",
            at=now - timedelta(days=2),
            detail={"格式": "xlsx"},
        ),
        AuditEntry(action="login", username="clerk_b", at=now, detail={"地址": "10.0.0.1\x0b"}),
    ]
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def test_the_page_filters_by_user_action_and_date(client, auth, log):
    auth.login("admin", "password-admin")
    by_user = client.get("/admin/audit/?user=clerk_b").get_data(as_text=True)
    assert by_user.count("<tr><td") == 2
    by_action = client.get("/admin/audit/?action=roster_export").get_data(as_text=True)
    assert by_action.count("<tr><td") == 1 and "导出花名册" in by_action
    since = (utcnow() + timedelta(hours=8) - timedelta(days=3)).date().isoformat()
    by_date = client.get(f"/admin/audit/?date_from={since}&user=clerk_b").get_data(as_text=True)
    assert by_date.count("<tr><td") == 2
    until = (utcnow() + timedelta(hours=8) - timedelta(days=5)).date().isoformat()
    old = client.get(f"/admin/audit/?date_to={until}").get_data(as_text=True)
    assert old.count("<tr><td") == 1 and "clerk_a" in old


def test_a_bad_date_filter_is_answered_at_the_field(client, auth, log):
    auth.login("admin", "password-admin")
    html = client.get("/admin/audit/?date_from=2024-13-01").get_data(as_text=True)
    assert 'id="err-date_from"' in html and "月份13不对" in html


def test_the_filtered_log_exports_to_xlsx_in_words_and_the_export_is_recorded(
    app, client, auth, log
):
    auth.login("admin", "password-admin")
    resp = client.get("/admin/audit/export?user=clerk_b")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert resp.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(resp.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("时间", "账号", "主管部门", "操作", "条数", "详情")
    assert [r[3] for r in rows[1:]] == ["登录", "导出花名册"]
    assert rows[1][5].strip() == "地址：10.0.0.1"  # a stored control character breaks nothing
    entry = last(app, "audit_export")
    assert entry.detail == {"账号": "clerk_b"} and entry.rows == 2


def test_only_admins_see_or_export_the_log(client, auth, log):
    auth.login()
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/export").status_code == 403
    assert csrf_token(client, "/")  # still logged in


def test_a_notice_load_reads_as_its_title_and_scope(app, client, auth, world):
    """Campaign loads are recorded by the campaigns package (issue 10) with English keys."""
    with app.app_context():
        db.session.add_all(
            [
                AuditEntry(
                    action="campaign_load",
                    username="admin",
                    detail={
                        "code": "bz-culture-2021",
                        "title": "2021年度文化系列职称评审",
                        "prefecture": None,
                        "file": "culture.toml",
                        "created": False,
                    },
                ),
                AuditEntry(
                    action="campaign_load_refused",
                    username="pref_2",
                    detail={"file": "x.toml", "reason": "只能导入本地州的评审通知"},
                ),
            ]
        )
        db.session.commit()
    auth.login("admin", "password-admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    html = page[page.index("<tbody>") : page.index("</tbody>")]
    assert (
        "评审通知：2021年度文化系列职称评审；地州：全区；文件：culture.toml；方式：更新已有的"
        in html
    )
    assert "拒绝导入评审通知" in html and "原因：只能导入本地州的评审通知" in html
    assert "评审通知：bz-culture-2021" not in html
