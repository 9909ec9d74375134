"""Batches (issue 13): several kinds per person in order, skipping the incomplete, Word, POST."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from portal.applications.models import Application
from portal.documents.pdf import pdf_text
from tests.conftest import readable
from tests.documents.test_documents import PARTY, compact, fill, start_batch
from tests.factories import make_application

NAMES = ("阿依古丽·叶尔肯", "马福军", "李海燕")


@pytest.fixture
def three(app, world) -> list[Application]:
    """Three filled 002 applications of office A; the last has no publicity start date."""
    with app.app_context():
        apps = [
            fill(make_application(world.office_a, world.unit_a, world.campaigns[PARTY], n, seq=i))
            for i, n in enumerate(NAMES, start=1)
        ]
        fill(apps[2], publicity={"start": ""})
        return list(readable(*apps))


def documents_of(pdf: bytes) -> list[tuple[str, str]]:
    """(title, applicant) of each page of a merged batch of one-page documents."""
    out = []
    for page in pdf_text(pdf).split("\f"):
        text = compact(page)
        title = "推荐单位公示" if text.startswith("推荐单位公示") else text[:5]
        name = next((n for n in NAMES if n in text), "")
        out.append((title, name))
    return out


def test_one_batch_holds_two_kinds_per_person_in_order(client, auth, three) -> None:
    auth.login()
    response = start_batch(client, [a.id for a in three[:2]], ["publicity", "commitment"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert documents_of(response.data) == [
        ("推荐单位公示", NAMES[0]),
        ("个人承诺书", ""),  # 002's commitment is signed by hand: no name printed
        ("推荐单位公示", NAMES[1]),
        ("个人承诺书", ""),
    ]
    disposition = response.headers["Content-Disposition"]
    assert "2%E4%BA%BA.pdf" in disposition  # …_2人.pdf


def test_the_incomplete_are_listed_with_the_reason_then_skipped(client, auth, three) -> None:
    auth.login()
    ids = [a.id for a in three]
    asked = start_batch(client, ids, ["publicity", "commitment"])
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    listed = re.findall(r'data-application="(\d+)" data-kind="([\w-]+)"', html)
    assert listed == [(str(three[2].id), "publicity")]  # only the document that lacks data
    assert "李海燕" in html and "缺少公示开始日期（公示与推荐）" in html
    assert "跳过以上1份，生成其余5份" in html
    printed = start_batch(client, ids, ["publicity", "commitment"], skip=True)
    assert printed.status_code == 200
    assert documents_of(printed.data) == [
        ("推荐单位公示", NAMES[0]),
        ("个人承诺书", ""),
        ("推荐单位公示", NAMES[1]),
        ("个人承诺书", ""),
        ("个人承诺书", ""),  # 李海燕's commitment needs no publicity date
    ]


def test_nothing_to_print_is_said_and_nothing_offered(client, auth, three) -> None:
    auth.login()
    response = start_batch(client, [three[2].id], ["publicity-result"], skip=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "没有可以生成的文书" in html and "跳过以上" not in html


def test_a_batch_as_word_merged_and_as_a_zip(client, auth, three) -> None:
    auth.login()
    ids = [a.id for a in three[:2]]
    merged = start_batch(client, ids, ["publicity", "commitment"], fmt="docx")
    assert merged.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(merged.data))
    assert len(document.sections) == 4  # one per document, each numbered from 1
    titles = [p.text for p in document.paragraphs if p.text in ("推荐单位公示", "个人承诺书")]
    assert titles == ["推荐单位公示", "个人承诺书"] * 2
    packed = start_batch(client, ids, ["commitment"], "zip", fmt="docx")
    names = sorted(zipfile.ZipFile(io.BytesIO(packed.data)).namelist())
    assert names == [f"若羌县文化馆_{n}_个人承诺书.docx" for n in sorted(NAMES[:2])]
    combined = start_batch(client, ids, ["publicity"], "combined", fmt="docx")
    text = "".join(p.text for p in docx.Document(io.BytesIO(combined.data)).paragraphs)
    assert "阿依古丽·叶尔肯、马福军等2名同志" in text


def test_a_combined_notice_holds_the_publicity_only(client, auth, three) -> None:
    auth.login()
    ids = [a.id for a in three[:2]]
    response = start_batch(client, ids, ["publicity", "commitment"], "combined")
    assert response.status_code == 400
    assert "多人合并公示只适用于推荐单位公示" in response.get_data(as_text=True)


def test_starting_a_batch_is_a_post_and_no_token_travels_in_a_url(client, auth, three) -> None:
    auth.login()
    assert client.get(f"/documents/batch/start?ids={three[0].id}").status_code == 405
    refused = client.post(
        "/documents/batch/start", data={"ids": [str(three[0].id)], "kinds": ["commitment"]}
    )
    # Without the form's CSRF token: sent back to a safe page, nothing printed.
    assert refused.status_code in (302, 303) and refused.mimetype != "application/pdf"
    listing = client.get("/applications/").get_data(as_text=True)
    button = re.search(r"<button[^>]*documents/batch[^>]*>打印文书</button>", listing)
    assert button and "formmethod" not in button.group(0)  # posts with the list's form
    form = client.get(f"/documents/batch?ids={three[0].id}").get_data(as_text=True)
    assert re.search(r'<form[^>]*method="post"[^>]*action="/documents/batch/start"', form)


def test_the_lists_selection_opens_the_batch_form(client, auth, three) -> None:
    auth.login()
    listing = client.get("/applications/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    response = client.post(
        "/documents/batch",
        data={"csrf_token": token, "ids": [str(a.id) for a in three[:2]]},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert NAMES[0] in html and NAMES[1] in html and NAMES[2] not in html
    assert "csrf_token=" not in response.request.url
