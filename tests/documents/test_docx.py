"""Word copies of the documents: the same text, fonts named in the runs, A4 margins, rendering."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from portal.documents import pdf as pdfmod
from portal.documents.batch import BatchSpec, plan_batch, write_batch
from portal.documents.context import KINDS
from portal.documents.docx import html_to_docx
from portal.documents.render import (
    render_combined_publicity_docx,
    render_docx,
    render_html,
    render_pdf,
)
from tests.campaigns.test_new_notice import _application as notice_application
from tests.campaigns.test_new_notice import hotan  # noqa: F401  (the fixture)
from tests.documents.test_documents import compact, fill
from tests.documents.test_layout import ACHIEVEMENTS, date_blanks
from tests.factories import make_application
from tests.libreoffice import convert

PHRASES = {
    "publicity": [
        "推荐单位公示",
        "根据自治区职称评审工作的要求，现对阿依古丽·叶尔肯同志申报党干校教师系列中级专业技术任职资格进行公示",
        "业绩成果：近五年承担主体班次教学任务",
        "公示时间从2024年8月1日起至2024年8月7日止（公示期不少于5个工作日）",
        "签字：（馆长签字）",
        "（推荐单位公章）",
    ],
    "publicity-result": ["推荐单位公示结果", "在本单位公示7天", "若羌县文化馆（公章）"],
    "commitment": [
        "个人承诺书",
        "并从申报年度下一年起3年内",
        "签字：（承诺人）",
        "2023年　　月　　日",
    ],
    "ce-exemption": ["免除继续教育学习申请表", "何时何学校何专业毕业", "2008年7月新疆大学哲学专业"],
    "catalog": ["申报材料目录", "《个人承诺书》", "若羌县文化馆（公章）"],
}


def docx_text(data: bytes) -> str:
    """Every paragraph of the body and of its tables, in order, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.element.body.iter(qn("w:p")):
        lines.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
    return "\n".join(lines)


def run_fonts(data: bytes) -> set[str]:
    """The East Asian font of every run of the body."""
    document = docx.Document(io.BytesIO(data))
    fonts = set()
    for run in document.element.body.iter(qn("w:r")):
        properties = run.find(qn("w:rPr"))
        if run.find(qn("w:t")) is None or properties is None:
            continue
        names = properties.find(qn("w:rFonts"))
        fonts.add(names.get(qn("w:eastAsia")) if names is not None else None)
    return fonts


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_word_copy_with_the_same_text(party_app, kind: str) -> None:
    data = render_docx(party_app, kind)
    text = docx_text(data)
    for phrase in PHRASES[kind]:
        assert phrase in text, phrase
    # Same words as the PDF's HTML: every paragraph of the Word copy is found there.
    html = compact(re.sub(r"<[^>]+>", "", render_html(party_app, kind, preview=False)))
    html = html.replace("\u2060", "")
    for line in text.splitlines():
        assert compact(line) in html, line
    assert party_app.section_data("basic")["phone"] not in text


def test_word_copy_is_a4_with_the_gb_t_9704_margins_and_office_fonts(party_app) -> None:
    data = render_docx(party_app, "publicity")
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.top_margin.cm, 2) == pdfmod.MARGIN_TOP_CM
    assert round(section.bottom_margin.cm, 2) == pdfmod.MARGIN_BOTTOM_CM
    assert round(section.left_margin.cm, 2) == pdfmod.MARGIN_LEFT_CM
    assert round(section.right_margin.cm, 2) == pdfmod.MARGIN_RIGHT_CM
    # Named as offices have them, East Asian font set in each run: 仿宋 body, 黑体 title
    # and labels.
    assert run_fonts(data) == {"仿宋", "黑体"}
    title = document.paragraphs[0]
    assert title.text == "推荐单位公示"
    assert title.runs[0].font.size.pt == 22
    body = next(p for p in document.paragraphs if p.text.startswith("根据自治区"))
    assert body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent == docx.shared.Pt(32)
    assert "宋体" in run_fonts(render_docx(party_app, "catalog"))  # tables


def test_blanks_and_the_sign_off_keep_their_place(party_app) -> None:
    fill(party_app, achievements={"summary": ACHIEVEMENTS})
    document = docx.Document(io.BytesIO(render_docx(party_app, "publicity")))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    # 业绩成果 lines stay in the body, in order, before the 公示时间 paragraph.
    end = next(i for i, t in enumerate(texts) if t.startswith("公示时间从"))
    for line in ACHIEVEMENTS.splitlines()[1:]:
        assert texts.index(line) < end
    assert texts[end + 1 :] == ["签字：（馆长签字）", "（推荐单位公章）", "2024年8月1日"]
    # The last body paragraph and the sign-off keep together (keep with next).
    assert [bool(p.paragraph_format.keep_with_next) for p in paragraphs[end:]] == [
        True,
        True,
        True,
        False,
    ]
    commitment = docx.Document(io.BytesIO(render_docx(party_app, "commitment")))
    assert commitment.paragraphs[-1].text == "2023年　　月　　日"


def test_several_documents_make_one_file_each_numbered_from_one(party_app) -> None:
    fill(party_app, achievements={"summary": "\n".join(["主持完成教学改革课题一项。"] * 60)})
    parts = [
        (render_html(party_app, "publicity", preview=False), True),
        (render_html(party_app, "commitment", preview=False), False),
    ]
    document = docx.Document(io.BytesIO(html_to_docx(parts)))
    assert len(document.sections) == 2
    for section in document.sections:
        numbering = section._sectPr.find(qn("w:pgNumType"))
        assert numbering is not None and numbering.get(qn("w:start")) == "1"
    assert "PAGE" in document.sections[0].footer._element.xml
    assert "PAGE" in document.sections[0].even_page_footer._element.xml
    assert "PAGE" not in document.sections[1].footer._element.xml  # one page: no number
    assert round(document.sections[1].page_width.cm, 1) == 21.0


def test_combined_notice_has_a_word_copy(world, party_app) -> None:
    other = fill(
        make_application(
            world.office_a,
            world.unit_a,
            world.campaigns["bz-partyschool-2023"],
            name="马福军",
            seq=3,
        )
    )
    text = docx_text(render_combined_publicity_docx([party_app, other]))
    assert "阿依古丽·叶尔肯、马福军等2名同志" in compact(text)
    assert "序\n姓名\n性别" in text  # the list as a table


def test_libreoffice_renders_every_word_copy(party_app, tmp_path: Path) -> None:
    # Every kind in one file, as a batch writes it; LibreOffice lays it out as Word would.
    lines = ["近五年承担主体班次教学任务，本人为主讲教师。"] + ["主持完成教学改革课题一项。"] * 60
    fill(party_app, achievements={"summary": "\n".join(lines)})
    parts = [(render_html(party_app, kind, preview=False), kind == "publicity") for kind in KINDS]
    source = tmp_path / "documents.docx"
    source.write_bytes(html_to_docx(parts))
    pdf = convert(source, "pdf")
    pages = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    text = compact("".join(pages))
    for kind in KINDS:
        # A narrow grid cell (何时何学校何专业毕业) wraps; its words are checked in the .docx.
        for phrase in PHRASES[kind][:1] + PHRASES[kind][2:]:
            assert compact(phrase) in text, (kind, phrase)
    numbered = [p for p in pages if re.search(r"—\s*\d+\s*—", p)]
    assert len(numbered) >= 3  # the long publicity: — 1 — … on each of its pages
    assert re.search(r"—\s*1\s*—", numbered[0])


def test_a_campaigns_annex_document_has_a_word_copy_and_joins_a_batch(request, db) -> None:
    # 和田地区's own 申报材料袋封面 (tests/campaigns/data/ht-culture-2025.toml): an annex kind
    # prints as Word like the built-in ones, and a batch may hold it beside them.
    notice = request.getfixturevalue("hotan")
    app = notice_application(notice, "deputy_senior", 31)
    data = render_docx(app, "bag-cover")
    text = docx_text(data)
    assert "2025年度职称评审申报材料" in text and app.name in text
    document = docx.Document(io.BytesIO(data))
    grid = document.tables[-1]
    assert [c.text for c in grid.rows[0].cells][:2] == ["序号", "材料名称"]
    assert grid.rows[1].cells[1].text == "《专业技术职务任职资格评审表》"
    assert "2025年　　月　　日" in text  # the annex's blanks, in Word
    assert date_blanks(render_pdf(app, "bag-cover"), "2025") == [(2.0, 2.0)]  # and in the PDF
    plan = plan_batch([app], ["bag-cover", "commitment"])
    assert [kind for _, kind in plan.items] == ["bag-cover", "commitment"]
    out = io.BytesIO()
    write_batch(plan, BatchSpec((app.id,), ("bag-cover", "commitment"), "merged", "docx"), out)
    assert len(docx.Document(io.BytesIO(out.getvalue())).sections) == 2
