"""Consequential status changes: asked first, locked after 已报送, unlocked and reversed on record.

002 四（三）: at most 3 submissions, a return to be resubmitted within 48 hours; the paper
materials go with the report (000 八, 002 五): data and documents must not drift apart.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.applications import operations
from portal.applications.models import Application, StatusChange
from portal.applications.operations import ApplicationLocked
from portal.audit import AuditEntry
from portal.extensions import db
from portal.rules.workflow import WorkflowError, consequence, reverse_last, transition
from tests.conftest import csrf_token, readable
from tests.factories import make_application, store_sections
from tests.rules.test_checks import stored_sections

PARTY = "bz-partyschool-2023"  # 002


NAMES = ("阿依古丽·叶尔肯", "马福军", "李海燕", "王建军", "其木格", "刘洋")


def _make(world, status: str = "recommended", submissions: int = 0, **sections) -> Application:
    """A complete 002 application of office A in ``status``, each of another person."""
    campaign = world.campaigns[PARTY]
    data = stored_sections(campaign.definition) | sections
    n = db.session.scalar(sa.select(sa.func.count(Application.id)))
    application = make_application(
        world.office_a, world.unit_a, campaign, name=NAMES[n], seq=n + 1, sections=data
    )
    application.status = status
    application.submissions = submissions
    db.session.commit()
    return application


@pytest.fixture
def recommended(app, world):
    with app.app_context():
        return readable(_make(world))


def _get(app_id: int) -> Application:
    return db.session.get(Application, app_id)


def _post_status(client, app_id: int, **data):
    token = csrf_token(client, f"/applications/{app_id}/review")
    return client.post(f"/applications/{app_id}/status", data={**data, "csrf_token": token})


# --------------------------------------------------------------------------- confirmation


def test_reporting_asks_first_saying_which_submission_it_uses(app, client, auth, recommended):
    auth.login()
    resp = _post_status(client, recommended.id, to="reported")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "确认改为“已报送州”" in html
    assert "这将是第1次提交（最多3次，此后还可提交2次）" in html
    with app.app_context():
        assert _get(recommended.id).status == "recommended"  # nothing changed yet
    resp = _post_status(client, recommended.id, to="reported", confirmed="1")
    assert resp.status_code == 302
    with app.app_context():
        assert (_get(recommended.id).status, _get(recommended.id).submissions) == ("reported", 1)


def test_the_last_submission_is_named_as_such(app, world):
    with app.app_context():
        application = _make(world, status="returned", submissions=2)
        assert "第3次提交" in consequence(application, "resubmitted")
        assert "最后一次提交机会" in consequence(application, "resubmitted")
        assert "48小时内" in consequence(_make_reported(world), "returned")


def _make_reported(world) -> Application:
    return _make(world, status="reported", submissions=1)


def test_closing_for_good_is_asked_with_a_dangerous_button(app, client, auth, world):
    with app.app_context():
        reported = readable(_make_reported(world))
    auth.login()
    review = client.get(f"/applications/{reported.id}/review").get_data(as_text=True)
    assert (
        'value="rejected" class="danger"' in review and 'value="accepted" class="danger"' in review
    )
    html = _post_status(client, reported.id, to="rejected").get_data(as_text=True)
    assert "不能撤回" in html and 'class="danger solid"' in html
    assert "不能再改变状态，也不能再修改内容" in html
    with app.app_context():
        assert _get(reported.id).status == "reported"


def test_a_return_asks_for_its_reason_on_the_confirmation(app, client, auth, world):
    with app.app_context():
        reported = readable(_make_reported(world))
    auth.login()
    html = _post_status(client, reported.id, to="returned").get_data(as_text=True)
    assert "退回原因（必填）" in html and "48小时内" in html
    resp = _post_status(client, reported.id, to="returned", confirmed="1", note="")
    with app.app_context():
        assert _get(reported.id).status == "reported"  # refused: no reason
    assert "退回原因" in client.get(resp.headers["Location"]).get_data(as_text=True)
    _post_status(client, reported.id, to="returned", confirmed="1", note="缺少考核表")
    with app.app_context():
        assert _get(reported.id).returned_reason == "缺少考核表"


def test_a_change_without_consequences_is_not_asked(app, client, auth, world):
    with app.app_context():
        draft = readable(_make(world, status="draft"))
    auth.login()
    resp = _post_status(client, draft.id, to="in_publicity")
    assert resp.status_code == 302
    with app.app_context():
        assert _get(draft.id).status == "in_publicity"


def test_a_batch_report_asks_once_for_everyone_with_each_submission(app, client, auth, world):
    with app.app_context():
        made = _make(world), _make(world, status="returned", submissions=1)
        first, again, draft = readable(*made, _make(world, status="draft"))
    auth.login()
    token = csrf_token(client, "/applications/")
    data = {"to": "reported", "ids": [first.id, draft.id], "csrf_token": token}
    data["back"] = "/applications/?status=recommended"
    html = client.post("/applications/bulk-status", data=data).get_data(as_text=True)
    assert "确认改为“已报送州”" in html and "第1次提交" in html
    assert "不会改变" in html  # the draft cannot be reported, and is said so
    assert html.count('name="ids"') == 1  # only those that can change are carried on
    data["confirmed"] = "1"
    data["ids"] = [first.id]
    resp = client.post("/applications/bulk-status", data=data)
    assert resp.headers["Location"] == "/applications/?status=recommended"
    with app.app_context():
        assert _get(first.id).status == "reported" and _get(again.id).status == "returned"


# --------------------------------------------------------------------------- locking


def test_a_reported_application_is_locked_for_every_writer(app, world):
    with app.app_context():
        application = _make_reported(world)
        with pytest.raises(ApplicationLocked) as caught:
            operations.store_section(
                application, "political", {"conduct": "改"}, None, partial=True
            )
        assert "已报送州" in caught.value.message and "解锁" in caught.value.message
        with pytest.raises(ApplicationLocked):
            store_sections(application, {"basic": {"phone": "13900000000"}})
        with pytest.raises(ApplicationLocked):
            operations.copy_from_previous(application, None)
        for status in ("resubmitted", "accepted", "rejected"):
            application.status = status
            with pytest.raises(ApplicationLocked):
                store_sections(application, {"basic": {"phone": "13900000000"}})
        application.status = "returned"  # a return opens it again
        store_sections(application, {"basic": {"phone": "13900000000"}})
        assert application.section_data("basic")["phone"] == "13900000000"


def test_the_section_page_of_a_reported_application_says_it_is_locked(app, client, auth, world):
    with app.app_context():
        reported = readable(_make_reported(world))
    auth.login()
    url = f"/applications/{reported.id}/political"
    page = client.get(url).get_data(as_text=True)
    assert "已锁定" in page and "<fieldset disabled>" in page
    assert 'value="save" class="primary"' not in page
    token = csrf_token(client, url)
    resp = client.post(url, data={"conduct": "新写的内容", "appraisal": "好", "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "未保存" in html and "新写的内容" in html
    with app.app_context():
        assert _get(reported.id).section_data("political")["conduct"] != "新写的内容"


def test_an_unlock_needs_a_reason_is_audited_and_ends_with_the_next_change(app, world):
    with app.app_context():
        application = _make_reported(world)
        clerk = db.session.get(type(world.clerk_a), world.clerk_a.id)
        with pytest.raises(ValueError, match="解锁原因"):
            operations.unlock(application, clerk, "  ")
        operations.unlock(application, clerk, "州职称办通知更正联系电话")
        assert not application.locked
        store_sections(application, {"basic": {"phone": "13900000000"}})
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "application_unlock")
        ).one()
        assert entry.user_id == clerk.id
        assert entry.detail == {
            "申报人": application.name,
            "状态": "已报送州",
            "原因": "州职称办通知更正联系电话",
        }
        transition(application, "returned", clerk, note="补材料")
        assert application.unlocked_at is None
        transition(application, "resubmitted", clerk)
        assert application.locked  # sent again: locked again

        operations.unlock(application, clerk, "更正")
        operations.relock(application, clerk)
        assert application.locked
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["application_unlock", "application_relock"]


def test_a_closed_application_is_never_unlocked(app, world):
    with app.app_context():
        application = _make(world, status="rejected", submissions=1)
        clerk = db.session.get(type(world.clerk_a), world.clerk_a.id)
        with pytest.raises(ValueError, match="已经办结"):
            operations.unlock(application, clerk, "想改")
        assert application.locked


def test_unlocking_on_the_review_page(app, client, auth, world):
    with app.app_context():
        reported = readable(_make_reported(world))
    auth.login()
    review = client.get(f"/applications/{reported.id}/review").get_data(as_text=True)
    assert "各部分已锁定" in review and "解锁修改" in review and "查看各部分" in review
    token = csrf_token(client, f"/applications/{reported.id}/review")
    url = f"/applications/{reported.id}/unlock"
    client.post(url, data={"reason": "更正电话", "csrf_token": token})
    review = client.get(f"/applications/{reported.id}/review").get_data(as_text=True)
    assert "已解锁修改" in review and "更正电话" in review and "返回填写" in review
    page = client.get(f"/applications/{reported.id}/basic").get_data(as_text=True)
    assert "<fieldset >" in page or "<fieldset>" in page


def test_a_read_only_user_is_not_sent_back_to_fill_in(app, client, world):
    from tests.factories import make_user

    with app.app_context():
        make_user("bazhou", "password-z", "prefecture", prefecture="巴音郭楞蒙古自治州")
        draft = readable(_make(world, status="draft"))
    token = csrf_token(client, "/login")
    client.post(
        "/login", data={"username": "bazhou", "password": "password-z", "csrf_token": token}
    )
    review = client.get(f"/applications/{draft.id}/review").get_data(as_text=True)
    assert "查看各部分" in review and "返回填写" not in review


# --------------------------------------------------------------------------- reversal


def test_an_admin_reverses_the_last_change_with_a_reason(app, client, auth, world):
    with app.app_context():
        application = readable(_make(world))
    auth.login()
    _post_status(client, application.id, to="reported", confirmed="1")
    auth.logout()
    auth.login("admin", "password-admin")
    review = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert "撤销上一次变更" in review and "已推荐 → 已报送州" in review
    token = csrf_token(client, f"/applications/{application.id}/review")
    url = f"/applications/{application.id}/reverse"
    client.post(url, data={"reason": "", "csrf_token": token})
    with app.app_context():
        assert _get(application.id).status == "reported"  # a reason is required
    client.post(url, data={"reason": "误点报送，材料未寄出", "csrf_token": token})
    with app.app_context():
        reversed_ = _get(application.id)
        assert (reversed_.status, reversed_.submissions) == ("recommended", 0)
        changes = db.session.scalars(
            sa.select(StatusChange).where(StatusChange.application_id == application.id)
        ).all()
        assert [(c.from_status, c.to_status) for c in changes] == [
            ("recommended", "reported"),
            ("reported", "recommended"),
        ]
        assert changes[1].reverses_id == changes[0].id and "误点报送" in changes[1].note
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "status_reverse")
        ).one()
        assert entry.detail["原因"] == "误点报送，材料未寄出"
        assert entry.detail["撤销的变更"] == "已推荐 → 已报送州"
    review = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert "撤销上一次变更（管理员）" not in review  # a reversal is not reversed in turn


def test_only_an_admin_may_reverse(app, client, auth, world):
    with app.app_context():
        application = readable(_make_reported(world))
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/review")
    resp = client.post(
        f"/applications/{application.id}/reverse", data={"reason": "x", "csrf_token": token}
    )
    assert resp.status_code == 403
    with app.app_context():
        clerk = db.session.get(type(world.clerk_a), world.clerk_a.id)
        with pytest.raises(WorkflowError, match="只有管理员"):
            reverse_last(_get(application.id), clerk, "x")


def test_reversing_a_return_restores_the_deadline_and_reason_as_they_were(app, world):
    with app.app_context():
        application = _make_reported(world)
        admin = db.session.get(type(world.admin), world.admin.id)
        transition(application, "returned", admin, note="缺少考核表")
        transition(application, "resubmitted", admin)
        assert application.submissions == 2 and application.resubmit_due is None
        reverse_last(application, admin, "重新提交有误")
        assert (application.status, application.submissions) == ("returned", 1)
        assert application.resubmit_due is not None and application.returned_reason == "缺少考核表"
        with pytest.raises(WorkflowError, match="已是撤销"):
            reverse_last(application, admin, "再撤销")


# --------------------------------------------------------------------------- what is missing


def test_materials_not_received_are_said_on_both_pages_and_block_reporting(
    app, client, auth, world
):
    with app.app_context():
        materials = stored_sections(world.campaigns[PARTY].definition)["materials"]
        materials["rows"][1]["received"] = False
        name = materials["rows"][1]["name"]
        application = readable(_make(world, materials=materials))
    auth.login()
    reason = f"尚未收到“{name}”，报送前须收齐。"
    review = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert reason in review and "未发现问题" not in review
    assert "纸质材料尚未收齐" in review  # why 已报送州 cannot be chosen
    page = client.get(f"/applications/{application.id}/materials").get_data(as_text=True)
    assert reason in page
    _post_status(client, application.id, to="reported", confirmed="1")
    with app.app_context():
        assert _get(application.id).status == "recommended"


def test_an_unfinished_section_says_what_it_lacks_and_blocks_recommending(app, world):
    from portal.rules.checks import findings_for

    with app.app_context():
        application = _make(world, status="publicity_ended")
        store_sections(application, {"basic": {"phone": ""}})
        found = [f for f in findings_for(application, date(2023, 10, 1)) if f.section == "basic"]
        assert [(f.field, f.message, f.blocking) for f in found] == [
            ("phone", "请填写联系电话。", True)
        ]
        with pytest.raises(WorkflowError, match="请填写联系电话"):
            transition(application, "recommended", None, today=date(2023, 10, 1))
