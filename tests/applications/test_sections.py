"""Section pages: saving, validation at the field, conflicts, rows, scoping."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.applications.idcard import make_id
from portal.applications.models import Application, ApplicationSection
from portal.applications.sections import SECTIONS
from portal.extensions import db
from tests.conftest import csrf_token, readable, statements_of
from tests.factories import make_application

BASIC = {
    "series_code": "culture",
    "specialty": "群众文化",
    "level": "intermediate",
    "kind": "evaluation",
    "gender": "男",
    "ethnicity": "维吾尔族",
    "birth_date": "1986-03-14",
    "political_status": "中共党员",
    "phone": "13899001122",
    "work_start": "2008-08-01",
    "unit_nature": "事业单位",
    "county": "若羌县",
    "mandarin_level": "二级甲等",
    "sanction": "",
}


def _saved(application: Application) -> Application:
    """The application as stored now (call inside an application context)."""
    return db.session.get(Application, application.id)


def _post(client, app_id: int, key: str, data: dict, version: str | None = None, **headers):
    url = f"/applications/{app_id}/{key}"
    page = client.get(url).get_data(as_text=True)
    if version is None:
        version = re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', page)
        version = version.group(1) if version else ""
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(
        url,
        data={
            **data,
            "version": version,
            "csrf_token": token,
            "action": data.get("action", "save"),
        },
        headers=headers,
    )


def _basic(app, **changes) -> dict:
    return {
        **BASIC,
        "name": app.name,
        "id_number": app.id_number,
        "unit_id": app.unit_id,
        **changes,
    }


def test_a_name_with_the_middle_dot_and_a_long_name_are_saved(app, client, auth, application):
    auth.login()
    long_name = "阿不都热合曼·阿不都热西提"
    resp = _post(client, application.id, "basic", _basic(application, name=long_name))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        saved = _saved(application)
        assert saved.name == long_name
        assert saved.section_data("basic")["name"] == long_name


def test_full_width_digits_and_lower_case_x_are_normalised_on_save(app, client, auth, application):
    auth.login()
    number = make_id("652824", date(1986, 3, 14), 5, "男")
    while not number.endswith("X"):  # find a number whose check digit is X
        number = make_id("652824", date(1986, 3, 14), int(number[14:17]) // 2 + 1, "男")
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)
    resp = _post(client, application.id, "basic", _basic(application, id_number=typed))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        assert _saved(application).id_number == number


def test_a_bad_id_is_shown_at_the_field_and_everything_typed_is_kept(
    app, client, auth, application
):
    auth.login()
    bad = application.id_number[:-1] + ("0" if application.id_number[-1] != "0" else "1")
    resp = _post(
        client, application.id, "basic", _basic(application, id_number=bad, phone="0996-7102311转8")
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    field = re.search(
        r'<div class="field has-error[^"]*" id="field-id_number">(.*?)</div>\s*</div>', html, re.S
    )
    assert field and "校验位不正确" in field.group(1)
    assert f'value="{bad}"' in html and "0996-7102311转8" in html
    with app.app_context():
        assert db.session.query(ApplicationSection).count() == 0


def test_a_birth_date_that_disagrees_with_the_id_is_refused(client, auth, application):
    auth.login()
    resp = _post(client, application.id, "basic", _basic(application, birth_date="1987-03-14"))
    assert resp.status_code == 422
    assert "出生日期" in resp.get_data(as_text=True)


def test_education_out_of_order_is_refused(app, client, auth, application):
    auth.login()
    rows = {
        "rows-0-start": "2004-09-01",
        "rows-0-end": "2008-07-01",
        "rows-0-school": "新疆大学",
        "rows-0-major": "汉语言文学",
        "rows-0-level": "大学本科",
        "rows-0-degree": "学士",
        "rows-0-full_time": "全日制",
        "rows-1-start": "2001-09-01",
        "rows-1-end": "2004-07-01",
        "rows-1-school": "巴州二中",
        "rows-1-major": "无",
        "rows-1-level": "高中",
        "rows-1-degree": "无",
        "rows-1-full_time": "全日制",
    }
    resp = _post(client, application.id, "education", rows)
    assert resp.status_code == 422
    assert "学历应从低到高依次填写" in resp.get_data(as_text=True)
    with app.app_context():
        assert _saved(application).section("education") is None


def test_a_work_history_gap_is_saved_but_flagged(client, auth, application):
    auth.login()
    rows = {
        "rows-0-start": "2008-08-01",
        "rows-0-end": "2012-06-30",
        "rows-0-unit": "若羌县文化馆",
        "rows-0-work": "辅导",
        "rows-1-start": "2013-03-01",
        "rows-1-end": "",
        "rows-1-unit": "若羌县图书馆",
        "rows-1-work": "馆员",
    }
    resp = _post(client, application.id, "work", rows)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "有空档" in page
    assert re.search(r'href="[^"]*/work"[^>]*>.*?data-state="problem"', page, re.S)


def test_rows_are_added_and_removed_with_a_plain_post(app, client, auth, application):
    auth.login()
    data = {
        "rows-0-start": "2008-08-01",
        "rows-0-unit": "甲",
        "rows-0-work": "一",
        "rows-1-start": "2010-08-01",
        "rows-1-unit": "乙",
        "rows-1-work": "二",
        "rows-2-start": "2012-08-01",
        "rows-2-unit": "丙",
        "rows-2-work": "三",
    }
    added = _post(client, application.id, "work", {**data, "action": "add"})
    assert added.status_code == 200 and 'id="rows-3-start"' in added.get_data(as_text=True)
    removed = _post(client, application.id, "work", {**data, "action": "remove:1"})
    html = removed.get_data(as_text=True)
    assert 'value="丙"' in html and 'value="乙"' not in html and 'id="rows-2-start"' not in html
    with app.app_context():
        assert _saved(application).section("work") is None  # adding and removing rows saves nothing


def test_an_htmx_row_action_returns_only_the_rows(client, auth, application):
    auth.login()
    resp = _post(client, application.id, "work", {"action": "add"}, **{"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="rows"') and "<html" not in html


def test_inline_check_returns_only_the_field_error(client, auth, application):
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/basic")
    resp = client.post(
        f"/applications/{application.id}/basic/check?field=phone",
        data={**_basic(application, phone="12345")},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    html = resp.get_data(as_text=True)
    assert html.startswith('<div class="errors" id="err-phone"') and "手机号" in html


def test_a_concurrent_save_gives_a_conflict_and_loses_nothing(app, world, application):
    first, second = app.test_client(), app.test_client()
    from tests.conftest import AuthActions

    AuthActions(first).login()
    AuthActions(second).login()
    # Both open the page before either saves.
    _post(first, application.id, "political", {"conduct": "第一位写的表现", "appraisal": "甲"})
    resp = _post(
        second,
        application.id,
        "political",
        {"conduct": "第二位写的表现", "appraisal": "乙"},
        version="",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "保存冲突" in html and "第一位写的表现" in html  # what the other saved
    assert "第二位写的表现" in html  # what this clerk typed is still in the form
    with app.app_context():
        assert _saved(application).section("political").data["conduct"] == "第一位写的表现"
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', html).group(1)
    again = _post(
        second,
        application.id,
        "political",
        {"conduct": "第二位写的表现", "appraisal": "乙"},
        version=version,
    )
    assert again.status_code == 302  # saving again after seeing the conflict overwrites
    with app.app_context():
        assert _saved(application).section("political").data["conduct"] == "第二位写的表现"


@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
def test_another_office_application_is_a_404_on_every_section(app, client, auth, world, key):
    with app.app_context():
        other = make_application(
            world.office_b,
            world.unit_b,
            world.campaigns["bz-water-2021"],
            name="巴音德力格尔",
            seq=9,
        )
        db.session.commit()
        readable(other)
    auth.login("clerk_a", "password-a")
    assert client.get(f"/applications/{other.id}/{key}").status_code == 404
    token = csrf_token(client, "/applications/")
    assert (
        client.post(f"/applications/{other.id}/{key}", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        client.post(
            f"/applications/{other.id}/{key}/check?field=name", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_a_new_application_copies_last_years_sections(app, client, auth, world):
    with app.app_context():
        old = make_application(
            world.office_a,
            world.unit_a,
            world.campaigns["bz-culture-2021"],
            sections={"summary": {"text": "去年的总结"}, "assessments": {"rows": []}},
        )
        db.session.commit()
        readable(old)
    auth.login()
    from tests.conftest import post_form

    news = world.campaigns["bz-news-2021"]
    resp = post_form(
        client,
        "/applications/new",
        {
            "campaign_id": news.id,
            "unit_id": world.unit_a.id,
            "name": old.name,
            "id_number": old.id_number,
            "series_code": "news",
            "specialty": "记者",
            "level": "intermediate",
            "kind": "evaluation",
            "copy_previous": "y",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        new = db.session.query(Application).filter_by(campaign_id=news.id).one()
        assert new.person_id == old.person_id
        assert new.section_data("summary") == {"text": "去年的总结"}
        assert new.section("assessments") is None  # a year's own sections start afresh


def test_the_same_person_cannot_apply_twice_to_one_campaign(app, client, auth, world):
    with app.app_context():
        old = make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
        db.session.commit()
        readable(old)
    auth.login()
    from tests.conftest import post_form

    resp = post_form(
        client,
        "/applications/new",
        {
            "campaign_id": old.campaign_id,
            "unit_id": world.unit_a.id,
            "name": old.name,
            "id_number": old.id_number,
            "series_code": "culture",
            "specialty": "群众文化",
            "level": "intermediate",
            "kind": "evaluation",
        },
    )
    assert resp.status_code == 200
    assert "已有申报" in resp.get_data(as_text=True)


def test_typing_the_publicity_start_shows_the_end_date_at_once(client, auth, application):
    # 000 七（三）: 公示期不少于5个工作日. 2021-09-30 (Thu) is day 1; 10-01..10-07 is the
    # National Day holiday; 10-08 (Fri) day 2, 10-09 (Sat, make-up working day) day 3,
    # 10-11 (Mon) day 4, 10-12 (Tue) day 5.
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/publicity")
    resp = client.post(
        f"/applications/{application.id}/publicity/period",
        data={"start": "2021.09.30"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    html = resp.get_data(as_text=True)
    assert "2021年9月30日起至2021年10月12日止" in html
    bad = client.post(
        f"/applications/{application.id}/publicity/period",
        data={"start": "2021.13.40"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert "flash-danger" in bad.get_data(as_text=True)


def test_none_and_rows_together_are_refused(app, client, auth, application):
    auth.login()
    resp = _post(
        client,
        application.id,
        "awards",
        {
            "none": "y",
            "rows-0-awarded_on": "2020-05-01",
            "rows-0-name": "汇演",
            "rows-0-level": "州级",
            "rows-0-issuer": "州文旅局",
        },
    )
    assert resp.status_code == 422
    assert "已勾选“无”" in resp.get_data(as_text=True)
    with app.app_context():
        assert _saved(application).section("awards") is None


def _field_html(html: str, name: str) -> str:
    """The error messages shown at one field."""
    errors = re.search(rf'<div class="errors" id="err-{name}"[^>]*>(.*?)</div>', html, re.S)
    assert errors and errors.group(1).strip(), f"no error at {name}"
    return errors.group(1)


def _two_applicants(app, world, first_code: str, second_code: str):
    """张丽娟 applying to the first campaign and 马晓梅 to the second, both of office A."""
    with app.app_context():
        first = make_application(
            world.office_a, world.unit_a, world.campaigns[first_code], name="张丽娟", seq=1
        )
        second = make_application(
            world.office_a, world.unit_a, world.campaigns[second_code], name="马晓梅", seq=2
        )
        db.session.commit()
        return readable(first, second)


def test_another_applicants_id_number_is_refused_at_the_field(app, client, auth, world):
    # Issue 11: typing the ID of someone who applies in the same campaign re-pointed the
    # application to that person, renamed them and looped on a 保存冲突.
    first, second = _two_applicants(app, world, "bz-culture-2021", "bz-culture-2021")
    auth.login()
    resp = _post(client, second.id, "basic", _basic(second, id_number=first.id_number))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "保存冲突" not in html
    message = _field_html(html, "id_number")
    assert "张丽娟" in message and first.id_number[:6] + "********" in message
    assert first.id_number not in message
    with app.app_context():
        first_now, second_now = _saved(first), _saved(second)
        assert (first_now.person_id, second_now.person_id) == (first.person_id, second.person_id)
        assert (first_now.person.name, first_now.person.id_number) == ("张丽娟", first.id_number)
        assert second_now.section("basic") is None


def test_the_inline_check_names_the_applicant_whose_id_number_was_typed(app, client, auth, world):
    first, second = _two_applicants(app, world, "bz-culture-2021", "bz-culture-2021")
    auth.login()
    token = csrf_token(client, f"/applications/{second.id}/basic")
    resp = client.post(
        f"/applications/{second.id}/basic/check?field=id_number",
        data=_basic(second, id_number=first.id_number),
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert "张丽娟" in _field_html(resp.get_data(as_text=True), "id_number")
    own = client.post(
        f"/applications/{second.id}/basic/check?field=id_number",
        data=_basic(second),
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert "张丽娟" not in own.get_data(as_text=True)


def test_the_id_of_someone_applying_elsewhere_is_refused_and_nobody_is_renamed(
    app, client, auth, world
):
    last_year, application = _two_applicants(app, world, "bz-news-2021", "bz-culture-2021")
    auth.login()
    resp = _post(
        client, application.id, "basic", _basic(application, id_number=last_year.id_number)
    )
    assert resp.status_code == 422
    assert "张丽娟" in _field_html(resp.get_data(as_text=True), "id_number")
    with app.app_context():
        assert _saved(last_year).person.name == "张丽娟"
        assert _saved(application).person_id != last_year.person_id


def test_correcting_a_typed_id_number_changes_only_this_application(app, client, auth, world):
    with app.app_context():
        last_year = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-news-2021"], name="张丽娟", seq=1
        )
        db.session.commit()
        readable(last_year)
    auth.login()
    from tests.conftest import post_form

    post_form(
        client,
        "/applications/new",
        {
            "campaign_id": world.campaigns["bz-culture-2021"].id,
            "unit_id": world.unit_a.id,
            "name": "张丽娟",
            "id_number": last_year.id_number,
            "series_code": "culture",
            "specialty": "群众文化",
            "level": "intermediate",
            "kind": "evaluation",
        },
    )
    with app.app_context():
        new = db.session.query(Application).filter(Application.id != last_year.id).one()
        readable(new)
    assert new.person_id == last_year.person_id  # the same person applying again
    corrected = make_id("652824", date(1986, 3, 14), 7, "男")
    resp = _post(client, new.id, "basic", _basic(new, id_number=corrected))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        new, last_year = _saved(new), _saved(last_year)
        assert new.id_number == new.person.id_number == corrected
        # Last year's application keeps its person and number: the correction is this year's.
        assert last_year.person.id_number == last_year.id_number != corrected
        assert new.person_id != last_year.person_id


def test_a_save_writes_in_one_flush_reads_nothing_after_nor_the_notice_json(
    app, client, auth, application
):
    auth.login()
    assert _post(client, application.id, "basic", _basic(application)).status_code == 302
    url = f"/applications/{application.id}/basic"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', page)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = {**_basic(application, phone="13899001133"), "version": version.group(1)}
    responses = []
    seen = statements_of(
        app,
        lambda: responses.append(
            client.post(url, data={**form, "csrf_token": token, "action": "save"})
        ),
    )
    resp = responses[0]
    assert resp.status_code == 302, resp.get_data(as_text=True)
    first_write = next(i for i, s in enumerate(seen) if s.startswith("UPDATE "))
    # One flush writes the section and the application; the answer needs no reload after.
    assert all(s.startswith("UPDATE ") for s in seen[first_write:]), seen
    assert sum(s.startswith("SELECT application.id,") for s in seen) == 1, seen
    assert not any("definition_json" in s for s in seen)  # found by its hash, not decoded
    with app.app_context():
        assert _saved(application).section_data("basic")["phone"] == "13899001133"
