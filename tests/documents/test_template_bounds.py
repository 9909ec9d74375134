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


#: Template-injection payloads: object walks, config and globals, filters, loops, recursion,
#: raw blocks, macros, imports, broken syntax, HTML and the placeholders' own edge cases.
INJECTIONS = [
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ self }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ request }}",
    "{{ request.environ }}",
    "{{ g }}",
    "{{ session }}",
    "{{ url_for.__globals__ }}",
    "{{ lipsum.__globals__.os.popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ 姓名.__class__ }}",
    "{{ 姓名|attr('__class__') }}",
    "{{ 姓名['__class__'] }}",
    "{{ 姓名.upper() }}",
    "{{ 姓名 * 100000 }}",
    "{{ 7*7 }}",
    "{{ 9**9**9 }}",
    "{{ range(10**9)|list }}",
    "{{ '%s' % 姓名 }}",
    "{{ 姓名|format(1) }}",
    "{{ 姓名|safe }}",
    "{{ 姓名|e }}",
    "{% for x in range(100000000) %}x{% endfor %}",
    "{% for a in 姓名 %}{% for b in 姓名 %}{{ 姓名 }}{% endfor %}{% endfor %}",
    "{% set x = 姓名 %}{{ x }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% include 'base.html' %}",
    "{% import 'base.html' as b %}",
    "{% extends 'base.html' %}",
    "{% raw %}{{ config }}{% endraw %}",
    "{% if 姓名 %}{{ 姓名 }}{% endif %}",
    "{# comment #}{{ 姓名 }}",
    "{{ 姓名",
    "{{ }}",
    "{{ 不存在 }}",
    "{% %}",
    "}}{{",
    "{{ 姓名 }}" * 3000,
    "<script>alert(1)</script>{{ 姓名 }}",
    "<img src=x onerror=alert(1)>",
    "\x00\x0b\x1b{{ 姓名 }}",
    "{{ 姓名 }}\u202e",
    "{{'a'~'b'}}",
]


def test_template_injection_payloads_are_refused_or_printed_as_text(app, client, auth, world):
    """Each payload, previewed and saved: no 5xx, nothing of the server shown, nothing run."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login()
    token = csrf_token(client, "/documents/templates/new")
    leaks = ["test-secret-key", "<Config", "__globals__'", "SQLALCHEMY", "uid=", "<class"]
    probes, failures = 0, []
    for payload in INJECTIONS:
        for url in ("/documents/templates/preview", "/documents/templates/new"):
            data = {**editor_data(world, payload), "csrf_token": token}
            resp = client.post(url, data=data, headers={"HX-Request": "true"})
            probes += 1
            html = resp.get_data(as_text=True)
            shown = [m for m in leaks if m in html and m not in payload]
            if resp.status_code >= 500 or shown or "<script>alert" in html:
                failures.append((payload[:60], url, resp.status_code, shown))
    print(f"template-injection probes: {probes} posts, {len(failures)} failures")
    assert not failures, failures
