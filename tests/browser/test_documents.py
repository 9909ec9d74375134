"""Printing in batches in Chromium (issue 13): two kinds per person, an incomplete one skipped."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from tests.browser.conftest import login, shot

COMPLETE = "买买提·艾力"  # in publicity: every document can be made
INCOMPLETE = "阿不都热合曼·阿不都热西提"  # a draft without a publicity start date


def test_a_batch_skips_an_incomplete_applicant_and_holds_two_kinds(page, live_server):
    login(page, live_server, "ruoqiang")
    page.goto(f"{live_server}/applications/")
    page.check(f"input[aria-label='选择 {COMPLETE}']")
    page.check(f"input[aria-label='选择 {INCOMPLETE}']")
    page.click("button:has-text('打印文书')")
    page.wait_for_url("**/documents/batch")
    assert "csrf_token" not in page.url  # the selection was posted, not put in the URL
    assert page.locator("table.grid td", has_text=INCOMPLETE).count() == 1
    # People print in the order of the list; each one's documents in the order of the kinds.
    people = [n for n in page.locator("table.grid tr td:nth-child(3)").all_inner_texts()]
    assert sorted(people) == sorted([COMPLETE, INCOMPLETE])
    page.check("input[name=kinds][value=publicity]")
    page.check("input[name=kinds][value=commitment]")
    shot(page, "40-batch-form")
    page.click("form button.primary:has-text('生成')")
    page.wait_for_load_state("networkidle")
    incomplete = page.locator("#incomplete li")
    assert incomplete.count() == 1
    listed = incomplete.inner_text()
    assert INCOMPLETE in listed and "推荐单位公示" in listed and "公示开始日期" in listed
    shot(page, "41-batch-incomplete-listed")
    with page.expect_download() as caught:
        page.click("button:has-text('跳过以上1份，生成其余3份')")
    download = caught.value
    assert download.suggested_filename == "推荐单位公示、个人承诺书_2人.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    printed = []
    for text in (re.sub(r"\s+", "", p.extract_text() or "") for p in pdf.pages):
        title = "推荐单位公示" if text.startswith("推荐单位公示") else text[:5]
        printed.append((title, COMPLETE if COMPLETE in text else INCOMPLETE))
    # Per person, 公示 then 承诺书; of the incomplete one only the 承诺书.
    expected = {
        COMPLETE: [("推荐单位公示", COMPLETE), ("个人承诺书", COMPLETE)],
        INCOMPLETE: [("个人承诺书", INCOMPLETE)],
    }
    assert printed == [doc for name in people for doc in expected[name]]


def test_a_documents_preview_keeps_blanks_and_offers_word(page, live_server):
    login(page, live_server, "ruoqiang")
    page.goto(f"{live_server}/applications/?q={COMPLETE}")
    page.click(f"a:has-text('{COMPLETE}')")
    app_id = re.search(r"/applications/(\d+)/", page.url).group(1)
    page.goto(f"{live_server}/documents/{app_id}/")
    ready = page.locator("td", has_text="可以生成").count()
    assert ready >= 3 and page.locator("a:has-text('下载 Word')").count() == ready
    shot(page, "42-documents-of-one-application")
    page.goto(f"{live_server}/documents/{app_id}/publicity")
    sheet = page.locator(".sheet")
    assert sheet.locator("p.sign").inner_text().startswith("签字：（")
    assert page.locator("a:has-text('下载 Word')").count() == 1
    shot(page, "43-publicity-preview")
    page.goto(f"{live_server}/documents/{app_id}/catalog")
    date = page.locator(".sheet p.date").inner_text()
    assert re.fullmatch(r"\d{4}年\u3000\u3000月\u3000\u3000日", date)  # room to write by hand
    box = page.locator(".sheet p.date span.blank").first.bounding_box()
    assert box is not None and box["width"] > 20  # two ideographic spaces, not one gap
    shot(page, "44-catalog-preview")
