"""Requests the fuzzing found answered with a 500 before (issue 11): now a 4xx or a message."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from portal.applications.models import Application, ApplicationSection
from portal.extensions import db
from tests.conftest import csrf_token

HUGE = ["2147483648", "9223372036854775808", "18446744073709551616", "9" * 40]


URLS = [
    "/applications/{n}/review",
    "/applications/{n}/basic",
    "/documents/{n}/",
    "/documents/{n}/publicity/pdf",
    "/units/{n}",
    "/offices/{n}",
    "/admin/users/{n}",
    "/documents/templates/{n}",
]


def test_ids_too_large_for_the_database_are_simply_not_found(client, auth, world):
    auth.login("admin", "password-admin")
    for url in URLS:
        for number in HUGE:
            assert client.get(url.format(n=number)).status_code == 404, (url, number)


def test_ids_too_large_or_odd_in_forms_and_queries_answer_without_a_500(
    client, auth, world, application
):
    auth.login()
    for number in HUGE + ["²", "١٢", "-1", "1e3"]:
        _odd_id_everywhere(client, number)


def _odd_id_everywhere(client, number: str) -> None:
    assert client.get(f"/applications/?unit={number}&campaign={number}").status_code == 200
    assert client.get(f"/rosters/?campaign={number}&office={number}").status_code in (200, 404)
    token = csrf_token(client, "/applications/")
    resp = client.post(
        "/applications/bulk-status", data={"csrf_token": token, "to": "recommended", "ids": number}
    )
    assert resp.status_code == 302
    batch = client.get(f"/documents/batch?ids={number}")
    assert batch.status_code in (200, 404)
    new = client.post(
        "/applications/new",
        data={"csrf_token": token, "campaign_id": number, "unit_id": number, "name": "张三"},
    )
    assert new.status_code == 200  # the form again, with its messages


def test_a_malformed_row_action_is_a_400(client, auth, world, application):
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/education")
    for action in ("remove:abc", "remove:", "remove:-1", "remove:²"):
        resp = client.post(
            f"/applications/{application.id}/education",
            data={"csrf_token": token, "action": action},
        )
        assert resp.status_code == 400, action


def test_adding_a_row_by_htmx_to_a_section_without_rows_answers_with_the_page(
    client, auth, world, application
):
    auth.login()
    token = csrf_token(client, f"/applications/{application.id}/political")
    resp = client.post(
        f"/applications/{application.id}/political",
        data={"csrf_token": token, "action": "add"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200
    assert "政治" in resp.get_data(as_text=True)


def test_control_characters_are_stripped_at_input(app, client, auth, world):
    from portal.offices.models import RecommendingUnit

    auth.login()
    token = csrf_token(client, f"/units/{world.unit_a.id}")
    client.post(
        f"/units/{world.unit_a.id}",
        data={
            "csrf_token": token,
            "office_id": world.office_a.id,
            "name": "若羌县\x0b文化馆\x00",
            "nature": "事业单位",
            "county": "若羌县",
            "head_title": "馆长\x07",
            "objection_office": "办公室",
            "supervision_phone": "0996-7102311",
        },
    )
    with app.app_context():
        unit = db.session.get(RecommendingUnit, world.unit_a.id)
    assert unit.head_title == "馆长"  # saved, without the bell character
    assert unit.name == "若羌县\n文化馆"  # Word's line break became a newline, NUL went


def test_a_control_character_already_stored_does_not_break_the_roster(
    app, client, auth, world, application
):
    """A vertical tab (Word's line break) in one field made the xlsx roster a 500 for all."""
    with app.app_context():  # stored before input was cleaned, as old data may be
        stored = db.session.get(Application, application.id)
        stored.name = "买买提\x0b艾力"
        section = stored.section("basic")
        data = dict(section.data) if section else {}
        data.update(name="买买提\x0b艾力", phone="139\x0012345678")
        if section is None:
            db.session.add(ApplicationSection(application=stored, key="basic", data=data))
        else:
            section.data = data
        db.session.commit()
    auth.login()
    token = csrf_token(client, "/rosters/")
    for fmt in ("xlsx", "csv"):
        with client.post(  # a streamed roster holds its context until the response closes
            "/rosters/export",
            data={
                "csrf_token": token,
                "format": fmt,
                "campaign": application.campaign_id,
                "status": "all",  # the draft too
            },
        ) as resp:
            assert resp.status_code == 200, fmt
            body = resp.get_data()
    assert "买买提\n艾力" in body.decode("utf-8-sig")  # the CSV, the tab gone
    rows = list(load_workbook(io.BytesIO(resp_xlsx(client, token, application))).active.values)
    assert any(r and r[1] == "买买提\n艾力" for r in rows)


def resp_xlsx(client, token, app) -> bytes:
    data = {"csrf_token": token, "format": "xlsx", "campaign": app.campaign_id, "status": "all"}
    with client.post("/rosters/export", data=data) as resp:
        return resp.get_data()


def test_an_empty_roster_exports_without_a_500(client, auth, world):
    auth.login()
    token = csrf_token(client, "/rosters/")
    with client.post(
        "/rosters/export",
        data={
            "csrf_token": token,
            "format": "xlsx",
            "campaign": world.campaigns["bz-news-2021"].id,
        },
    ) as resp:
        assert resp.status_code == 200
        assert load_workbook(io.BytesIO(resp.get_data())).active.freeze_panes == "C4"
