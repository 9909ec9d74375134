"""Documents of an application: wording, values, layout, privacy, views, batch and CLI."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import docx
import pdfplumber
import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.documents import pdf as pdfmod
from portal.documents.context import KINDS, build_context
from portal.documents.pdf import embedded_fonts, find_cjk_fonts, page_count, pdf_text
from portal.documents.render import (
    MissingData,
    render_combined_publicity_pdf,
    render_html,
    render_pdf,
)
from portal.extensions import db as _db
from portal.offices.models import RecommendingUnit
from portal.timeutil import local_today
from tests.conftest import csrf_token, readable
from tests.factories import make_application, make_unit, store_sections

#: The audit entries of document exports (loading the campaigns is audited too).
EXPORTS = sa.select(AuditEntry).where(AuditEntry.action == "document_export")

FONTS = find_cjk_fonts(None)
CM = 72 / 2.54
TOLERANCE = 1.0  # points
PHONE = "13912345678"
PARTY = "bz-partyschool-2023"  # 002: its own templates and the separate 个人承诺书
CULTURE = "bz-culture-2021"  # 000: the 5-year commitment sentence of the form


def compact(text: str) -> str:
    """Text without whitespace, for phrase search across line breaks."""
    return re.sub(r"\s+", "", text)


def text_of(pdf: bytes) -> str:
    """The compacted text of a PDF, without the page numbers 「— N —」 under the type area."""
    return compact(re.sub(r"\s*— \d+ —\s*(?=\f|$)", "", pdf_text(pdf)))


def chars_outside_margins(pdf: bytes) -> list[str]:
    """Visible characters outside the type area (page minus margins, 1 pt tolerance)."""
    left = pdfmod.MARGIN_LEFT_CM * CM - TOLERANCE
    top = pdfmod.MARGIN_TOP_CM * CM - TOLERANCE
    outside = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            right = page.width - pdfmod.MARGIN_RIGHT_CM * CM + TOLERANCE
            bottom = page.height - pdfmod.MARGIN_BOTTOM_CM * CM + TOLERANCE
            for char in page.chars:
                if char["text"] in "— 0123456789" and char["top"] > bottom:
                    continue  # the page number 「— N —」 (GB/T 9704), below the type area
                if char["text"].strip() and (
                    char["x0"] < left
                    or char["x1"] > right
                    or char["top"] < top
                    or char["bottom"] > bottom
                ):
                    outside.append(f"p{page.page_number} {char['text']!r} x0={char['x0']:.1f}")
    return outside


def start_batch(
    client,
    ids: list[int],
    kinds: list[str],
    mode: str = "merged",
    fmt: str = "pdf",
    *,
    skip: bool = False,
):
    """POST a batch from its form, as the 生成 (or the 跳过…) button does."""
    token = csrf_token(client, f"/documents/batch?ids={','.join(str(i) for i in ids[:200])}")
    data = {"ids": [str(i) for i in ids], "kinds": kinds, "mode": mode, "format": fmt}
    if skip:
        data["skip"] = "1"
    return client.post("/documents/batch/start", data={**data, "csrf_token": token})


def fill(app: Application, **data: dict) -> Application:
    """Give an application the sections the documents read; data overrides per section."""
    sections = {
        "basic": {
            "name": app.name,
            "gender": "男",
            "ethnicity": "维吾尔族",
            "political_status": "中共党员",
            "id_number": app.id_number,
            "phone": PHONE,
            "birth_date": "1986-03-14",
            "work_start": "2008-08-01",
        },
        "qualification": {"title": "助理讲师", "level": "junior"},
        "political": {"conduct": "拥护中国共产党的领导，政治立场坚定，遵纪守法。"},
        "achievements": {"summary": "近五年承担主体班次教学任务，本人为主讲教师。"},
        "publicity": {"start": "2024-08-01", "objections": "无", "recommendation": "同意推荐"},
        "education": {
            "rows": [
                {
                    "end": "2008-07-01",
                    "school": "新疆大学",
                    "major": "哲学",
                    "level": "大学本科",
                    "degree": "学士",
                }
            ]
        },
        "continuing_education": {
            "exempt": True,
            "exemption_ground": "village_team",
            "exemption_approval": "审核同意",
            "rows": [],
        },
    }
    for key, values in data.items():
        sections[key] = {**sections.get(key, {}), **values}
    store_sections(app, sections)
    _db.session.commit()
    return app


def party_application(world) -> Application:
    """A filled 002 application of office A; its unit takes objections at 若羌县文化馆办公室."""
    _db.session.get(RecommendingUnit, world.unit_a.id).objection_office = "若羌县文化馆办公室"
    app = make_application(
        world.office_a, world.unit_a, world.campaigns[PARTY], name="阿依古丽·叶尔肯"
    )
    return fill(app)


@pytest.fixture
def culture_app(db, world) -> Application:
    """A filled 000 application (群众文化) of office A."""
    app = make_application(world.office_a, world.unit_a, world.campaigns[CULTURE], seq=2)
    return fill(app)


# --------------------------------------------------------------------------- wording and values


def test_publicity_has_the_notice_wording_values_and_period(party_app) -> None:
    text = text_of(render_pdf(party_app, "publicity"))
    for phrase in [
        "推荐单位公示",
        "根据自治区职称评审工作的要求，现对阿依古丽·叶尔肯同志申报党干校教师系列中级专业技术任职资格进行公示",
        "性别：男，族别：维吾尔族，政治面貌：中共党员",
        "现任专业技术职务任职资格：助理讲师",
        "思想政治条件：拥护中国共产党的领导",
        "业绩成果：近五年承担主体班次教学任务",
        "公示时间从2024年8月1日起至2024年8月7日止（公示期不少于5个工作日）",
        "反映至若羌县文化馆办公室，监督电话：0996-7102311",
        "签字：（馆长签字）",  # the unit's 单位负责人职务
        "（推荐单位公章）",
    ]:
        assert phrase in text, phrase
    assert "办公室办公室" not in text
    assert "系列系列" not in text
    assert text.endswith("2024年8月1日")


def test_the_sign_line_names_the_units_head_title_else_the_notices_words(party_app) -> None:
    # 002 附件 推荐单位公示（模板）: 「签字：（单位负责人签字）」; the unit's setting 单位负责人职务
    # (offices: 公示落款处印出) takes the place of 单位负责人.
    party_app.unit.head_title = "局长"
    assert "签字：（局长签字）" in text_of(render_pdf(party_app, "publicity"))
    party_app.unit.head_title = ""
    assert "签字：（单位负责人签字）" in text_of(render_pdf(party_app, "publicity"))


def test_id_number_is_masked_unless_the_office_shows_it_in_full(party_app) -> None:
    full = party_app.id_number
    masked = f"{full[:6]}{'*' * 8}{full[-4:]}"
    text = text_of(render_pdf(party_app, "publicity"))
    assert masked in text and full not in text
    party_app.office.show_full_id_on_publicity = True
    assert full in text_of(render_pdf(party_app, "publicity"))


def test_specialty_and_an_office_without_the_word_office(world, culture_app) -> None:
    unit = make_unit(world.office_a, "瓦石峡镇综合文化站", objection_office="瓦石峡镇党政办")
    culture_app.unit = unit
    text = text_of(render_pdf(culture_app, "publicity"))
    assert f"申报文化系列{culture_app.specialty}专业中级专业技术任职资格" in text
    assert "反映至瓦石峡镇党政办，" in text


def test_no_document_prints_the_applicants_phone(party_app) -> None:
    for kind in KINDS:
        pdf = render_pdf(party_app, kind)
        assert PHONE not in text_of(pdf), kind
        assert PHONE not in render_html(party_app, kind, preview=False), kind


def test_publicity_result_after_the_publicity_without_objection(party_app) -> None:
    text = text_of(render_pdf(party_app, "publicity-result"))
    for phrase in [
        "推荐单位公示结果",
        "阿依古丽·叶尔肯同志申报材料于2024年8月1日至2024年8月7日在本单位公示7天",
        "公示无异议，未收到投诉、举报，申报材料真实、完整、有效",
        "同意推荐阿依古丽·叶尔肯同志申报党干校教师系列中级专业技术任职资格",
        "若羌县文化馆（公章）",
        "2024年8月8日",
    ]:
        assert phrase in text, phrase


def test_publicity_result_is_refused_while_open_or_with_an_objection(party_app) -> None:
    start = local_today() - timedelta(days=1)
    fill(party_app, publicity={"start": start.isoformat()})
    with pytest.raises(MissingData) as caught:
        render_pdf(party_app, "publicity-result")
    assert any("公示尚未结束" in m for m in caught.value.missing)
    fill(party_app, publicity={"start": "2024-08-01"})
    party_app.objection_open = True
    with pytest.raises(MissingData) as caught:
        render_pdf(party_app, "publicity-result")
    assert any("异议" in m for m in caught.value.missing)


def test_commitment_of_002_is_its_separate_document_with_3_years(party_app) -> None:
    text = text_of(render_pdf(party_app, "commitment"))
    assert text.startswith("个人承诺书")
    assert "本人承诺以上填报的内容和提交的材料完全真实有效" in text
    assert "并从申报年度下一年起3年内，不得申报专业技术资格" in text
    assert "签字：（承诺人）" in text
    assert "2023年月日" in text  # year printed, month and day written by hand


def test_commitment_of_000_is_the_form_sentence_with_5_years(culture_app) -> None:
    pdf = render_pdf(culture_app, "commitment")
    text = text_of(pdf)
    assert page_count(pdf) == 1
    assert "个人承诺书" in text
    assert "五年内不得申报相应职称评审并承担一切责任" in text
    assert "买买提·艾力" in text and "承诺人（签字）" in text


def test_ce_exemption_form_for_an_exempt_application(party_app) -> None:
    text = text_of(render_pdf(party_app, "ce-exemption"))
    for phrase in [
        "免除继续教育学习申请表",
        "何时何学校何专业毕业",
        "2008年7月新疆大学哲学专业",
        party_app.id_number,
        "1986年3月",
        "参加“访惠聚”驻村",
        "审核意见",
        "公章",
        "各地各部门不得私自设置免除继续教育学习事项",
    ]:
        assert phrase in text, phrase


def test_ce_exemption_is_refused_without_the_exemption(party_app) -> None:
    fill(party_app, continuing_education={"exempt": False, "exemption_ground": ""})
    with pytest.raises(MissingData) as caught:
        render_pdf(party_app, "ce-exemption")
    assert any("没有申请免除继续教育" in m for m in caught.value.missing)


def test_catalog_lists_the_campaigns_materials(party_app) -> None:
    text = text_of(render_pdf(party_app, "catalog"))
    definition = party_app.campaign.definition
    assert "申报材料目录" in text and "阿依古丽·叶尔肯" in text and "若羌县文化馆" in text
    for material in definition.materials:
        # The applicant is exempt from continuing education: its form, not the certificates.
        name = material.ce_exempt_name or material.name
        assert compact(name) in text, name


def test_combined_notice_lists_applicants_of_one_unit_in_a_table(world, party_app) -> None:
    other = fill(
        make_application(world.office_a, world.unit_a, world.campaigns[PARTY], name="马福军", seq=3)
    )
    text = text_of(render_combined_publicity_pdf([party_app, other]))
    assert "现对阿依古丽·叶尔肯、马福军等2名同志申报专业技术任职资格进行公示" in text
    assert "公示时间从2024年8月1日起至2024年8月7日止" in text
    assert "序姓名性别族别政治面貌身份证号现任资格申报资格" in text
    elsewhere = fill(
        make_application(world.office_b, world.unit_b, world.campaigns[PARTY], name="王建军", seq=4)
    )
    with pytest.raises(MissingData):
        render_combined_publicity_pdf([party_app, elsewhere])


# --------------------------------------------------------------------------- robustness


def test_typed_markup_prints_as_typed(party_app) -> None:
    # A name cannot hold markup (the forms refuse it); the free-text fields can.
    fill(
        party_app,
        political={"conduct": "表现<b>x</b>"},
        achievements={"summary": "成果<script>alert(1)</script>{{ config }}"},
    )
    html = render_html(party_app, "publicity", preview=False)
    assert "表现&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "<script>" not in html
    text = text_of(render_pdf(party_app, "publicity"))
    assert "表现<b>x</b>" in text
    assert "{{config}}" in text


def test_long_achievements_flow_onto_further_pages_inside_the_margins(party_app) -> None:
    sentence = (
        "该同志主持完成自治州党校主体班次教学改革课题，撰写的调研报告获州委主要领导批示，"
        "本人为第一作者；"
    )
    summary = (sentence * (3000 // len(sentence) + 1))[:2990] + "以上为全部业绩。"
    fill(party_app, achievements={"summary": summary})
    pdf = render_pdf(party_app, "publicity")
    assert page_count(pdf) >= 3
    text = text_of(pdf)
    assert compact(summary) in text
    assert "公示时间从2024年8月1日起至2024年8月7日止" in text
    assert chars_outside_margins(pdf) == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_stays_inside_the_margins(party_app, kind: str) -> None:
    assert chars_outside_margins(render_pdf(party_app, kind)) == []


def test_combined_notice_stays_inside_the_margins(world, party_app) -> None:
    other = fill(
        make_application(
            world.office_a,
            world.unit_a,
            world.campaigns[PARTY],
            name="阿不都热合曼·阿不都热西提",
            seq=5,
        )
    )
    assert chars_outside_margins(render_combined_publicity_pdf([party_app, other])) == []


@pytest.mark.skipif(FONTS.builtin_fallback, reason="没有安装可嵌入的中文 TrueType 字体")
@pytest.mark.parametrize("kind", ["publicity", "ce-exemption"])
def test_fonts_used_are_embedded_and_subset(party_app, kind: str) -> None:
    pdf = render_pdf(party_app, kind)
    embedded = embedded_fonts(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        used = {c["fontname"] for page in doc.pages for c in page.chars}
    assert len(used) >= 2  # the Song body and the heavy face of the title
    for name in used:
        assert embedded.get(name), f"font {name} is not embedded"
        assert re.match(r"^[A-Z]{6}\+", name), f"font {name} is not a subset"


def test_missing_data_is_listed_not_printed(db, world) -> None:
    app = make_application(world.office_a, world.unit_a, world.campaigns[PARTY])
    ctx = build_context(app, "publicity")
    for item in ["性别（基本信息）", "思想政治表现（思想政治表现）", "公示开始日期（公示与推荐）"]:
        assert item in ctx.missing
    with pytest.raises(MissingData) as caught:
        render_pdf(app, "publicity")
    assert caught.value.missing == ctx.missing


# --------------------------------------------------------------------------- views, batch, CLI


def test_preview_and_download_for_the_own_office(app, client, auth, world, party_app_id) -> None:
    auth.login()
    page = client.get(f"/documents/{party_app_id}/publicity")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "根据自治区职称评审工作的要求" in html and "下载 PDF" in html
    response = client.get(f"/documents/{party_app_id}/publicity/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "推荐单位公示" in text_of(response.data)
    disposition = response.headers["Content-Disposition"]
    assert "%E8%8B%A5%E7%BE%8C" in disposition  # 若羌… (UTF-8 filename*)
    with app.app_context():
        documents = sa.select(AuditEntry.action).where(AuditEntry.action.like("document_%"))
        actions = _db.session.scalars(documents.order_by(AuditEntry.id)).all()
        assert actions == ["document_preview", "document_export"]  # issue 11: previews too
        entry = _db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "document_export")
        ).one()
        assert entry.rows == 1 and entry.detail["文书"] == "推荐单位公示"
    assert client.get(f"/documents/{party_app_id}/").status_code == 200
    assert client.get(f"/documents/{party_app_id}/nonsense").status_code == 404


def test_another_offices_application_is_404(client, auth, world, party_app_id) -> None:
    auth.login("clerk_b", "password-b")
    for url in [
        f"/documents/{party_app_id}/",
        f"/documents/{party_app_id}/publicity",
        f"/documents/{party_app_id}/publicity/pdf",
        f"/documents/batch?ids={party_app_id}",
    ]:
        assert client.get(url).status_code == 404, url


def test_missing_page_lists_what_is_missing(app, client, auth, world) -> None:
    with app.app_context():
        application = make_application(world.office_a, world.unit_a, world.campaigns[PARTY])
        _db.session.commit()
        application_id = application.id
    auth.login()
    response = client.get(f"/documents/{application_id}/publicity/pdf")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "无法生成《推荐单位公示》" in html and "公示开始日期（公示与推荐）" in html


def test_batch_merged_zip_and_combined(app, client, auth, world, party_app_id) -> None:
    with app.app_context():
        other = fill(
            make_application(
                world.office_a, world.unit_a, world.campaigns[PARTY], name="马福军", seq=3
            )
        )
        other_id = other.id
    auth.login()
    page = f"/documents/batch?ids={party_app_id},{other_id}"
    assert "马福军" in client.get(page).get_data(as_text=True)
    ids = [party_app_id, other_id]
    merged = start_batch(client, ids, ["commitment"])
    assert merged.mimetype == "application/pdf"
    assert page_count(merged.data) == 2
    packed = start_batch(client, ids, ["publicity"], "zip")
    assert packed.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(packed.data)).namelist()
    assert sorted(names) == [
        "若羌县文化馆_阿依古丽·叶尔肯_推荐单位公示.pdf",
        "若羌县文化馆_马福军_推荐单位公示.pdf",
    ]
    preview = client.get(f"/documents/combined?ids={party_app_id},{other_id}")
    assert "等2名同志" in preview.get_data(as_text=True)
    combined = start_batch(client, ids, ["publicity"], "combined")
    assert "等2名同志" in text_of(combined.data)
    with app.app_context():
        exports = sa.select(AuditEntry).where(AuditEntry.action.like("document_%"))
        rows = [(e.action, e.rows) for e in _db.session.scalars(exports.order_by(AuditEntry.id))]
        assert rows == [
            ("document_export", 2),
            ("document_export", 2),
            ("document_preview", 2),
            ("document_export", 2),
        ]


def test_batch_lists_missing_data_and_caps_the_selection(
    app, client, auth, world, party_app_id
) -> None:
    with app.app_context():
        empty = make_application(
            world.office_a, world.unit_a, world.campaigns[PARTY], name="李海燕", seq=6
        )
        _db.session.commit()
        readable(empty)
    auth.login()
    response = start_batch(client, [party_app_id, empty.id], ["publicity"])
    assert response.status_code == 422
    assert "李海燕" in response.get_data(as_text=True)
    response = start_batch(client, list(range(1, 202)), ["publicity"], "zip")
    assert response.status_code == 400
    assert "一次最多生成200人" in response.get_data(as_text=True)


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_cli_writes_a_pdf_or_a_word_copy(runner, party_app, tmp_path, suffix: str) -> None:
    out = tmp_path / f"公示{suffix}"
    result = runner.invoke(
        args=["documents", "render", "publicity", str(party_app.id), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    if suffix == ".pdf":
        assert "根据自治区职称评审工作的要求" in text_of(out.read_bytes())
    else:
        paragraphs = docx.Document(io.BytesIO(out.read_bytes())).paragraphs
        assert any(p.text.startswith("根据自治区职称评审工作的要求") for p in paragraphs)
    result = runner.invoke(
        args=["documents", "render", "ce-exemption", "99999", "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1


def test_a_period_in_a_year_without_holiday_data_is_flagged_on_the_pages(
    app, client, auth, party_app_id
) -> None:
    # chinese-calendar carries each year's State Council arrangement only once it is announced;
    # for a later year the period counts weekends and local overrides only, and says so.
    with app.app_context():
        fill(_db.session.get(Application, party_app_id), publicity={"start": "2031-03-03"})
    auth.login()
    index = client.get(f"/documents/{party_app_id}/").get_data(as_text=True)
    preview = client.get(f"/documents/{party_app_id}/publicity").get_data(as_text=True)
    for html in (index, preview):
        assert "2031年的法定节假日安排尚未收录" in html


def test_the_documents_page_warns_about_fonts_without_loading_them(
    client, auth, party_app_id, monkeypatch
) -> None:
    def must_not_load(path, index):
        raise AssertionError(f"font {path} loaded by a page that makes no PDF")

    monkeypatch.setattr(pdfmod, "_register_ttf", must_not_load)
    auth.login()
    assert client.get(f"/documents/{party_app_id}/").status_code == 200
    assert client.get(f"/documents/{party_app_id}/publicity").status_code == 200
