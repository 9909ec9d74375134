"""Tests of the PDF engine: CJK fonts, wrapping inside the margins, merging."""

from __future__ import annotations

import io
import re
from html import escape

import pdfplumber
import pytest
from pypdf import PdfReader

from portal.documents import pdf as pdfmod
from portal.documents import xhtml2pdf_cjk
from portal.documents.pdf import (
    BASE_CSS,
    FALLBACK_WARNING,
    PdfError,
    embedded_fonts,
    find_cjk_fonts,
    html_to_pdf,
    merge_pdfs,
    page_count,
    pdf_text,
)

FONTS = find_cjk_fonts(None)
# These tests render without an app; create_app installs the CJK line breaking otherwise.
xhtml2pdf_cjk.apply()
requires_ttf = pytest.mark.skipif(
    FONTS.builtin_fallback,
    reason="没有安装可嵌入的中文 TrueType 字体（Debian: fonts-arphic-uming、fonts-wqy-zenhei）",
)

CM = 72 / 2.54
TOLERANCE = 1.0  # points

SENTENCES = [
    "根据自治区职称评审工作的要求，现对阿不都热合曼·阿不都热西提同志申报文化系列群众文化专业"
    "中级专业技术任职资格进行公示。",
    "该同志近五年组织、辅导基层群众文化活动六十余场，编排的舞蹈作品获自治区群众文艺汇演二等奖，"
    "本人为第一完成人；",
    "主持完成乡镇综合文化站业务培训三期，培训基层文化骨干二百余人次，"
    "撰写的业务总结《新时代乡村群众文化活动的组织与实践》被州文化馆采用。",
    "公示期不少于5个工作日，身份证号65280119850312001X，监督电话0996-2226930。",
]
LONG_END = "以上情况特此公示，全文完毕。"


def long_paragraph(minimum: int = 3000) -> str:
    """A Chinese paragraph of at least `minimum` characters without spaces."""
    parts: list[str] = []
    index = 0
    while sum(map(len, parts)) < minimum:
        parts.append(f"第{index + 1}条：" + SENTENCES[index % len(SENTENCES)])
        index += 1
    return "".join(parts) + LONG_END


LONG = long_paragraph()


def document_html() -> str:
    """A publicity notice with a heading, paragraphs, a long paragraph and a table."""
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{sex}</td><td>{escape(title)}</td></tr>"
        for name, sex, title in [
            ("阿不都热合曼·阿不都热西提", "男", "文化系列群众文化专业中级专业技术任职资格"),
            ("买买提·艾力", "男", "工程系列水利专业初级专业技术任职资格，申报类别为初次确定"),
        ]
    )
    return f"""<html><head><meta charset="utf-8"></head><body>
<h1>推荐单位公示</h1>
<p>根据自治区职称评审工作的要求，现对下列同志申报专业技术任职资格进行公示。</p>
<p>{escape(LONG)}</p>
<table class="grid"><tr><th>姓名</th><th>性别</th><th>申报资格</th></tr>{rows}</table>
<p>如对上述同志的相关信息有疑异，请电话或书面形式反映至县文化馆办公室。</p>
<p class="sign">签字：</p>
<p class="seal">（推荐单位公章）</p>
<p class="date">2023年6月1日</p>
</body></html>"""


@pytest.fixture(scope="module")
def document() -> bytes:
    """The sample document rendered once with the fonts of this machine."""
    return html_to_pdf(document_html(), fonts=FONTS)


def compact(text: str) -> str:
    """Text without any whitespace, for phrase search across line breaks."""
    return re.sub(r"\s+", "", text)


def chars_outside_margins(pdf: bytes) -> list[str]:
    """Every visible character that lies outside the type area, described."""
    left = pdfmod.MARGIN_LEFT_CM * CM - TOLERANCE
    top = pdfmod.MARGIN_TOP_CM * CM - TOLERANCE
    outside = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            right = page.width - pdfmod.MARGIN_RIGHT_CM * CM + TOLERANCE
            bottom = page.height - pdfmod.MARGIN_BOTTOM_CM * CM + TOLERANCE
            for char in page.chars:
                if not char["text"].strip():
                    continue
                if (
                    char["x0"] < left
                    or char["x1"] > right
                    or char["top"] < top
                    or char["bottom"] > bottom
                ):
                    outside.append(
                        f"p{page.page_number} {char['text']!r} x0={char['x0']:.1f} "
                        f"x1={char['x1']:.1f} top={char['top']:.1f} bottom={char['bottom']:.1f}"
                    )
    return outside


def test_document_flows_onto_several_pages_and_keeps_its_text(document: bytes) -> None:
    assert document.startswith(b"%PDF")
    assert page_count(document) > 1
    text = compact(pdf_text(document))
    for phrase in [
        "推荐单位公示",
        "现对下列同志申报专业技术任职资格进行公示",
        "阿不都热合曼·阿不都热西提",
        "工程系列水利专业初级专业技术任职资格",
        "（推荐单位公章）",
        "2023年6月1日",
        LONG_END,
    ]:
        assert phrase in text, phrase
    # The long paragraph comes out whole: nothing lost, doubled or inserted at breaks.
    assert compact(LONG) in text


def test_no_character_lies_outside_the_margins(document: bytes) -> None:
    assert chars_outside_margins(document) == []


def test_margin_check_catches_unwrapped_cjk() -> None:
    # Without -pdf-word-wrap: CJK xhtml2pdf sets a long CJK run on one line off the page;
    # this shows the margin check above can fail.
    css = BASE_CSS.replace("-pdf-word-wrap: CJK;", "")
    assert css != BASE_CSS
    pdf = html_to_pdf(document_html(), css, fonts=FONTS)
    assert chars_outside_margins(pdf)


def test_split_paragraph_gets_no_spaces_and_lines_start_properly(document: bytes) -> None:
    with pdfplumber.open(io.BytesIO(document)) as doc:
        lines = [line["text"] for page in doc.pages for line in page.extract_text_lines()]
        spaces = [c for page in doc.pages for c in page.chars if c["text"] == " "]
    assert spaces == []
    for line in lines:
        assert line.lstrip()[0] not in "，。、；：？！）》”", line
        assert line.rstrip()[-1] not in "（《“", line
    # Numbers are not cut in the middle when they fit on a line.
    assert any("65280119850312001X" in line for line in lines)


@requires_ttf
def test_cjk_fonts_are_embedded_and_subset(document: bytes) -> None:
    embedded = embedded_fonts(document)
    with pdfplumber.open(io.BytesIO(document)) as doc:
        used = {c["fontname"] for page in doc.pages for c in page.chars}
    assert used
    for name in used:
        assert embedded.get(name), f"font {name} is not embedded"
        assert re.match(r"^[A-Z]{6}\+", name), f"font {name} is not a subset"


@requires_ttf
def test_headings_and_bold_use_the_heavy_face() -> None:
    pdf = html_to_pdf(
        "<html><body><h1>标题文字</h1><p>正文<b>加粗</b></p></body></html>", fonts=FONTS
    )
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        faces = {c["text"]: c["fontname"] for c in doc.pages[0].chars}
    assert faces["标"] == faces["加"]
    if FONTS.heading_path != FONTS.body_path:
        assert faces["正"] != faces["加"]


@requires_ttf
def test_configured_font_comes_first_and_missing_one_is_reported(tmp_path) -> None:
    chosen = find_cjk_fonts({"body": FONTS.heading_path, "heading": FONTS.heading_path})
    assert chosen.body_path == FONTS.heading_path
    assert chosen.warning is None
    missing = tmp_path / "no-such-font.ttf"
    chosen = find_cjk_fonts({"body": str(missing)})
    assert not chosen.builtin_fallback
    assert chosen.body_path == FONTS.body_path
    assert chosen.warning is not None and str(missing) in chosen.warning


def test_builtin_fallback_without_any_font(tmp_path) -> None:
    fonts = find_cjk_fonts(
        {"body": str(tmp_path / "missing.ttc"), "heading": str(tmp_path / "missing.ttf")},
        search_system=False,
    )
    assert find_cjk_fonts(None, search_system=False).warning == FALLBACK_WARNING
    assert fonts.builtin_fallback
    assert fonts.body_path is None and fonts.heading_path is None
    assert fonts.body_name == fonts.heading_name == "STSong-Light"
    assert fonts.warning is not None and fonts.warning.endswith(FALLBACK_WARNING)
    assert "missing.ttc" in fonts.warning
    pdf = html_to_pdf(document_html(), fonts=fonts)
    assert pdf.startswith(b"%PDF")
    assert "推荐单位公示" in compact(pdf_text(pdf))
    assert compact(LONG) in compact(pdf_text(pdf))
    assert chars_outside_margins(pdf) == []


def test_merge_pdfs_starts_each_document_on_a_new_page(document: bytes) -> None:
    second = html_to_pdf("<html><body><h1>个人承诺书</h1><p>本人承诺。</p></body></html>")
    merged = merge_pdfs([document, second])
    assert page_count(merged) == page_count(document) + 1
    last_page = PdfReader(io.BytesIO(merged)).pages[-1].extract_text()
    assert compact(last_page).startswith("个人承诺书")
    assert page_count(merge_pdfs([])) == 0


def test_render_errors_become_pdf_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failed:
        err = 1
        log = [("error", 3, "无法解析的内容", "")]

    monkeypatch.setattr(pdfmod.pisa, "CreatePDF", lambda *args, **kwargs: Failed())
    with pytest.raises(PdfError, match="无法解析的内容"):
        html_to_pdf("<p>x</p>")

    def explode(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(pdfmod.pisa, "CreatePDF", explode)
    with pytest.raises(PdfError, match="PDF 生成失败：boom"):
        html_to_pdf("<p>x</p>")


def test_documents_fetch_no_local_or_remote_resources(tmp_path) -> None:
    image = tmp_path / "seal.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    pdf = html_to_pdf(
        f'<html><body><p>公章</p><img src="{image}"><img src="http://127.0.0.1/x.png">'
        "</body></html>"
    )
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert "/XObject" not in page["/Resources"]


def test_looking_for_fonts_without_loading_reads_only_their_headers(tmp_path, monkeypatch) -> None:
    """A page that only warns about fonts must not load them (tens of MB per worker)."""
    monkeypatch.setattr(pdfmod, "_register_ttf", _must_not_load)
    peeked = find_cjk_fonts(None, load=False)
    if FONTS.builtin_fallback:
        assert peeked.warning == FALLBACK_WARNING
    else:
        assert (peeked.body_path, peeked.heading_path) == (FONTS.body_path, FONTS.heading_path)
        assert peeked.warning is None
    not_a_font = tmp_path / "fake.ttf"
    not_a_font.write_bytes(b"<html>not a font</html>")
    peeked = find_cjk_fonts({"body": str(not_a_font)}, search_system=False, load=False)
    assert peeked.builtin_fallback and str(not_a_font) in peeked.warning


def _must_not_load(path, index):
    raise AssertionError(f"font {path} loaded")


@requires_ttf
def test_page_numbers_are_drawn_in_the_same_run_in_the_fonts_embedded(
    document: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No second pass over the PDF (reading, stamping, writing it again): the numbers are
    # drawn before the pages are written, in the body font's own subsets.
    import pypdf

    def no_second_pass(*args, **kwargs):
        raise AssertionError("the PDF was written a second time")

    monkeypatch.setattr(pypdf.PdfWriter, "write", no_second_pass)
    numbered = html_to_pdf(document_html(), fonts=FONTS, numbered=True)
    monkeypatch.undo()
    pages = pdf_text(numbered).split("\f")
    assert len(pages) == page_count(document) > 1
    plain = pdf_text(document).split("\f")
    for number, (page, before) in enumerate(zip(pages, plain, strict=True), start=1):
        assert compact(page) == compact(before) + f"—{number}—"
    assert embedded_fonts(numbered) == embedded_fonts(document)  # no font added for them
    one_page = html_to_pdf("<p>个人承诺书</p>", fonts=FONTS, numbered=True)
    assert "—" not in pdf_text(one_page)
