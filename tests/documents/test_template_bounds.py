"""Unit templates: another office's units stay hidden; a huge result is refused (issue 11)."""

from __future__ import annotations

import pytest

from portal.documents.render import render_pdf
from portal.sandbox import MAX_RENDERED_CHARS, TemplateError, render_paragraphs
from tests.conftest import csrf_token
from tests.documents.test_unit_templates import add_template, editor_data
from tests.factories import make_unit


@pytest.fixture
def secret_unit(app, world):
    """A unit of office B whose name, head and phone office A must never see (its id)."""
    from portal.extensions import db

    with app.app_context():
        unit = make_unit(
            world.office_b,
            "和静县秘密水管站",
            head_title="站长张秘密",
            supervision_phone="0996-9999999",
        )
        db.session.commit()
        return unit.id


def test_a_clerk_naming_another_office_sees_none_of_its_units(client, auth, world, secret_unit):
    auth.login()
    data = editor_data(world, "{{ 姓名 }}", office_id=str(world.office_b.id))
    data["csrf_token"] = csrf_token(client, "/documents/templates/new")
    resp = client.post("/documents/templates/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "您只能修改本单位的模板" in html
    assert "和静县水利工程管理站" not in html and "和静县秘密水管站" not in html
    assert "若羌县文化馆" in html  # the clerk's own units are offered instead


def test_the_preview_never_shows_another_offices_unit(client, auth, world, secret_unit):
    auth.login()
    for office_id in (world.office_a.id, world.office_b.id):
        data = editor_data(
            world,
            "{{ 推荐单位 }}\n{{ 单位负责人 }}\n{{ 监督电话 }}",
            office_id=str(office_id),
            unit_id=str(secret_unit),
        )
        data["csrf_token"] = csrf_token(client, "/documents/templates/new")
        html = client.post("/documents/templates/preview", data=data).get_data(as_text=True)
        assert "和静县秘密水管站" not in html
        assert "张秘密" not in html and "0996-9999999" not in html


def test_a_template_repeating_a_long_placeholder_is_refused_at_once_in_the_preview(
    client, auth, world
):
    auth.login()
    text = ("{{ 业绩成果 }}" * 2000)[:20_000]
    data = editor_data(world, text)
    data["csrf_token"] = csrf_token(client, "/documents/templates/new")
    resp = client.post("/documents/templates/preview", data=data)
    assert resp.status_code == 200
    assert f"超过{MAX_RENDERED_CHARS}字的上限" in resp.get_data(as_text=True)


def test_a_stored_template_that_would_print_a_huge_document_is_refused_with_a_message(
    app, client, auth, world, party_app_id
):
    from portal.applications.models import Application
    from portal.documents.render import MissingData
    from portal.extensions import db

    with app.app_context():
        add_template(world, ("{{ 业绩成果 }}\n" * 1800)[:20_000])
    auth.login()
    resp = client.get(f"/documents/{party_app_id}/publicity/pdf")
    assert resp.status_code == 422
    assert "上限" in resp.get_data(as_text=True)
    with app.app_context(), pytest.raises(MissingData, match="上限"):
        render_pdf(db.session.get(Application, party_app_id), "publicity")


def test_one_giant_paragraph_is_refused_even_under_the_total_limit():
    with pytest.raises(TemplateError, match="每段"):
        render_paragraphs("{{ x }}", {"x": "名" * 9000}, ["x"])
    assert render_paragraphs("{{ x }}\n{{ x }}", {"x": "名" * 7000}, ["x"]) == ["名" * 7000] * 2
