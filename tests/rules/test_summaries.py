"""Findings in brief, cached per application version: the list's problems and the home page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event

from portal.applications.models import Application
from portal.campaigns.models import Campaign
from portal.campaigns.services import upsert_campaign
from portal.extensions import db
from portal.rules.checks import findings_for
from portal.rules.summaries import (
    CheckSummary,
    _upsert,
    summaries_of,
    summary_values,
    valid_until,
)
from portal.timeutil import utcnow
from tests.conftest import post_form, readable
from tests.factories import make_application, store_sections

CAMPAIGN = "bz-culture-2021"


class Statements:
    """Count the SQL statements, and those reading the sections, while it is active."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.all: list[str] = []

    def _on(self, _conn, _cursor, statement, *_args) -> None:
        self.all.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    @property
    def section_reads(self) -> int:
        return sum("FROM application_section" in s for s in self.all)


def _name(i: int) -> str:
    """A distinct name without digits (names refuse them)."""
    return "申报人" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉戌亥"[i // 10 % 12]


def _apps(world, n: int, start: int = 0) -> list[Application]:
    """n applications of office A, committed (call inside an application context)."""
    apps = [
        make_application(
            world.office_a, world.unit_a, world.campaigns[CAMPAIGN], name=_name(i), seq=i
        )
        for i in range(start, start + n)
    ]
    db.session.commit()
    return apps


def _made(app, world, n: int, start: int = 0) -> list[Application]:
    """n applications, made in a context of their own and readable outside it."""
    with app.app_context():
        made = _apps(world, n, start)
        readable(*made)
    return made


def _summary(app, app_id: int) -> CheckSummary | None:
    with app.app_context():
        summary = db.session.get(CheckSummary, app_id)
        return readable(summary) if summary is not None else None


def test_the_list_shows_each_applications_problems_and_unfinished_sections(
    app, client, auth, world
) -> None:
    (made,) = _made(app, world, 1)
    auth.login()
    html = client.get("/applications/").get_data(as_text=True)
    summary = _summary(app, made.id)
    assert summary is not None and summary.blocking > 0
    assert f"{summary.blocking}项必须修改" in html
    assert summary.first_blocking in html  # as the badge's title
    # Nothing filled in yet: every section is unfinished, the first three named.
    assert "未完成：基本信息" in html and f"等{len(summary.unfinished)}部分" in html


def test_a_section_write_makes_the_summary_stale_and_it_is_recomputed(
    app, client, auth, world
) -> None:
    (made,) = _made(app, world, 1)
    auth.login()
    client.get("/applications/")
    before = _summary(app, made.id)
    assert "summary" in before.unfinished
    with app.app_context():
        application = db.session.get(Application, made.id)
        store_sections(application, {"summary": {"text": "任现职以来完成群众文化活动二十余场。"}})
        db.session.commit()
        updated_at = application.updated_at
    with Statements(app) as seen:
        client.get("/applications/")
    assert seen.section_reads == 1  # the changed application's sections, once
    after = _summary(app, made.id)
    assert after.computed_at > before.computed_at
    assert "summary" not in after.unfinished
    assert after.app_updated_at == updated_at


def test_fresh_summaries_are_not_recomputed_and_the_statements_do_not_grow(
    app, client, auth, world
) -> None:
    _made(app, world, 3)
    auth.login()
    client.get("/")  # computes and stores the summaries
    with Statements(app) as few:
        client.get("/")
    _made(app, world, 40, start=3)
    client.get("/")
    with Statements(app) as many:
        html = client.get("/").get_data(as_text=True)
    assert few.section_reads == many.section_reads == 0
    assert len(few.all) == len(many.all)
    assert "需要修改的申报" in html and _name(42) in html and "另有 13 人未列出" in html


def test_replacing_the_campaign_recomputes_its_summaries(app, client, auth, world) -> None:
    (made,) = _made(app, world, 1)
    auth.login()
    client.get("/applications/")
    before = _summary(app, made.id)
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaigns[CAMPAIGN].id)
        upsert_campaign(campaign.definition)
        db.session.commit()
        loaded_at = campaign.loaded_at
    client.get("/applications/")
    after = _summary(app, made.id)
    assert after.computed_at > before.computed_at
    assert after.campaign_loaded_at == loaded_at


def test_editing_a_unit_drops_its_applications_summaries(app, client, auth, world) -> None:
    (made,) = _made(app, world, 1)
    auth.login()
    client.get("/applications/")
    assert _summary(app, made.id) is not None
    unit = world.unit_a
    response = post_form(
        client,
        f"/units/{unit.id}",
        {
            "name": unit.name,
            "nature": "民营企业",
            "county": unit.county,
            "office_id": unit.office_id,
            "objection_office": "若羌县文化馆办公室",
        },
    )
    assert response.status_code == 302
    assert _summary(app, made.id) is None


def test_a_summary_expires_at_local_midnight_or_at_the_resubmission_deadline(db, world) -> None:
    (made,) = _apps(world, 1)
    today = date(2024, 8, 1)  # Beijing: midnight of 2 August is 16:00 UTC on 1 August
    now = datetime(2024, 8, 1, 3, 0)
    assert valid_until(made, today, now) == datetime(2024, 8, 1, 16, 0)
    made.resubmit_due = datetime(2024, 8, 1, 9, 30)
    assert valid_until(made, today, now) == datetime(2024, 8, 1, 9, 30)
    made.resubmit_due = now - timedelta(hours=1)  # already past: midnight again
    assert valid_until(made, today, now) == datetime(2024, 8, 1, 16, 0)


def test_an_expired_summary_is_recomputed(db, world) -> None:
    (made,) = _apps(world, 1)
    summaries_of([made.id])
    db.session.commit()
    db.session.execute(
        sa.update(CheckSummary).values(valid_until=utcnow() - timedelta(seconds=1), blocking=99)
    )
    db.session.commit()
    fresh = summaries_of([made.id])[made.id]
    assert fresh.blocking != 99
    db.session.expire_all()
    assert db.session.get(CheckSummary, made.id).valid_until > utcnow()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckSummary)) == 1


def test_two_requests_storing_the_same_new_summary_do_not_collide(db, world) -> None:
    """Both found no summary and both store one: the second replaces the first (the soak
    test's 500 on PostgreSQL: duplicate key pk_check_summary)."""
    (made,) = _apps(world, 1)
    today, now = date.today(), utcnow()
    row = summary_values(made, findings_for(made, today, now), today, now)
    _upsert([row])
    db.session.commit()
    _upsert([{**row, "blocking": 7}])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CheckSummary, made.id).blocking == 7
