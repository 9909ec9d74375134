"""Working-day overrides kept in the database and managed by admins."""

from __future__ import annotations

from portal.extensions import db
from portal.workdays.models import WorkdayOverride
from tests.conftest import csrf_token, post_form


def test_an_admin_adds_a_regional_holiday_and_the_publicity_end_moves(
    app, client, auth, world, runner
):
    # 002 五（二）: 公示期不少于5个工作日. 2025-06-03 (Tue) + 5 working days ends 06-09 (Mon);
    # with 古尔邦节 06-06..06-10 off (自治区 2025 notice) it ends 06-12 (Thu).
    assert runner.invoke(args=["workdays", "2025-06-03", "5"]).output.strip() == "2025-06-09"
    auth.login("admin", "password-admin")
    for day in ("2025-06-06", "2025-06-09", "2025-06-10"):
        resp = post_form(
            client, "/admin/workdays/", {"day": day, "is_workday": "0", "name": "古尔邦节"}
        )
        assert resp.status_code == 302
    with app.app_context():
        assert db.session.query(WorkdayOverride).count() == 3
    assert runner.invoke(args=["workdays", "2025-06-03", "5"]).output.strip() == "2025-06-12"


def test_a_bad_override_date_is_refused_at_the_field(app, client, auth, world):
    auth.login("admin", "password-admin")
    resp = post_form(
        client, "/admin/workdays/", {"day": "2025-13-01", "is_workday": "0", "name": "x"}
    )
    assert resp.status_code == 200 and 'id="field-day"' in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(WorkdayOverride).count() == 0


def test_clerks_cannot_manage_overrides(client, auth, world):
    auth.login()
    assert client.get("/admin/workdays/").status_code == 403


def test_an_uncovered_year_is_flagged_on_the_overrides_page(client, auth, world):
    auth.login("admin", "password-admin")
    html = client.get("/admin/workdays/").get_data(as_text=True)
    assert "未收录，仅按周末和本页设置计算" in html  # chinese-calendar stops at a year


def test_a_prefecture_user_reads_the_region_wide_overrides_but_cannot_change_them(
    app, client, auth, world
):
    from datetime import date

    from tests.factories import make_user

    with app.app_context():
        row = WorkdayOverride(day=date(2025, 6, 6), is_workday=False, name="古尔邦节")
        db.session.add(row)
        make_user("pref_1", "password-pref", "prefecture", prefecture="巴音郭楞蒙古自治州")
        db.session.commit()
        row_id = row.id
    auth.login("pref_1", "password-pref")
    page = client.get("/admin/workdays/")
    assert page.status_code == 200 and "古尔邦节" in page.get_data(as_text=True)
    assert "只有系统管理员可以修改" in page.get_data(as_text=True)
    token = csrf_token(client, "/admin/workdays/")
    added = client.post(
        "/admin/workdays/",
        data={"day": "2025-06-09", "is_workday": "0", "name": "x", "csrf_token": token},
    )
    deleted = client.post(f"/admin/workdays/{row_id}/delete", data={"csrf_token": token})
    assert added.status_code == 403 and deleted.status_code == 403
    with app.app_context():
        assert [r.day for r in db.session.query(WorkdayOverride)] == [date(2025, 6, 6)]


def test_every_override_change_is_audited_with_the_date_in_words(app, client, auth, world):
    from portal.audit import AuditEntry

    auth.login("admin", "password-admin")
    post_form(
        client, "/admin/workdays/", {"day": "2025-06-06", "is_workday": "0", "name": "古尔邦节"}
    )
    post_form(client, "/admin/workdays/", {"day": "2025-06-06", "is_workday": "1", "name": "调休"})
    with app.app_context():
        row_id = db.session.query(WorkdayOverride).one().id
    post_form(client, f"/admin/workdays/{row_id}/delete", {})
    with app.app_context():
        entries = db.session.query(AuditEntry).filter(AuditEntry.action.like("workday%")).all()
        assert [e.action for e in entries] == [
            "workday_override_save",
            "workday_override_save",
            "workday_override_delete",
        ]
        assert entries[0].detail == {"日期": "2025年6月6日", "安排": "放假（古尔邦节）"}
        assert entries[1].detail["原安排"] == "放假（古尔邦节）"
        assert entries[2].detail == {"日期": "2025年6月6日", "原安排": "上班（调休）"}
        assert all(e.username == "admin" for e in entries)


def test_a_blank_override_date_is_asked_for_not_a_500(client, auth, world):
    auth.login("admin", "password-admin")
    resp = post_form(client, "/admin/workdays/", {"day": " ", "is_workday": "0", "name": "x"})
    assert resp.status_code == 200
    assert "请填写日期" in resp.get_data(as_text=True)
