"""Offices: created by admins, their publicity setting kept by their own clerks."""

from __future__ import annotations

import io

from portal.extensions import db
from portal.offices.models import Office
from tests.conftest import csrf_token, post_form


def test_an_admin_creates_an_office(app, client, auth, world):
    auth.login("admin", "password-admin")
    resp = post_form(
        client,
        "/offices/new",
        {
            "code": "652825-wtgl",
            "name": "且末县文化体育广播电视和旅游局",
            "county": "且末县",
            "prefecture": "巴音郭楞蒙古自治州",
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.query(Office).filter_by(code="652825-wtgl").one().county == "且末县"
    clash = post_form(
        client, "/offices/new", {"code": "A01", "name": "x", "county": "x", "prefecture": "x"}
    )
    assert "该代码已被其他主管部门使用。" in clash.get_data(as_text=True)


def test_a_clerk_sets_the_own_office_to_publish_full_id_numbers(app, client, auth, world):
    auth.login()
    resp = post_form(
        client,
        f"/offices/{world.office_a.id}",
        {
            "code": "CHANGED",
            "name": world.office_a.name,
            "county": "若羌县",
            "prefecture": "别的地州",
            "show_full_id_on_publicity": "y",
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        office = db.session.get(Office, world.office_a.id)
        assert office.show_full_id_on_publicity is True
        assert office.code == "A01"  # a clerk cannot change the code or the prefecture
        assert office.prefecture == "巴音郭楞蒙古自治州"


def test_a_clerk_cannot_open_another_office_or_create_one(client, auth, world):
    auth.login()
    assert client.get(f"/offices/{world.office_b.id}").status_code == 404
    assert client.get("/offices/new").status_code == 403


def test_offices_create_on_the_command_line(runner, db):
    result = runner.invoke(
        args=[
            "offices",
            "create",
            "652826-slj",
            "焉耆县水利局",
            "--county",
            "焉耆回族自治县",
            "--prefecture",
            "巴音郭楞蒙古自治州",
        ]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["offices", "list"]).output.startswith("652826-slj\t焉耆县水利局")


def test_an_admin_uploads_a_campaign_file_and_a_broken_one_is_refused(client, auth, world):
    from portal.campaigns.definition import shipped_definition_paths

    src = next(p for p in shipped_definition_paths() if p.name == "bz-water-2021.toml")
    auth.login("admin", "password-admin")
    token = csrf_token(client, "/campaigns/upload")
    bad = src.read_bytes().replace(b"publicity_min_workdays", b"publicity_days")
    resp = client.post(
        "/campaigns/upload",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "bz-water-2021.toml")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "publicity_days" in html and "bz-water-2021.toml" in html
    good = src.read_bytes().replace(
        "2021年度自治州工程系列水利专业职称评审".encode(),
        "2021年度自治州工程系列水利专业职称评审（更正）".encode(),
    )
    resp = client.post(
        "/campaigns/upload",
        data={"csrf_token": token, "file": (io.BytesIO(good), "bz-water-2021.toml")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert "（更正）" in client.get("/campaigns/bz-water-2021").get_data(as_text=True)


def test_clerks_cannot_upload_campaigns(client, auth, world):
    auth.login()
    assert client.get("/campaigns/upload").status_code == 403
