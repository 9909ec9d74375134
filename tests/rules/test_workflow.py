"""Tests for the status workflow of an application (portal/rules/workflow.py).

Clauses cited: 002 五（二） (publicity of at least 5 working days, then the result), 002 四（三）
(at most 3 submissions, resubmit within 48 hours of a return), 003 七（三） (at most 3
submissions, no resubmission deadline), 000 八（四） (at most 3 submissions).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.applications.models import Application, StatusChange
from portal.rules.workflow import (
    TRANSITIONS,
    WorkflowError,
    allowed_targets,
    bulk_transition,
    can_transition,
    transition,
)
from portal.vocabulary import STATUSES
from tests.factories import make_application, store_sections
from tests.rules.test_checks import stored_sections

PARTY = "bz-partyschool-2023"  # 002
WATER = "bz-water-2021"  # 003

NOW = datetime(2023, 10, 1, 2, 0)  # naive UTC, as stored
START = date(2023, 9, 18)  # Monday
END = date(2023, 9, 22)  # 5th working day, 002 五（二）

NAMES = ("阿依古丽·叶尔肯", "马福军", "李海燕", "巴音德力格尔", "其木格", "王建军")
INVALID = [(a, b) for a in STATUSES for b in STATUSES if b not in TRANSITIONS[a]]


def new_app(world, code: str = PARTY, seq: int = 1, status: str = "draft", **kw) -> Application:
    """A complete application of office B (no blocking findings), put directly in ``status``.

    Its publicity section is stored once it is past the draft (or has a ``publicity_start``);
    the application's own publicity dates are then exactly those given.
    """
    campaign = world.campaigns[code]
    data = stored_sections(campaign.definition)
    if status == "draft" and "publicity_start" not in kw:
        del data["publicity"]
    app = make_application(
        world.office_b, world.unit_b, campaign, seq=seq, name=NAMES[seq % len(NAMES)], sections=data
    )
    app.status = status
    if "publicity" in data:
        app.publicity_start, app.publicity_end = kw.get("publicity_start"), kw.get("publicity_end")
    for key, value in kw.items():
        setattr(app, key, value)
    return app


def test_the_whole_way_from_draft_to_accepted(app, db, world) -> None:
    # 002 五（二）: 公示期不少于5个工作日, then 公示结果; 002 四（三）: returned and resubmitted.
    a = new_app(world, publicity_start=START)
    user = world.clerk_b
    steps = [
        ("in_publicity", START),
        ("publicity_ended", END + timedelta(days=1)),
        ("recommended", END + timedelta(days=1)),
        ("reported", END + timedelta(days=2)),
        ("returned", END + timedelta(days=3)),
        ("resubmitted", END + timedelta(days=3)),
        ("reported", END + timedelta(days=4)),
        ("accepted", END + timedelta(days=5)),
    ]
    for to, today in steps:
        note = "继续教育证书不清晰" if to == "returned" else ""
        change = transition(a, to, user, note=note, today=today, now=NOW)
        assert change.to_status == to and a.status == to
    db.session.commit()
    assert a.publicity_end == END  # computed from the calendar on entering the publicity
    assert a.submissions == 2
    assert a.returned_reason == "继续教育证书不清晰"
    recorded = db.session.scalars(sa.select(StatusChange).order_by(StatusChange.id)).all()
    assert [(c.from_status, c.to_status) for c in recorded] == [
        ("draft", "in_publicity"),
        ("in_publicity", "publicity_ended"),
        ("publicity_ended", "recommended"),
        ("recommended", "reported"),
        ("reported", "returned"),
        ("returned", "resubmitted"),
        ("resubmitted", "reported"),
        ("reported", "accepted"),
    ]
    assert all(c.user_id == user.id and c.at == NOW and c.application_id == a.id for c in recorded)
    assert recorded[4].note == "继续教育证书不清晰"


@pytest.mark.parametrize("frm", STATUSES)
def test_every_invalid_transition_is_refused(app, db, world, frm: str) -> None:
    # The workflow of the issue (draft → in publicity → … → accepted / rejected); any other
    # change is refused with a message and leaves no record.
    a = new_app(world, status=frm, publicity_start=START, publicity_end=END, submissions=1)
    later = END + timedelta(days=10)
    targets = [to for f, to in INVALID if f == frm]
    assert frm in targets  # staying put is not a change
    for to in targets:
        reason = can_transition(a, to, today=later, now=NOW)
        assert reason, f"{frm} -> {to}"
        with pytest.raises(WorkflowError) as exc:
            transition(a, to, world.clerk_b, note="原因", today=later, now=NOW)
        assert exc.value.message == reason
        assert a.status == frm and a.submissions == 1
    assert db.session.scalars(sa.select(StatusChange)).all() == []


def test_an_unknown_status_is_refused(app, db, world) -> None:
    a = new_app(world)
    assert "未知的状态" in (can_transition(a, "archived", today=START, now=NOW) or "")


def test_a_closed_application_cannot_change(app, db, world) -> None:
    a = new_app(world, status="accepted")
    assert "已办结" in (can_transition(a, "reported", today=START, now=NOW) or "")


def test_publicity_needs_a_start_date(app, db, world) -> None:
    # 002 五（二）: the unit posts the publicity — its start date comes first.
    a = new_app(world)
    assert "公示开始日期" in (can_transition(a, "in_publicity", today=START, now=NOW) or "")


def test_the_start_date_may_come_from_the_publicity_section(app, db, world) -> None:
    # 002 五（二）: the period is counted from the start the clerk entered on the section page.
    a = new_app(world)
    store_sections(a, {"publicity": {"start": START.isoformat()}})
    transition(a, "in_publicity", world.clerk_b, today=START, now=NOW)
    assert (a.publicity_start, a.publicity_end) == (START, END)


@pytest.mark.parametrize("code", [PARTY, WATER])
def test_the_result_cannot_be_issued_before_the_end_date(app, db, world, code: str) -> None:
    # 002 五（二） and 003 六（三）: 公示期不少于5个工作日 — the result only after the last day.
    a = new_app(world, code, status="in_publicity", publicity_start=START, publicity_end=END)
    for today in (START, END):
        reason = can_transition(a, "publicity_ended", today=today, now=NOW)
        assert reason and "2023年9月23日起方可出具公示结果" in reason
        with pytest.raises(WorkflowError):
            transition(a, "publicity_ended", world.clerk_b, today=today, now=NOW)
    transition(a, "publicity_ended", world.clerk_b, today=END + timedelta(days=1), now=NOW)
    assert a.status == "publicity_ended"


def test_the_result_needs_an_end_date(app, db, world) -> None:
    a = new_app(world, status="in_publicity", publicity_start=START)
    assert "公示结束日期" in (can_transition(a, "publicity_ended", today=END, now=NOW) or "")


def test_the_result_is_refused_while_an_objection_is_open(app, db, world) -> None:
    # 002 五（二）: 对公示无异议的 … 同意推荐 — not while an objection is being handled.
    a = new_app(
        world, status="in_publicity", publicity_start=START, publicity_end=END, objection_open=True
    )
    after = END + timedelta(days=1)
    assert "异议" in (can_transition(a, "publicity_ended", today=after, now=NOW) or "")
    store_sections(a, {"publicity": {"start": START.isoformat(), "objection_open": True}})
    a.objection_open = False  # the section says so even where the application does not
    assert "异议" in (can_transition(a, "publicity_ended", today=after, now=NOW) or "")


def test_a_return_needs_a_reason(app, db, world) -> None:
    # 002 四（三）: 对申报材料不符合要求的予以退回 — the applicant must know what to fix.
    a = new_app(world, status="reported", submissions=1)
    with pytest.raises(WorkflowError, match="退回原因"):
        transition(a, "returned", world.clerk_b, note="  ", today=START, now=NOW)
    assert can_transition(a, "returned", today=START, now=NOW) is None  # listing only


def test_002_return_sets_48_hours_003_sets_none(app, db, world) -> None:
    # 002 四（三）: 退回后的48小时内完成修改后再次提交; 003 七（三）: no deadline stated.
    party = new_app(world, PARTY, 1, status="reported", submissions=1)
    water = new_app(world, WATER, 2, status="reported", submissions=1)
    transition(party, "returned", world.clerk_b, note="缺少考核表", today=START, now=NOW)
    transition(water, "returned", world.clerk_b, note="缺少考核表", today=START, now=NOW)
    assert party.resubmit_due == NOW + timedelta(hours=48)
    assert water.resubmit_due is None


def test_resubmission_after_the_deadline_is_refused(app, db, world) -> None:
    # 002 四（三）: 逾期未补充提交的视为放弃申报.
    due = NOW + timedelta(hours=48)
    a = new_app(world, status="returned", submissions=1, resubmit_due=due)
    reason = can_transition(a, "resubmitted", today=START, now=due + timedelta(seconds=1))
    assert reason and "视为放弃申报" in reason
    assert "2023年自治州党干校教师系列职称评审通知 四（三）" in reason
    transition(a, "resubmitted", world.clerk_b, today=START, now=due)
    assert a.submissions == 2 and a.resubmit_due is None


@pytest.mark.parametrize(
    ("code", "clause"),
    [
        (PARTY, "2023年自治州党干校教师系列职称评审通知 四（三）"),
        (WATER, "巴水办发〔2021〕175号 七（三）"),
    ],
)
def test_no_more_than_the_campaigns_submissions(app, db, world, code: str, clause: str) -> None:
    # 002 四（三）: 提交次数不得超过3次; 003 七（三）: 提交…次数不得超过3次.
    limit = world.campaigns[code].definition.rules.max_submissions
    a = new_app(world, code, status="returned", submissions=limit)
    reason = can_transition(a, "resubmitted", today=START, now=NOW)
    assert reason and f"不得超过{limit}次" in reason and clause in reason
    b = new_app(world, code, 2, status="recommended", submissions=limit)
    assert can_transition(b, "reported", today=START, now=NOW)
    c = new_app(world, code, 3, status="returned", submissions=limit - 1)
    transition(c, "resubmitted", world.clerk_b, today=START, now=NOW)
    assert c.submissions == limit


def test_reporting_again_after_a_resubmission_does_not_count_twice(app, db, world) -> None:
    # 002 四（三）: 修改后逐级提交 — the resubmission is the counted submission.
    a = new_app(world, status="resubmitted", submissions=2)
    transition(a, "reported", world.clerk_b, today=START, now=NOW)
    assert a.submissions == 2


def test_bulk_transition_reports_the_refused(app, db, world) -> None:
    # 002 五（二）: each application's own publicity start is needed.
    ready = [new_app(world, seq=n, publicity_start=START) for n in (1, 2)]
    missing = new_app(world, seq=3)
    done, refused = bulk_transition(
        [*ready, missing], "in_publicity", world.clerk_b, today=START, now=NOW
    )
    assert done == ready
    assert [(a, "公示开始日期" in r) for a, r in refused] == [(missing, True)]
    assert len(db.session.scalars(sa.select(StatusChange)).all()) == 2


def test_allowed_targets_lists_the_next_steps_with_reasons(app, db, world) -> None:
    a = new_app(world, status="reported", submissions=1)
    assert allowed_targets(a, today=START, now=NOW) == [
        ("returned", None),
        ("accepted", None),
        ("rejected", None),
    ]
    b = new_app(world, seq=2, status="in_publicity", publicity_start=START, publicity_end=END)
    [(to, reason)] = allowed_targets(b, today=END, now=NOW)
    assert to == "publicity_ended" and reason


def test_an_application_with_a_blocking_finding_cannot_be_recommended(app, db, world) -> None:
    # 002 一: 离退休人员……不得参加 — the portal refuses to send such an application on.
    a = new_app(world, status="publicity_ended", publicity_start=START, publicity_end=END)
    store_sections(a, {"basic": {"retired": True}})
    reason = can_transition(a, "recommended", END + timedelta(days=1), NOW)
    assert reason is not None and "必须修改的问题" in reason
    with pytest.raises(WorkflowError):
        transition(a, "recommended", world.clerk_b, today=END + timedelta(days=1), now=NOW)
    assert a.status == "publicity_ended"
