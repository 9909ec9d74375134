"""The operations API: plain data checked with the forms' rules, mirrored, versioned, complete."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.applications import operations, sections
from portal.applications.idcard import make_id
from portal.applications.models import Application, ApplicationSection, Person
from portal.applications.operations import ApplicationError, VersionConflict, store_section
from portal.demo import load_demo
from portal.extensions import db as _db
from portal.offices.services import office_units
from tests.factories import make_application, make_unit

CULTURE = "bz-culture-2021"  # 000
PARTY = "bz-partyschool-2023"  # 002


def basic(app: Application, **changes) -> dict:
    """Complete basic information of an application: what the section starts with, and more."""
    return {
        **sections.default_data("basic", app),
        "gender": "男",
        "ethnicity": "维吾尔族",
        "birth_date": date(1986, 3, 14),
        "political_status": "中共党员",
        "phone": "13899001122",
        "work_start": "2008-08-01",
        **changes,
    }


def new_person(world, **changes) -> dict:
    """Who applies to what in 000, as the new-application form takes it."""
    return {
        "unit_id": world.unit_a.id,
        "name": "张丽娟",
        "id_number": make_id("652824", date(1988, 6, 21), 3, "女"),
        "series_code": "culture",
        "specialty": "群众文化",
        "level": "intermediate",
        "kind": "evaluation",
        **changes,
    }


@pytest.fixture
def application(world, db) -> Application:
    app = make_application(world.office_a, world.unit_a, world.campaigns[CULTURE])
    db.session.commit()
    return app


def test_errors_come_in_chinese_under_the_forms_field_names(world, application) -> None:
    education = {
        "rows": [
            {"start": "2004-13-01", "end": "2008-07-01", "school": "新疆大学", "major": "汉语"},
        ]
    }
    with pytest.raises(ApplicationError) as caught:
        store_section(application, "education", education, world.clerk_a)
    errors = caught.value.field_errors("education")
    assert "月份" in errors["rows-0-start"][0]
    assert errors["rows-0-level"] == ["请选择学历。"]
    assert "rows-0-school" not in errors

    bad_id = application.id_number[:-1] + ("1" if application.id_number[-1] == "0" else "0")
    with pytest.raises(ApplicationError) as caught:
        store_section(
            application, "basic", basic(application, id_number=bad_id, ethnicity="火星族"), None
        )
    errors = caught.value.field_errors("basic")
    assert "校验位不正确" in errors["id_number"][0]
    assert errors["ethnicity"] == ["不是有效的选择。"]  # WTForms' own message, in Chinese
    assert application.section("basic") is None and application.section("education") is None


def test_a_unit_of_another_office_is_refused(world, application) -> None:
    with pytest.raises(ApplicationError) as caught:
        store_section(application, "basic", basic(application, unit_id=world.unit_b.id), None)
    assert "unit_id" in caught.value.field_errors("basic")


def test_a_stale_version_is_a_conflict(world, application, db) -> None:
    political = {"conduct": "拥护党的领导。", "appraisal": "表现良好。"}
    stored = store_section(application, "political", political, world.clerk_a, expected_version="")
    assert stored.version == 1 and stored.updated_by_id == world.clerk_a.id
    with pytest.raises(VersionConflict) as caught:
        store_section(application, "political", political, world.clerk_a, expected_version="")
    assert caught.value.stored is stored
    store_section(
        application, "political", {**political, "conduct": "二"}, None, expected_version=1
    )
    db.session.commit()
    assert stored.version == 2 and stored.updated_by_id is None
    with pytest.raises(VersionConflict):
        store_section(application, "political", political, None, expected_version="1")
    assert application.section_data("political")["conduct"] == "二"


def test_basic_information_and_publicity_are_mirrored_onto_the_application(
    world, application, db
) -> None:
    library = make_unit(world.office_a, "若羌县图书馆")
    data = basic(
        application, name="买买提·艾力江", unit_id=library.id, level="junior", specialty="图书资料"
    )
    store_section(application, "basic", data, world.clerk_a)
    db.session.commit()
    assert (application.name, application.unit_id, application.level) == (
        "买买提·艾力江",
        library.id,
        "junior",
    )
    assert application.specialty == "图书资料" and application.person.name == "买买提·艾力江"

    # 000 七（三）: 公示期不少于5个工作日; 2021-09-30 + the National Day holiday → 10-12.
    publicity = {"start": "2021.09.30", "objections": "无", "recommendation": "同意推荐"}
    store_section(application, "publicity", {**publicity, "objection_open": True}, None)
    assert application.publicity_start == date(2021, 9, 30)
    assert application.publicity_end == date(2021, 10, 12)
    assert application.objection_open is True
    assert application.section_data("publicity")["start"] == "2021-09-30"  # ISO, as the form


def test_complete_means_nothing_missing_and_says_what_is(world, application) -> None:
    # A roster-like write: some fields only, stored as incomplete.
    store_section(
        application,
        "education",
        {"rows": [{"level": "大学本科", "school": "新疆大学", "major": "汉语言文学"}]},
        None,
        partial=True,
    )
    assert application.section("education").complete is False
    gaps = {g.field for g in sections.missing(application, "education")}
    assert gaps == {"rows-0-start", "rows-0-end", "rows-0-degree", "rows-0-full_time"}
    # The same data is refused where a form's whole section is expected.
    with pytest.raises(ApplicationError) as caught:
        store_section(application, "education", application.section_data("education"), None)
    assert set(caught.value.field_errors("education")) == gaps

    rows = [
        {
            **application.section_data("education")["rows"][0],
            "start": "2004-09-01",
            "end": "2008-07-01",
            "degree": "学士",
            "full_time": "全日制",
        }
    ]
    store_section(application, "education", {"rows": rows}, None)
    assert application.section("education").complete
    assert sections.missing(application, "education") == []

    # 000 八: the paper materials; complete once every item is received.
    materials = sections.default_data("materials", application)
    store_section(application, "materials", materials, None)
    assert not application.section("materials").complete
    missing = sections.missing(application, "materials")
    assert missing and all(g.field.endswith("-received") for g in missing)
    assert missing[0].message.startswith("尚未收到“")
    rows = [{**r, "received": True} for r in materials["rows"]]
    store_section(application, "materials", {"rows": rows}, None)
    assert application.section("materials").complete


def test_a_partial_write_keeps_what_it_does_not_bring_and_refuses_bad_values(
    world, application
) -> None:
    store_section(application, "basic", basic(application), None)
    store_section(application, "basic", {"phone": "0996 7102311"}, None, partial=True)
    stored = application.section_data("basic")
    assert stored["phone"] == "0996-7102311" and stored["ethnicity"] == "维吾尔族"
    assert application.section("basic").complete
    with pytest.raises(ApplicationError) as caught:
        store_section(application, "basic", {"work_start": "2008.13"}, None, partial=True)
    assert list(caught.value.field_errors("basic")) == ["work_start"]
    assert application.section_data("basic")["work_start"] == "2008-08-01"


def test_nothing_is_written_when_a_new_application_is_refused(world, db) -> None:
    campaign = world.campaigns[CULTURE]
    person = new_person(world)
    data = {"basic": person, "political": {"conduct": "好" * 1001, "appraisal": "好"}}
    with pytest.raises(ApplicationError) as caught:
        operations.save_application(campaign, world.office_a.id, data, None, partial=True)
    assert list(caught.value.errors) == ["political"]
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ApplicationSection.id))) == 0

    with pytest.raises(ApplicationError) as caught:
        operations.create_application(campaign, world.office_a.id, {**person, "level": "x"}, None)
    assert list(caught.value.field_errors("basic")) == ["level"]
    # Where the whole section is expected, what basic information lacks is refused too.
    with pytest.raises(ApplicationError) as caught:
        operations.save_application(campaign, world.office_a.id, {"basic": person}, None)
    assert {"ethnicity", "phone", "work_start"} <= set(caught.value.errors["basic"])
    # 性别 and 出生日期 are what the ID number says when not given.
    assert not {"gender", "birth_date"} & set(caught.value.errors["basic"])
    data = {"basic": person}
    app = operations.save_application(campaign, world.office_a.id, data, None, partial=True)
    assert app.section("basic").data["name"] == "张丽娟" and not app.section("basic").complete


def test_a_known_id_number_under_another_name_is_refused_on_creation(world, application) -> None:
    data = {
        "unit_id": world.unit_a.id,
        "name": "马晓梅",
        "id_number": application.id_number,
        "series_code": "news",
        "specialty": "记者",
        "level": "intermediate",
        "kind": "evaluation",
    }
    news = world.campaigns["bz-news-2021"]
    with pytest.raises(ApplicationError) as caught:
        operations.create_application(news, world.office_a.id, data, None)
    message = caught.value.field_errors("basic")["id_number"][0]
    assert "买买提·艾力" in message and application.id_number not in message
    assert application.person.name == "买买提·艾力"
    again = operations.create_application(
        news, world.office_a.id, {**data, "name": application.name}, None
    )
    assert again.person_id == application.person_id


def test_every_demo_section_is_stored_as_its_form_would_store_it(app, db) -> None:
    # One normal form for every writer: the stored data reads back through the form unchanged,
    # and "complete" is what the form's rules say.
    load_demo()
    stored = db.session.scalars(sa.select(ApplicationSection)).all()
    assert len(stored) > 100
    for s in stored:
        checked = sections.check(
            s.key, s.application, s.data, office_units(s.application.office_id)
        )
        assert checked.data == s.data, (s.application.name, s.key)
        assert checked.complete == s.complete, (s.application.name, s.key, checked.missing)


def test_copying_from_last_year_leaves_out_what_this_notice_refuses(world, db) -> None:
    # 000 六（一） lists 专项工作 (special_task) among the grounds for defense exemption; 001
    # does not: last year's basic information is copied without it, everything else kept.
    culture = world.campaigns[CULTURE]
    last_year = make_application(world.office_a, world.unit_a, culture, name="张丽娟", seq=3)
    store_section(last_year, "basic", basic(last_year, service_ground="special_task"), None)
    store_section(last_year, "summary", {"text": "去年的总结"}, None)
    data = {k: getattr(last_year, k) for k in operations.NEW_FIELDS}
    news = world.campaigns["bz-news-2021"]
    data.update(series_code="news", specialty="记者")
    app = operations.create_application(news, world.office_a.id, data, None, copy_previous=True)
    copied = app.section_data("basic")
    assert copied["service_ground"] == "" and copied["phone"] == "13899001122"
    assert copied["series_code"] == "news" and copied["work_start"] == "2008-08-01"
    assert app.section("basic").complete
    assert app.section_data("summary") == {"text": "去年的总结"}


def test_a_campaign_the_caller_holds_stays_out_of_the_session(app, world) -> None:
    # The world's campaigns are detached copies. A new application is related to the
    # session's own campaign: the caller's copy is not pulled in (and expired by the commit),
    # so it can still be read once the context has closed.
    campaign = world.campaigns[CULTURE]
    readable_before = (campaign.id, campaign.code)
    person = new_person(world)
    with app.app_context():
        created = operations.create_application(campaign, world.office_a.id, person, None)
        other = new_person(
            world, name="马晓梅", id_number=make_id("652824", date(1990, 1, 2), 4, "女")
        )
        saved = operations.save_application(
            campaign, world.office_a.id, {"basic": other}, None, partial=True
        )
        assert campaign not in _db.session
        assert created.campaign is saved.campaign is not campaign
        assert created.campaign_id == saved.campaign_id == campaign.id
        _db.session.commit()
    assert (campaign.id, campaign.code) == readable_before
