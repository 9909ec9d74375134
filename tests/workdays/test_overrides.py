"""Working-day overrides kept in the database and managed by admins."""

from __future__ import annotations

from portal.extensions import db
from portal.workdays.models import WorkdayOverride
from tests.conftest import post_form


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
