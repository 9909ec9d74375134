"""A notice of another 地区 in a real browser: campaign page, review page, an annex document.

The fictitious 2025 notice of 和田地区 (tests/campaigns/data/ht-culture-2025.toml) is loaded
beside the demo data with an office, a clerk and a 副高级 application of that prefecture.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, _require_browser, demo_app, login, serving, shot

HT_FILE = Path(__file__).resolve().parents[1] / "campaigns" / "data" / "ht-culture-2025.toml"


@pytest.fixture(scope="module")
def hotan_server(tmp_path_factory):
    """A live portal with the demo data and the 和田地区 notice, office, clerk and application."""
    _require_browser()
    from portal.campaigns.services import load_campaign_file
    from portal.extensions import db
    from tests.factories import make_application, make_office, make_unit, make_user

    app = demo_app(tmp_path_factory.mktemp("hotan"))
    with app.app_context():
        campaign, _ = load_campaign_file(HT_FILE)
        office = make_office("H01", "和田县文化体育广播电视和旅游局", "和田县", "和田地区")
        unit = make_unit(office, "和田县文化馆", supervision_phone="0903-2512345")
        make_user("hetian", "demo12345", "clerk", office)
        basic = {
            "gender": "女",
            "ethnicity": "维吾尔族",
            "birth_date": "1984-06-02",
            "mandarin_level": "三级乙等",
            "county": "民丰县",
            "unit_nature": "事业单位",
        }
        application = make_application(
            office,
            unit,
            campaign,
            "阿依古丽·吐尔逊",
            seq=7,
            level="deputy_senior",
            birth=date(1984, 6, 2),
            gender="女",
            region="653221",
            sections={"basic": basic},
        )
        db.session.commit()
        app_id = application.id
    with serving(app) as url:
        yield url, app_id


def test_the_campaign_page_shows_the_notices_own_rules(hotan_server, page):
    base, _ = hotan_server
    login(page, base, "hetian", "demo12345")
    page.goto(f"{base}/campaigns/ht-culture-2025")
    text = page.inner_text("main")
    assert "副高级评审通过率不超过申报人数的60%" in text  # a note the portal does not check
    assert "2025年9月26日前" in text and "时间另行通知" in text
    assert "申报初级、中级专业技术职务任职资格人员" in text
    assert "副高级的人员一律参加答辩" in text
    assert "监督举报" in text and "申报材料袋封面" in text
    shot(page, "notices-campaign-detail")


def test_the_review_page_cites_the_notice_and_shows_its_notes(hotan_server, page):
    base, app_id = hotan_server
    login(page, base, "hetian", "demo12345")
    page.goto(f"{base}/applications/{app_id}/review")
    text = page.inner_text("main")
    assert "普通话等级为三级乙等，本通知要求普通话达到三级甲等及以上" in text
    assert "依据：和地文旅发〔2025〕31号 二（四）" in text
    assert "请人工核对" in text and "副高级评审通过率" in text
    assert "否，需参加答辩" in text  # 民丰县, but 副高级 always takes the defense
    shot(page, "notices-review")


def test_the_annex_is_printed_like_the_built_in_documents(hotan_server, page):
    base, app_id = hotan_server
    login(page, base, "hetian", "demo12345")
    page.goto(f"{base}/documents/{app_id}/")
    assert "申报材料袋封面" in page.inner_text("main")
    page.goto(f"{base}/documents/{app_id}/bag-cover")
    assert "袋内材料共3项、3份" in page.inner_text("body")
    shot(page, "notices-annex-preview")
    response = page.request.get(f"{base}/documents/{app_id}/bag-cover/pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "notices-annex.pdf").write_bytes(data)
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "阿依古丽" in text and "评审表" in text


def test_a_clerk_of_bayingol_does_not_see_it(hotan_server, page):
    base, app_id = hotan_server
    login(page, base)  # ruoqiang, a clerk of 巴音郭楞蒙古自治州
    page.goto(f"{base}/campaigns/")
    assert "和田地区文化系列" not in page.inner_text("main")
    assert page.goto(f"{base}/campaigns/ht-culture-2025").status == 404
    assert page.goto(f"{base}/documents/{app_id}/bag-cover").status == 404


def test_an_upload_lists_every_problem_under_the_file_field(hotan_server, page, tmp_path):
    base, _ = hotan_server
    login(page, base, "admin", DEMO_PASSWORD)
    broken = tmp_path / "ht-culture-2025.toml"
    text = HT_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("yuan = 500", "yuan = -5").replace('"三级甲等"', '"四级"'))
    page.goto(f"{base}/campaigns/upload")
    page.set_input_files("input[type=file]", str(broken))
    page.click("text=校验并导入")
    body = page.inner_text("main")
    assert "ht-culture-2025.toml: fees[2].yuan: 不能为负数" in body
    assert "ht-culture-2025.toml: rules.language.minimum: 未知的普通话等级" in body
    assert "/tmp" not in body
    shot(page, "notices-upload-errors")
    page.goto(f"{base}/campaigns/")
    assert "和田地区" in page.inner_text("main")  # the admin sees every prefecture's notices
    shot(page, "notices-campaign-list")
