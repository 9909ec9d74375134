"""Review page, status changes one by one and in bulk, and the dashboard."""

from __future__ import annotations

from datetime import date

from portal.applications.models import Application, StatusChange
from portal.extensions import db
from tests.conftest import readable
from tests.factories import make_application


def _app_with_publicity(world, start: date, code: str = "bz-partyschool-2023", **kw):
    """An application of office A with its publicity section (call inside an app context)."""
    publicity = {"start": start.isoformat(), "objections": "无", "recommendation": "同意推荐"}
    application = make_application(
        world.office_a, world.unit_a, world.campaigns[code], sections={"publicity": publicity}, **kw
    )
    db.session.commit()
    return readable(application)


def _app_with_basic(app, world, code: str, basic: dict, office: str = "a", **kw):
    """An application of office A (or B) whose basic information also holds `basic`."""
    office_, unit = getattr(world, f"office_{office}"), getattr(world, f"unit_{office}")
    with app.app_context():
        application = make_application(
            office_, unit, world.campaigns[code], sections={"basic": basic}, **kw
        )
        db.session.commit()
        return readable(application)


def test_the_review_page_lists_findings_with_their_source_and_the_derived_values(
    app, client, auth, world
):
    application = _app_with_basic(
        app, world, "bz-partyschool-2023", {"retired": True}, level="junior"
    )
    auth.login()
    html = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    # The notice is cited by its own short title and clause (002 一), taken from its file.
    assert "必须修改" in html and "依据：2023年自治州党干校教师系列职称评审通知 一" in html
    assert "离退休" in html  # 002 一: 离退休人员……不得参加
    # 002 六（二）: 申报初级……免于答辩; 002 七: 初级 220 元
    assert "免于答辩" in html and "220 元" in html


def test_a_status_change_is_recorded_with_who(app, client, auth, world):
    with app.app_context():
        application = _app_with_publicity(world, date(2023, 9, 18))
    auth.login()
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/applications/{application.id}/review")
    resp = client.post(
        f"/applications/{application.id}/status", data={"to": "in_publicity", "csrf_token": token}
    )
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Application, application.id).status == "in_publicity"
        change = db.session.query(StatusChange).filter_by(application_id=application.id).one()
        assert change.user_id == world.clerk_a.id and change.to_status == "in_publicity"
    assert "公示中" in client.get(f"/applications/{application.id}/review").get_data(as_text=True)


def test_an_invalid_status_change_is_refused_with_a_message(app, client, auth, world):
    with app.app_context():
        application = _app_with_publicity(world, date(2023, 9, 18))
    auth.login()
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/applications/{application.id}/review")
    resp = client.post(
        f"/applications/{application.id}/status",
        data={"to": "accepted", "csrf_token": token},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "不能改为“已受理”" in html
    with app.app_context():
        assert db.session.get(Application, application.id).status == "draft"
        assert db.session.query(StatusChange).count() == 0


def test_bulk_status_change_reports_each_refusal(app, client, auth, world):
    with app.app_context():
        ready = _app_with_publicity(world, date(2023, 9, 18), seq=1)
        not_ready = make_application(
            world.office_a,
            world.unit_a,
            world.campaigns["bz-partyschool-2023"],
            name="马福军",
            seq=2,
        )
        other_office = make_application(
            world.office_b, world.unit_b, world.campaigns["bz-water-2021"], name="其木格", seq=3
        )
        db.session.commit()
        readable(ready, not_ready, other_office)
    auth.login()
    from tests.conftest import csrf_token

    token = csrf_token(client, "/applications/")
    resp = client.post(
        "/applications/bulk-status",
        data={
            "to": "in_publicity",
            "ids": [ready.id, not_ready.id, other_office.id],
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "已将 1 人的状态改为“公示中”" in html
    assert "马福军：不能改为“公示中”" in html
    with app.app_context():
        assert db.session.get(Application, ready.id).status == "in_publicity"
        assert db.session.get(Application, other_office.id).status == "draft"


def test_the_dashboard_lists_applications_with_blocking_findings(app, client, auth, world):
    _app_with_basic(app, world, "bz-culture-2021", {"civil_servant": True}, name="古丽娜尔·吐尔逊")
    auth.login()
    html = client.get("/").get_data(as_text=True)
    assert "需要修改的申报" in html and "古丽娜尔·吐尔逊" in html


def test_a_section_with_a_blocking_finding_is_marked_as_a_problem(app, client, auth, world):
    application = _app_with_basic(app, world, "bz-culture-2021", {"retired": True})
    auth.login()
    html = client.get(f"/applications/{application.id}/basic").get_data(as_text=True)
    assert 'data-state="problem"' in html and "按评审通知检查" in html


def test_a_service_ground_chosen_in_basic_information_exempts_from_defense(
    app, client, auth, world
):
    # 003 五（一）: 参加“访惠聚”驻村……的专业技术人员……免于答辩 (an intermediate applicant
    # in a county-level unit outside 且末县/若羌县 would otherwise defend).
    basic = {"service_ground": "village_team", "county": "和静县"}
    application = _app_with_basic(
        app, world, "bz-water-2021", basic, office="b", name="巴音德力格尔", region="652827"
    )
    auth.login("clerk_b", "password-b")
    html = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert "是（" in html and "访惠聚" in html
    form = client.get(f"/applications/{application.id}/basic").get_data(as_text=True)
    assert '<option selected value="village_team">' in form


def test_a_draft_can_be_deleted_and_the_deletion_is_logged(app, client, auth, world):
    from portal.audit import AuditEntry
    from tests.conftest import csrf_token

    with app.app_context():
        application = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-culture-2021"]
        )
        db.session.commit()
        app_id = application.id
    auth.login()
    token = csrf_token(client, f"/applications/{app_id}/review")
    resp = client.post(f"/applications/{app_id}/delete", data={"csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Application, app_id) is None
        entry = db.session.query(AuditEntry).filter_by(action="application_delete").one()
        assert entry.detail["申报人"] == "买买提·艾力"


def test_an_application_in_publicity_cannot_be_deleted(app, client, auth, world):
    from tests.conftest import csrf_token

    with app.app_context():
        application = _app_with_publicity(world, date(2023, 9, 18))
        application.status = "in_publicity"
        db.session.commit()
        readable(application)
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/review")
    resp = client.post(
        f"/applications/{application.id}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "只能删除草稿状态的申报" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application.id) is not None


def test_another_office_cannot_delete(app, client, auth, world):
    from tests.conftest import csrf_token

    with app.app_context():
        other = make_application(world.office_b, world.unit_b, world.campaigns["bz-water-2021"])
        db.session.commit()
        readable(other)
    auth.login()
    token = csrf_token(client, "/applications/")
    assert (
        client.post(f"/applications/{other.id}/delete", data={"csrf_token": token}).status_code
        == 404
    )
