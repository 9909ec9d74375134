"""Recommending units: scoped to the office, validated in Chinese."""

from __future__ import annotations

from portal.extensions import db
from portal.offices.models import RecommendingUnit
from portal.offices.services import office_units
from tests.conftest import post_form
from tests.factories import make_unit


def test_office_a_clerk_gets_404_for_office_b_unit(client, world, auth):
    auth.login("clerk_a", "password-a")
    assert client.get(f"/units/{world.unit_b.id}").status_code == 404
    assert client.get(f"/units/{world.unit_a.id}").status_code == 200


def test_office_a_clerk_cannot_post_to_office_b_unit(app, client, world, auth):
    auth.login("clerk_a", "password-a")
    token = client.get(f"/units/{world.unit_a.id}").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf-token" content="([^"]+)"', token).group(1)
    resp = client.post(f"/units/{world.unit_b.id}", data={"name": "x", "csrf_token": csrf})
    assert resp.status_code == 404
    with app.app_context():
        assert db.session.get(RecommendingUnit, world.unit_b.id).name == "和静县水利工程管理站"


def test_the_unit_list_shows_only_the_own_office(client, world, auth):
    auth.login("clerk_a", "password-a")
    page = client.get("/units").get_data(as_text=True)
    assert "若羌县文化馆" in page and "和静县水利工程管理站" not in page


def test_a_clerk_creates_a_unit_in_the_own_office(app, client, world, auth):
    auth.login("clerk_a", "password-a")
    resp = post_form(
        client,
        "/units/new",
        {
            "office_id": world.office_a.id,
            "name": "若羌县博物馆",
            "nature": "事业单位",
            "county": "若羌县",
            "head_title": "馆长",
            "objection_office": "县文体广旅局办公室",
            "supervision_phone": "０９９６－７１０２３１１",
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        unit = db.session.query(RecommendingUnit).filter_by(name="若羌县博物馆").one()
        assert unit.office_id == world.office_a.id
        assert unit.supervision_phone == "0996-7102311"  # full-width digits normalised


def test_a_clerk_cannot_create_a_unit_in_another_office(app, client, world, auth):
    auth.login("clerk_a", "password-a")
    resp = post_form(
        client,
        "/units/new",
        {
            "office_id": world.office_b.id,
            "name": "冒名单位",
            "nature": "事业单位",
            "county": "和静县",
            "objection_office": "办公室",
            "supervision_phone": "0996-5012236",
        },
    )
    assert resp.status_code == 200  # not a valid choice for this clerk
    with app.app_context():
        assert "冒名单位" not in [u.name for u in db.session.query(RecommendingUnit)]


def test_a_bad_supervision_phone_is_refused_at_the_field(client, world, auth):
    auth.login("clerk_a", "password-a")
    resp = post_form(
        client,
        "/units/new",
        {
            "office_id": world.office_a.id,
            "name": "若羌县博物馆",
            "nature": "事业单位",
            "county": "若羌县",
            "objection_office": "办公室",
            "supervision_phone": "12",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="field-supervision_phone"' in html and "本地电话" in html
    assert 'value="若羌县博物馆"' in html  # what was typed is kept


def test_a_prefecture_user_reads_units_of_all_offices_but_cannot_edit(app, client, world, auth):
    from tests.factories import make_user

    with app.app_context():
        make_user("pref", "password-p", "prefecture", prefecture="巴音郭楞蒙古自治州")
        db.session.commit()
    auth.login("pref", "password-p")
    page = client.get("/units").get_data(as_text=True)
    assert "若羌县文化馆" in page and "和静县水利工程管理站" in page
    resp = post_form(client, f"/units/{world.unit_a.id}", {"name": "改名"})
    with app.app_context():
        assert db.session.get(RecommendingUnit, world.unit_a.id).name == "若羌县文化馆"
    assert resp.status_code in (200, 403)


def test_office_units_are_one_office_s_units_by_name(world, db):
    library = make_unit(world.office_a, "若羌县图书馆")
    museum = make_unit(world.office_a, "若羌县博物馆")
    db.session.commit()
    names = [u.name for u in office_units(world.office_a.id)]
    assert names == sorted([world.unit_a.name, library.name, museum.name])
    assert [u.id for u in office_units(world.office_b.id)] == [world.unit_b.id]
    assert office_units(None) == []
