"""Reading bounds beside the import's own tests: entity tricks, truncation, the page, 413."""

from __future__ import annotations

import io
import re

import pytest

from portal.rosters.reading import MAX_ROWS, RosterFileError
from portal.rosters.reading import read_workbook as read_rows
from tests.conftest import csrf_token
from tests.rosters.helpers import roster_workbook
from tests.rosters.test_import_reading import HEADER_ROW, applicants, sheet_xml, with_sheet

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE worksheet ['
    '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&h;</t></is></c></row></sheetData></worksheet>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名&x;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_tricks_in_a_sheet_are_refused_as_an_unreadable_file(xml):
    with pytest.raises(RosterFileError, match="无法读取该文件"):
        read_rows(with_sheet(xml))


@pytest.mark.parametrize("cut", [10, 100, 600, -40])
def test_a_truncated_workbook_is_refused_as_an_unreadable_file(cut):
    data = roster_workbook([["买买提·艾力", "652824198603140011"]], header=["姓名", "身份证号"])
    with pytest.raises(RosterFileError, match="无法读取该文件"):
        read_rows(data[:cut])


def test_a_broken_upload_is_answered_at_the_page_not_with_a_500(client, auth, world):
    auth.login()
    campaign = world.campaigns["bz-culture-2021"]
    for data in (
        with_sheet(BILLION_LAUGHS),
        with_sheet(sheet_xml(HEADER_ROW + applicants(MAX_ROWS + 1))),
    ):
        resp = client.post(
            "/rosters/import",
            data={
                "csrf_token": csrf_token(client, "/rosters/import"),
                "campaign": campaign.id,
                "file": (io.BytesIO(data), "花名册.xlsx"),
            },
            content_type="multipart/form-data",
        )
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        assert re.search("无法读取该文件|一次最多导入", html)


def test_a_request_larger_than_the_app_limit_is_refused_with_413(client, auth, world, app):
    auth.login()
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    resp = client.post(
        "/rosters/import",
        data=b"-" * size,
        content_type="multipart/form-data; boundary=x",
        headers={"X-CSRFToken": csrf_token(client, "/rosters/import")},
    )
    assert resp.status_code == 413
    assert "上传的文件过大" in resp.get_data(as_text=True)
