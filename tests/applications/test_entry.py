"""Entry without traps: months stay months, blank rows are dropped, 「无」 and rows named."""

from __future__ import annotations

import re
from datetime import date

from portal.applications import sections
from portal.applications.models import Application
from portal.extensions import db
from portal.textutil import Month
from tests.applications.test_sections import _post
from tests.factories import make_application, store_sections


def _stored(app, application, key: str) -> dict:
    with app.app_context():
        return db.session.get(Application, application.id).section_data(key)


WORK = {
    "rows-0-start": "2008.08",
    "rows-0-end": "2012年6月",
    "rows-0-unit": "若羌县文化馆",
    "rows-0-work": "辅导",
    "rows-1-start": "2012-8",
    "rows-1-end": "",
    "rows-1-unit": "若羌县图书馆",
    "rows-1-work": "馆员",
}


def test_months_typed_in_work_history_are_stored_and_shown_as_months(
    app, client, auth, application
):
    auth.login()
    resp = _post(client, application.id, "work", WORK)
    assert resp.status_code == 302
    rows = _stored(app, application, "work")["rows"]
    assert [(r["start"], r["end"]) for r in rows] == [("2008-08", "2012-06"), ("2012-08", None)]
    page = client.get(f"/applications/{application.id}/work").get_data(as_text=True)
    assert 'value="2008-08"' in page and 'value="2012-06"' in page
    assert "2008-08-01" not in page and "2012-06-01" not in page


def test_a_gap_between_months_is_said_in_months_once_with_the_row_named(
    app, client, auth, application
):
    auth.login()
    _post(client, application.id, "work", WORK)
    page = client.get(f"/applications/{application.id}/work").get_data(as_text=True)
    message = "第2段工作经历：与上一段经历之间有空档：上一段至2012年6月，这一段从2012年8月开始"
    assert page.count(message) == 1  # one box, not the same gap twice
    assert "第2经历行" not in page and "2012年6月1日" not in page
    review = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert review.count(message) == 1


def test_consecutive_months_connect_and_a_month_ending_covers_its_last_day(app, world):
    from portal.applications.rowcheck import work_history_problems

    def rows(*periods):
        return [{"start": s, "end": e} for s, e in periods]

    assert work_history_problems(rows(("2008-08", "2012-06"), ("2012-07", None))) == []
    assert work_history_problems(rows(("2008-08", "2012-06"), ("2012-06", None))) == []
    assert work_history_problems(rows(("2008-08", "2012-06"), ("2012-07-31", None))) == []
    found = work_history_problems(rows(("2008-08", "2012-06"), ("2012-08", None)))
    assert [p.row for p in found] == [1] and "2012年8月" in found[0].message
    found = work_history_problems(rows(("2008-08", "2012-06"), ("2011-05", None)))
    assert "重叠：上一段至2012年6月，这一段从2011年5月开始" in found[0].message


def test_an_end_month_is_not_before_a_start_day_in_the_same_month(app, world):
    with app.app_context():
        application = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-culture-2021"]
        )
        row = {"start": "2004-09-01", "end": "2004-09", "school": "新疆大学", "major": "汉语言"}
        row |= {"level": "大学本科", "degree": "学士", "full_time": "全日制"}
        checked = sections.check("education", application, {"rows": [row]})
        assert not checked.errors
        assert checked.data["rows"][0]["end"] == "2004-09"


def test_month_dates_reach_the_roster_and_documents_as_months(app, world):
    from portal.documents.context import build_context
    from tests.rosters.helpers import built_roster

    with app.app_context():
        campaign = world.campaigns["bz-culture-2021"]
        application = make_application(world.office_a, world.unit_a, campaign)
        store_sections(
            application,
            {
                "basic": {"work_start": "2008.08"},
                "qualification": {"level": "intermediate", "obtained_on": "2016年7月"},
            },
        )
        assert application.section_data("basic")["work_start"] == "2008-08"
        db.session.commit()
        roster = built_roster(campaign, world.office_a)  # every status: a draft is listed
        rows = [dict(zip(roster.columns, r, strict=True)) for r in roster.rows]
        row = next(r for r in rows if r["姓名"] == application.name)
        assert row["参加工作时间"] == Month(2008, 8) and type(row["参加工作时间"]) is Month
        assert row["取得时间"] == Month(2016, 7)
        context = build_context(application, "ce-exemption")
        assert context.fields["参加工作时间"] == "2008年8月"


def test_an_empty_row_added_by_mistake_is_dropped_on_save(app, client, auth, application):
    auth.login()
    data = {
        "rows-0-start": "2004-09",
        "rows-0-end": "2008-07",
        "rows-0-school": "新疆大学",
        "rows-0-major": "汉语言文学",
        "rows-0-level": "大学本科",
        "rows-0-degree": "学士",
        "rows-0-full_time": "全日制",
        # A second row added and left as it came (the select at its first choice).
        "rows-1-start": "",
        "rows-1-end": " ",
        "rows-1-school": "",
        "rows-1-major": "",
        "rows-1-level": "",
        "rows-1-degree": "",
        "rows-1-full_time": "全日制",
    }
    resp = _post(client, application.id, "education", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert [r["school"] for r in _stored(app, application, "education")["rows"]] == ["新疆大学"]


def test_a_row_with_something_typed_is_kept_and_checked(app, client, auth, application):
    auth.login()
    data = {"rows-0-start": "不是日期", "rows-0-unit": "", "rows-0-work": ""}
    resp = _post(client, application.id, "work", data)
    assert resp.status_code == 422  # an unreadable date is something typed: kept, refused
    assert 'value="不是日期"' in resp.get_data(as_text=True)


def test_the_none_button_fills_the_field_without_javascript(app, client, auth, application):
    auth.login()
    resp = _post(
        client,
        application.id,
        "political",
        {"conduct": "", "appraisal": "", "action": "none:conduct"},
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="conduct"[^>]*>\s*无</textarea>', html)
    assert _stored(app, application, "political") == {}  # filled in, not yet saved
    # A field that does not take 「无」 is left alone.
    resp = _post(client, application.id, "basic", {"action": "none:phone", "phone": ""})
    assert re.search(r'id="phone"[^>]*value=""', resp.get_data(as_text=True))


def test_row_inputs_are_labelled_with_their_row_and_column(client, auth, application):
    auth.login()
    page = client.get(f"/applications/{application.id}/work").get_data(as_text=True)
    assert 'aria-label="第1段工作经历 开始时间"' in page
    added = _post(client, application.id, "work", {**WORK, "action": "add"})
    html = added.get_data(as_text=True)
    assert 'aria-label="第3段工作经历 工作单位"' in html and "添加一段工作经历" in html
    assert 'aria-label="删除第2段工作经历"' in html
    materials = client.get(f"/applications/{application.id}/materials").get_data(as_text=True)
    assert re.search(r'aria-label="第1项材料（[^）]+） 已收到"', materials)


def test_gender_and_birth_date_come_from_the_id_number(app, client, auth, application):
    auth.login()
    page = client.get(f"/applications/{application.id}/basic").get_data(as_text=True)
    assert re.search(r'id="birth_date"[^>]*value="1986-03-14"', page)
    assert re.search(r'<option selected value="男">', page)
    assert re.search(r'<option selected value="">请选择</option>', page.split('id="ethnicity"')[1])
    basic = {
        "name": application.name,
        "id_number": application.id_number,
        "unit_id": application.unit_id,
        "series_code": "culture",
        "specialty": "群众文化",
        "level": "intermediate",
        "kind": "evaluation",
        "gender": "",
        "birth_date": "",
        "ethnicity": "维吾尔族",
        "political_status": "中共党员",
        "phone": "13899001122",
        "work_start": "2008-08",
        "unit_nature": "事业单位",
        "county": "若羌县",
        "sanction": "",
    }
    resp = _post(client, application.id, "basic", basic)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    stored = _stored(app, application, "basic")
    assert (stored["gender"], stored["birth_date"]) == ("男", date(1986, 3, 14).isoformat())


def test_a_forgotten_ethnicity_is_caught_not_recorded_as_han(app, client, auth, application):
    auth.login()
    page = client.get(f"/applications/{application.id}/basic").get_data(as_text=True)
    # Post the page as it is (each select at the option it shows), with the other blanks filled.
    form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    for name, options in re.findall(
        r'<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option selected value="([^"]*)"', options) or re.search(
            r'<option value="([^"]*)"', options
        )
        form[name] = chosen.group(1)
    filled = {"phone": "13899001122", "work_start": "2008-08", "county": "若羌县"}
    resp = _post(client, application.id, "basic", {**form, **filled})
    assert resp.status_code == 422
    assert "请选择民族" in resp.get_data(as_text=True)


def test_saving_an_unfinished_section_stays_and_says_what_is_missing(
    app, client, auth, application
):
    auth.login()
    resp = _post(client, application.id, "education", {})  # only the row it came with, blank
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/applications/{application.id}/education")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已保存，但还不完整" in page and "请至少填写一条学历。" in page
    assert _stored(app, application, "education") == {"rows": []}
