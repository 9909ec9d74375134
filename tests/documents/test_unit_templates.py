"""Unit templates: an office's own wording, its precedence, the sandbox at the field, the UI."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.documents.context import build_context
from portal.documents.models import UnitTemplate, resolve_unit_template, template_text
from portal.documents.render import render_html, render_pdf
from portal.extensions import db as _db
from tests.conftest import post_form, readable
from tests.documents.test_documents import PARTY, fill, text_of
from tests.factories import make_application, make_unit, store_sections

OFFICE_WORDING = "经本局研究，现将{{ 姓名 }}同志的申报情况公示如下。\n{{ 推荐单位 }}\n{{ 日期 }}"
UNIT_WORDING = "文化馆专用措辞，{{ 姓名 }}同志申报{{ 级别 }}，公示至{{ 公示结束 }}。\n{{ 日期 }}"


def publicity_html(app, application_id: int) -> str:
    """The publicity notice of an application as printed now."""
    with app.app_context():
        application = _db.session.get(Application, application_id)
        return render_html(application, "publicity", preview=False)


def add_template(
    world, text: str, *, unit_id: int | None = None, campaign: str | None = None
) -> UnitTemplate:
    """Store a publicity template of office A."""
    template = UnitTemplate(
        office_id=world.office_a.id,
        unit_id=unit_id,
        campaign_code=campaign,
        kind="publicity",
        text=text,
        updated_by_id=world.clerk_a.id,
    )
    _db.session.add(template)
    _db.session.commit()
    return template


def errors_at_text(html: str) -> str:
    """The messages shown under the template text."""
    match = re.search(r'<div class="errors" id="err-text"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error box at the template text"
    return match.group(1)


def editor_data(world, text: str, **extra: str) -> dict[str, str]:
    """The editor's fields for an office-wide publicity template of every campaign."""
    return {
        "office_id": str(world.office_a.id),
        "unit_id": "",
        "campaign_code": "",
        "kind": "publicity",
        "text": text,
        **extra,
    }


# --------------------------------------------------------------------------- printing


def test_an_office_wide_template_changes_the_printed_wording(world, party_app) -> None:
    official = text_of(render_pdf(party_app, "publicity"))
    assert "根据自治区职称评审工作的要求" in official
    add_template(world, OFFICE_WORDING)
    text = text_of(render_pdf(party_app, "publicity"))
    assert "经本局研究，现将阿依古丽·叶尔肯同志的申报情况公示如下。" in text
    assert "根据自治区职称评审工作的要求" not in text
    assert "若羌县文化馆" in text and "2024年8月1日" in text


def test_a_unit_template_wins_over_the_office_one(world, party_app) -> None:
    add_template(world, OFFICE_WORDING, campaign=PARTY)  # office-wide, this campaign
    add_template(world, UNIT_WORDING, unit_id=world.unit_a.id)  # this unit, every campaign
    html = render_html(party_app, "publicity", preview=False)
    assert "文化馆专用措辞，阿依古丽·叶尔肯同志申报中级，公示至2024年8月7日。" in html
    assert "经本局研究" not in html
    # Another unit of the same office still gets the office-wide wording.
    museum = make_unit(world.office_a, "若羌县博物馆")
    other = fill(
        make_application(world.office_a, museum, world.campaigns[PARTY], name="马福军", seq=3)
    )
    assert "经本局研究，现将马福军同志" in render_html(other, "publicity", preview=False)


def test_resolution_order(world, party_app) -> None:
    office_any = add_template(world, "1 {{ 姓名 }}")
    assert template_text(party_app, "publicity") == office_any.text
    office_campaign = add_template(world, "2 {{ 姓名 }}", campaign=PARTY)
    assert template_text(party_app, "publicity") == office_campaign.text
    add_template(world, "x {{ 姓名 }}", campaign="bz-culture-2021")  # another campaign: ignored
    unit_any = add_template(world, "3 {{ 姓名 }}", unit_id=world.unit_a.id)
    assert template_text(party_app, "publicity") == unit_any.text
    unit_campaign = add_template(world, "4 {{ 姓名 }}", unit_id=world.unit_a.id, campaign=PARTY)
    found = resolve_unit_template(world.office_a.id, world.unit_a.id, PARTY, "publicity")
    assert found is not None and found.id == unit_campaign.id
    # Office B's application never sees office A's templates.
    b_app = make_application(world.office_b, world.unit_b, world.campaigns[PARTY], seq=4)
    assert (
        template_text(b_app, "publicity") == world.campaigns[PARTY].definition.templates.publicity
    )
    # Other kinds keep the notice's text.
    assert "推荐单位公示结果" in template_text(party_app, "publicity_result")


def test_missing_data_follows_the_placeholders_of_the_unit_template(world, party_app) -> None:
    store_sections(party_app, {"political": {"conduct": ""}})
    _db.session.commit()
    assert "思想政治表现（思想政治表现）" in build_context(party_app, "publicity").missing
    add_template(world, OFFICE_WORDING)  # does not print the political conduct
    assert build_context(party_app, "publicity").missing == []


# --------------------------------------------------------------------------- the editor


def test_clerk_creates_edits_and_restores_a_template(
    app, client, auth, world, party_app_id
) -> None:
    auth.login()
    page = client.get("/documents/templates/new?kind=publicity")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "本单位所有推荐单位" in html and "所有评审通知" in html
    assert 'hx-trigger="keyup changed delay:400ms, load"' in html
    assert "根据自治区职称评审工作的要求" in html  # prefilled with the notice's text
    assert "{{ 监督电话 }}" in html  # the placeholder list
    response = post_form(client, "/documents/templates/new", editor_data(world, OFFICE_WORDING))
    assert response.status_code == 302
    with app.app_context():
        template = readable(_db.session.scalars(sa.select(UnitTemplate)).one())
        assert template.office_id == world.office_a.id and template.unit_id is None
        assert template.updated_by_id == world.clerk_a.id
        application = _db.session.get(Application, party_app_id)
        assert "经本局研究" in text_of(render_pdf(application, "publicity"))
    listing = client.get("/documents/templates/").get_data(as_text=True)
    assert "推荐单位公示" in listing and "本单位所有推荐单位" in listing

    url = f"/documents/templates/{template.id}"
    assert "经本局研究" in client.get(url).get_data(as_text=True)
    edited = editor_data(world, OFFICE_WORDING.replace("本局", "本单位"))
    assert post_form(client, url, edited).status_code == 302
    assert "经本单位研究" in publicity_html(app, party_app_id)

    assert post_form(client, f"{url}/delete", {}).status_code == 302
    with app.app_context():
        assert _db.session.scalars(sa.select(UnitTemplate)).all() == []
    assert "根据自治区职称评审工作的要求" in publicity_html(app, party_app_id)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("公示 {{ config }}", "未知的占位符“{{ config }}”"),
        ("{{ 姓名.__class__ }}", "不允许属性访问或表达式"),
        ("{% for x in 姓名 %}{{ x }}{% endfor %}", "不允许使用 {% %} 语句"),
        ("{% for %}", "不允许使用 {% %} 语句"),
        ("{{ 电话 }}", "未知的占位符“{{ 电话 }}”"),
        ("{{ 姓名 ", "模板语法错误"),
        ("", "请填写模板内容"),
    ],
)
def test_a_bad_template_is_refused_at_the_field(app, client, auth, world, text, message) -> None:
    auth.login()
    response = post_form(client, "/documents/templates/new", editor_data(world, text))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_at_text(html).replace("&#34;", '"')
    assert 'aria-invalid="true"' in html
    with app.app_context():
        assert _db.session.scalars(sa.select(UnitTemplate)).all() == []
    # The live preview shows the same problem at the field, without a 500.
    live = post_form(client, "/documents/templates/preview", editor_data(world, text))
    assert live.status_code == 200
    assert message in errors_at_text(live.get_data(as_text=True))


def test_a_placeholder_of_another_kind_is_refused(client, auth, world) -> None:
    auth.login()
    data = editor_data(world, "{{ 姓名 }}的监督电话{{ 监督电话 }}", kind="publicity_result")
    response = post_form(client, "/documents/templates/new", data)
    assert response.status_code == 422
    assert "未知的占位符“{{ 监督电话 }}”" in errors_at_text(response.get_data(as_text=True))


def test_preview_with_sample_values_and_with_an_application(
    app, client, auth, world, party_app_id
) -> None:
    auth.login()
    data = editor_data(
        world, "推荐单位公示\n现对{{ 姓名 }}同志进行公示，电话{{ 监督电话 }}。\n{{ 日期 }}"
    )
    data["unit_id"] = str(world.unit_a.id)
    sample = post_form(client, "/documents/templates/preview", data)
    html = sample.get_data(as_text=True)
    assert sample.status_code == 200
    assert "<h2>推荐单位公示</h2>" in html
    assert "现对阿依古丽·叶尔肯同志进行公示，电话0996-7102311。" in html
    assert "以示例数据预览" in html and errors_at_text(html).strip() == ""
    # A name cannot hold markup (the forms refuse it); the achievements, free text, can.
    with app.app_context():
        store_sections(
            _db.session.get(Application, party_app_id), {"achievements": {"summary": "<b>x</b>"}}
        )
        _db.session.commit()
    data["text"] = "推荐单位公示\n现对{{ 姓名 }}同志进行公示：{{ 业绩成果 }}。\n{{ 日期 }}"
    own = post_form(
        client, "/documents/templates/preview", {**data, "application_id": str(party_app_id)}
    )
    assert "现对阿依古丽·叶尔肯同志进行公示：&lt;b&gt;x&lt;/b&gt;。" in own.get_data(as_text=True)


def test_official_text_for_the_chosen_campaign(client, auth, world) -> None:
    auth.login()
    response = client.get(
        f"/documents/templates/official?kind=publicity_result&campaign_code={PARTY}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "公示无异议，未收到投诉、举报" in html and 'id="text"' in html


def test_the_same_scope_twice_is_refused_even_with_nulls(app, client, auth, world) -> None:
    with app.app_context():
        add_template(world, OFFICE_WORDING)
    auth.login()
    response = post_form(client, "/documents/templates/new", editor_data(world, UNIT_WORDING))
    assert response.status_code == 422
    assert "已有相同范围的模板" in response.get_data(as_text=True)
    with app.app_context():
        assert len(_db.session.scalars(sa.select(UnitTemplate)).all()) == 1


def test_another_offices_unit_is_refused(app, client, auth, world) -> None:
    auth.login()
    data = editor_data(world, OFFICE_WORDING, unit_id=str(world.unit_b.id))
    response = post_form(client, "/documents/templates/new", data)
    assert response.status_code == 422
    assert "请选择本单位下属的推荐单位" in response.get_data(as_text=True)
    data = editor_data(world, OFFICE_WORDING, office_id=str(world.office_b.id))
    assert post_form(client, "/documents/templates/new", data).status_code == 422
    with app.app_context():
        assert _db.session.scalars(sa.select(UnitTemplate)).all() == []


def test_another_offices_template_is_404(app, client, auth, world) -> None:
    with app.app_context():
        template = readable(add_template(world, OFFICE_WORDING))
    auth.login("clerk_b", "password-b")
    url = f"/documents/templates/{template.id}"
    assert client.get(url).status_code == 404
    data = editor_data(world, UNIT_WORDING)
    listing = client.get("/documents/templates/").get_data(as_text=True)
    assert f'href="{url}"' not in listing
    assert post_form(client, f"{url}/delete", {}).status_code == 404
    with app.app_context():
        assert _db.session.get(UnitTemplate, template.id) is not None
    assert post_form(client, url, data).status_code == 404


def test_the_documents_page_links_the_templates(client, auth, world, party_app_id) -> None:
    auth.login()
    html = client.get(f"/documents/{party_app_id}/").get_data(as_text=True)
    assert "/documents/templates/" in html
