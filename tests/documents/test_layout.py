"""Layout of the notice templates: the sign-off comes from the template, blanks keep their width."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from portal.documents import pdf as pdfmod
from portal.documents.layout import normalise_spaces, template_structure, unit_words
from portal.documents.pdf import pdf_text
from portal.documents.render import render_html, render_pdf
from tests.documents.test_documents import CULTURE, compact, fill, text_of
from tests.factories import make_application, make_unit

CM = 72 / 2.54

#: 业绩成果 as clerks type it: numbered lines, one naming a seal, one a date range (issue 14).
ACHIEVEMENTS = "\n".join(
    [
        "1．主持完成自治州党校主体班次教学改革课题。",
        "2．2021年获和静县“优秀共产党员”称号（县委组织部盖章证明）。",
        "2022年3月1日至2022年12月31日",
        "3．撰写的调研报告获州委主要领导批示（加盖公章）",
    ]
)


def signoff_html(html: str) -> str:
    """The sign-off block of a rendered notice."""
    match = re.search(r'<div class="signoff">(.*?)</div>', html, re.S)
    assert match, "no sign-off block"
    return match.group(1)


def test_achievement_lines_with_a_seal_or_a_date_stay_in_the_body(party_app) -> None:
    # The sign-off is where the template puts it (签字 / 公章 / {{ 日期 }} after the body),
    # never a line of the applicant's text that happens to mention 盖章 or look like a date.
    fill(party_app, achievements={"summary": ACHIEVEMENTS})
    html = render_html(party_app, "publicity", preview=False)
    signoff = signoff_html(html)
    for line in ACHIEVEMENTS.splitlines():
        assert line not in signoff, line
    assert "签字：（馆长签字）" in signoff and "（推荐单位公章）" in signoff
    text = text_of(render_pdf(party_app, "publicity"))
    body_end = text.index("公示时间从")
    for line in ACHIEVEMENTS.splitlines():
        assert 0 <= text.index(compact(line)) < body_end, line
    assert text.index("业绩成果：1．主持完成") < text.index("2．2021年获和静县")
    assert text.endswith("（推荐单位公章）2024年8月1日")


def date_blanks(pdf: bytes, year: str) -> list[tuple[float, float]]:
    """Each printed 「{year}年 月 日」: the gaps before 月 and before 日, in font sizes."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            chars.sort(key=lambda c: (round(c["top"]), c["x0"]))
            text = "".join(c["text"] for c in chars)
            for match in re.finditer(f"{year}年月日", text):
                nian, yue, ri = chars[match.start() + 4 : match.end()]
                found.append(
                    (
                        round((yue["x0"] - nian["x1"]) / nian["size"], 1),
                        round((ri["x0"] - yue["x1"]) / yue["size"], 1),
                    )
                )
    return found


@pytest.mark.parametrize("kind", ["commitment", "ce-exemption", "catalog"])
def test_date_blanks_for_handwriting_keep_their_width(party_app, kind: str) -> None:
    # 「2023年　　月　　日」: two ideographic spaces before 月 and before 日, to write in by hand.
    assert date_blanks(render_pdf(party_app, kind), "2023") == [(2.0, 2.0)], kind
    preview = re.sub(r"<[^>]+>", "", render_html(party_app, kind, preview=True))
    assert "2023年　　月　　日" in preview, kind


def test_spaces_left_by_the_notices_extraction_are_not_printed(party_app) -> None:
    # 002 个人承诺书 as extracted: 「并从申报年度下一年起 3 年内」.
    html = render_html(party_app, "commitment", preview=False)
    assert "并从申报年度下一年起3年内，不得申报专业技术资格" in html
    assert "起 3 年" not in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下一年起 3 年内", "下一年起3年内"),
        ("2023 年×月×日", "2023年×月×日"),
        ("现对 {{ 姓名 }} 同志", "现对{{ 姓名 }}同志"),
        ("2023年　　月　　日", "2023年　　月　　日"),  # blanks for handwriting stay
        ("Word 与 WPS", "Word与WPS"),
        ("ISO 9001", "ISO 9001"),
    ],
)
def test_template_spaces_are_normalised_beside_chinese_text(text: str, expected: str) -> None:
    assert normalise_spaces(text) == expected


def test_sign_off_is_the_templates_tail_with_the_date_placeholder() -> None:
    text = "\n".join(
        [
            "推荐单位公示",
            "业绩成果：{{ 业绩成果 }}",
            "特此公示",
            "签字：（单位负责人签字）",
            "{{ 推荐单位 }}（公章）",
            "{{ 日期 }}",
        ]
    )
    kinds = [(line.kind, line.label) for line in template_structure(text, labels=True)]
    assert kinds == [
        ("title", ""),
        ("para", "业绩成果："),
        ("seal", ""),  # a short line before the sign-off without a sentence end joins it
        ("sign", ""),
        ("seal", ""),
        ("date", ""),
    ]
    # Without a sign-off placeholder nothing at the end is taken for a sign-off.
    structure = template_structure("个人承诺书\n本人承诺。\n签字：（承诺人）")
    assert [line.kind for line in structure] == ["title", "para", "para"]


def line_ends(pdf: bytes) -> list[str]:
    """Each printed line of a PDF, stripped."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [
            line["text"].strip()
            for page in doc.pages
            for line in page.extract_text_lines()
            if line["text"].strip()
        ]


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_one(party_app) -> None:
    # Chinese line breaking: 「．」「，」「。」「）」「”」 never begin a line,
    # 「（」「“」 never end one.
    item = "1．主持完成自治州党校课题，撰写的调研报告（获奖）获“州委”批示。2．2021年获奖；"
    summary = "\n".join("啊" * shift + item * 2 for shift in range(26))
    fill(party_app, achievements={"summary": summary})
    lines = line_ends(render_pdf(party_app, "publicity"))
    assert len(lines) > 60
    assert [line for line in lines if line[0] in "．，。、；：？！）》”’…"] == []
    assert [line for line in lines if line[-1] in "（《“‘"] == []


def pages_text(pdf: bytes) -> list[str]:
    """The compacted text of each page."""
    return [compact(page) for page in pdf_text(pdf).split("\f")]


def test_the_sign_off_never_stands_alone_on_a_page(party_app) -> None:
    # However long the body, the sign-off shares its page with the end of the body.
    line = "主持完成自治州党校主体班次教学改革课题一项。"
    for count in range(12, 26):
        fill(party_app, achievements={"summary": "\n".join([line] * count)})
        pages = pages_text(render_pdf(party_app, "publicity"))
        signed = [page for page in pages if "（推荐单位公章）" in page]
        assert len(signed) == 1, count
        assert "监督电话" in signed[0], count


def test_multi_page_documents_are_numbered_as_gb_t_9704(party_app) -> None:
    # 「— 1 —」 below the type area, odd pages right and even pages left; one page: none.
    assert "—1—" not in text_of(render_pdf(party_app, "publicity"))
    fill(party_app, achievements={"summary": "\n".join(["主持完成教学改革课题一项。"] * 60)})
    pdf = render_pdf(party_app, "publicity")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 3
        for number, page in enumerate(doc.pages, start=1):
            footer = [c for c in page.chars if c["top"] > page.height - 3.5 * CM]
            assert "".join(c["text"] for c in footer).replace(" ", "") == f"—{number}—"
            assert min(c["top"] for c in footer) >= page.height - 2.8 * CM - 1
            assert all(round(c["size"]) == 14 for c in footer)
            middle = page.width / 2
            if number % 2:
                assert min(c["x0"] for c in footer) > middle
            else:
                assert max(c["x1"] for c in footer) < middle


LONG_UNIT = "新疆维吾尔自治区巴音郭楞蒙古自治州若羌县水利局水文水资源勘测分站"


def test_a_long_unit_name_wraps_between_its_words(world, party_app) -> None:
    # 32 characters and 「（公章）」 do not fit one line: the name breaks after 水利局,
    # not inside 「水文水资源勘测分站」.
    party_app.unit = make_unit(world.office_a, LONG_UNIT)
    lines = line_ends(render_pdf(party_app, "publicity-result"))
    start = next(i for i, line in enumerate(lines) if line.startswith("新疆维吾尔"))
    assert lines[start : start + 2] == [
        "新疆维吾尔自治区巴音郭楞蒙古自治州若羌县水利局",
        "水文水资源勘测分站（公章）",
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            LONG_UNIT,
            ["新疆维吾尔自治区", "巴音郭楞蒙古自治州", "若羌县", "水利局", "水文水资源勘测分站"],
        ),
        ("若羌县瓦石峡镇综合文化站", ["若羌县", "瓦石峡镇", "综合文化站"]),
        ("和静县巴润哈尔莫敦镇人民政府", ["和静县", "巴润哈尔莫敦镇", "人民政府"]),
        ("且末县市场监督管理局", ["且末县", "市场监督管理局"]),
        ("库尔勒市萨依巴格街道办事处", ["库尔勒市", "萨依巴格街道", "办事处"]),
        ("新疆生产建设兵团第二师三十一团医院", ["新疆生产建设兵团", "第二师", "三十一团", "医院"]),
        ("若羌县文化馆", ["若羌县", "文化馆"]),
        ("高等院校", ["高等院校"]),  # no single character left behind
        ("县园林管理局", ["县园林管理局"]),
    ],
)
def test_unit_names_are_cut_after_places_and_bodies(name: str, words: list[str]) -> None:
    assert unit_words(name) == words


def test_body_is_16_pt_and_the_title_22_pt_in_the_heading_face(party_app) -> None:
    # GB/T 9704: title 二号 (22 pt) 小标宋, body 三号 (16 pt) 仿宋 or 宋.
    pdf = render_pdf(party_app, "publicity")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    title = [c for c in chars if c["text"] in "推荐单位公示" and c["top"] < 160]
    first = next(c for c in chars if c["text"] == "根")
    body = [c for c in chars if abs(c["top"] - first["top"]) < 1]
    assert {round(c["size"]) for c in title} == {22}
    assert {round(c["size"]) for c in body} == {16}
    assert {c["fontname"] for c in title}.isdisjoint({c["fontname"] for c in body})


def test_installed_faces_are_preferred_by_family(monkeypatch) -> None:
    # 仿宋 before 宋 for the body, 小标宋 before a heavy sans for the heading, wherever the
    # files are; fonts of other families are not taken.
    listing = (
        ("/fonts/simsun.ttc", 0, frozenset({"SimSun", "宋体"})),
        ("/fonts/other.ttf", 0, frozenset({"Some Face"})),
        ("/fonts/fz.ttf", 0, frozenset({"方正小标宋简体"})),
        ("/fonts/simfang.ttf", 0, frozenset({"FangSong", "仿宋"})),
        ("/fonts/zenhei.ttc", 0, frozenset({"WenQuanYi Zen Hei"})),
    )
    monkeypatch.setattr(pdfmod, "_installed_fonts", lambda: listing)
    assert [str(p) for p, _ in pdfmod.installed_candidates(pdfmod.BODY_FAMILIES)] == [
        "/fonts/simfang.ttf",
        "/fonts/simsun.ttc",
    ]
    assert [str(p) for p, _ in pdfmod.installed_candidates(pdfmod.HEADING_FAMILIES)] == [
        "/fonts/fz.ttf",
        "/fonts/zenhei.ttc",
    ]


def test_the_catalog_lists_the_exemption_form_for_an_exempt_applicant(db, world) -> None:
    # 000 七（一）: exempt from continuing education with the 免试审批表, so the catalog asks
    # for that instead of 继续教育学习证明 (and its note on yearly hours).
    app = fill(make_application(world.office_a, world.unit_a, world.campaigns[CULTURE], seq=2))
    text = text_of(render_pdf(app, "catalog"))
    assert "继续教育免试审批表" in text
    assert "继续教育学习证明" not in text and "每年参加继续教育并达到课时要求" not in text
    fill(app, continuing_education={"exempt": False, "exemption_ground": ""})
    text = text_of(render_pdf(app, "catalog"))
    assert "继续教育学习证明" in text and "继续教育免试审批表" not in text
