"""Large batches run as background jobs with progress; only their owner may download."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.documents import jobs
from portal.documents.batch import BatchSpec, plan_batch, write_batch
from portal.documents.pdf import embedded_fonts, page_count, pdf_text
from portal.documents.render import render_pdf
from portal.extensions import db as _db
from portal.jobs.models import Job
from portal.offices.models import RecommendingUnit
from tests.conftest import readable
from tests.documents.test_documents import PARTY, compact, fill, start_batch, text_of
from tests.factories import make_application

#: The audit entries of document exports (loading the campaigns is audited too).
EXPORTS = sa.select(AuditEntry).where(AuditEntry.action == "document_export")

NAMES = ("阿依古丽·叶尔肯", "马福军", "李海燕", "买买提·艾力")


@pytest.fixture
def apps(app, world) -> list[Application]:
    """Four filled 002 applications of office A; batches over 2 run in the background."""
    app.config["DOCUMENT_BATCH_BACKGROUND_THRESHOLD"] = 2
    with app.app_context():
        _db.session.get(RecommendingUnit, world.unit_a.id).objection_office = "若羌县文化馆办公室"
        made = [
            fill(
                make_application(world.office_a, world.unit_a, world.campaigns[PARTY], name, seq=i)
            )
            for i, name in enumerate(NAMES, start=1)
        ]
        return list(readable(*made))


def start(
    client, apps: list[Application], kind: str, mode: str, *, total: int | None = None
) -> Job:
    """Submit a batch, check it answered with the progress page, and run the queue.

    `total`: the documents it makes (when the clerk skips incomplete ones), else one each.
    """
    response = start_batch(client, [a.id for a in apps], [kind], mode, skip=total is not None)
    assert response.status_code == 303
    location = response.headers["Location"]
    progress = client.get(location)
    assert progress.status_code == 200
    html = progress.get_data(as_text=True)
    assert "排队中" in html and f"已生成 0/{len(apps) if total is None else total}" in html
    return run_queue(client.application, location.rstrip("/").rsplit("/", 1)[-1])


def run_queue(app, job_id: str) -> Job:
    """Run the queued job (as a consumer would) and read its row."""
    with app.app_context():
        assert app.extensions["portal_jobs"].run_pending() == 1
        job = _db.session.get(Job, job_id)
        assert job is not None
        return readable(job)


def job_count(app) -> int:
    """How many jobs are stored."""
    with app.app_context():
        return _db.session.scalar(sa.select(sa.func.count()).select_from(Job))


def test_a_large_batch_runs_in_the_background(app, client, auth, world, apps) -> None:
    auth.login()
    job = start(client, apps, "publicity", "merged")
    assert job.status == "done", (job.error, job.problems)
    status = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"})
    html = status.get_data(as_text=True)
    assert "已生成 4/4" in html and "hx-trigger" not in html  # finished: no more polling
    assert f"/jobs/{job.id}/download" in html
    download = client.get(f"/jobs/{job.id}/download")
    data = download.get_data()
    download.close()  # send_file streams the file from the instance folder
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert page_count(data) == 4
    text = text_of(data)
    assert all(name in text for name in NAMES)
    disposition = download.headers["Content-Disposition"]
    assert quote("推荐单位公示_4人.pdf") in disposition
    assert (Path(app.instance_path) / "jobs" / job.file_name).is_file()
    with app.app_context():
        entry = _db.session.scalars(EXPORTS).one()
        assert entry.rows == 4 and entry.detail["申报人"] == list(NAMES)
        assert entry.user_id == world.clerk_a.id and entry.detail["后台生成"] is True


def test_a_large_zip_batch(client, auth, world, apps) -> None:
    auth.login()
    job = start(client, apps, "publicity", "zip")
    assert job.status == "done", (job.error, job.problems)
    download = client.get(f"/jobs/{job.id}/download")
    data = download.get_data()
    download.close()
    assert download.mimetype == "application/zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == sorted(f"若羌县文化馆_{n}_推荐单位公示.pdf" for n in NAMES)


def test_only_the_owner_sees_the_job(client, auth, world, apps) -> None:
    auth.login()
    job = start(client, apps, "commitment", "merged")
    auth.logout()
    auth.login("clerk_b", "password-b")
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    auth.logout()
    auth.login("admin", "password-admin")
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    assert client.get("/jobs/no-such-job").status_code == 404


def test_an_incomplete_application_is_skipped_when_the_clerk_says_so(
    app, client, auth, world, apps
) -> None:
    with app.app_context():
        empty = make_application(
            world.office_a, world.unit_a, world.campaigns[PARTY], name="艾尔肯·吐尔逊", seq=9
        )
        _db.session.commit()
        readable(empty)
    auth.login()
    before = job_count(app)
    asked = start_batch(client, [a.id for a in [*apps, empty]], ["publicity"])
    assert asked.status_code == 422  # listed first, nothing started
    html = asked.get_data(as_text=True)
    assert "艾尔肯·吐尔逊" in html and "公示开始日期（公示与推荐）" in html
    assert "跳过以上1份，生成其余4份" in html
    assert job_count(app) == before
    job = start(client, [*apps, empty], "publicity", "merged", total=4)
    assert job.status == "done" and job.total == 4
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "艾尔肯·吐尔逊" in html and "没有生成" in html
    download = client.get(f"/jobs/{job.id}/download")
    data = download.get_data()
    download.close()
    assert page_count(data) == 4 and "艾尔肯·吐尔逊" not in text_of(data)
    with app.app_context():
        entry = _db.session.scalars(EXPORTS).one()
        # In words (issue 11): unit, name and document of what was left out.
        assert entry.detail["跳过"] == ["若羌县文化馆 · 艾尔肯·吐尔逊 · 《推荐单位公示》"]


def test_data_that_goes_missing_before_the_job_runs_is_listed(
    app, client, auth, world, apps
) -> None:
    # Planned complete, incomplete when the job renders (and no skip asked): nothing half
    # printed, the problem listed.
    with app.app_context():
        fill(_db.session.get(Application, apps[2].id), publicity={"start": ""})
        found = [_db.session.get(Application, a.id) for a in apps]
        owner = _db.session.get(type(world.clerk_a), world.clerk_a.id)
        spec = BatchSpec(tuple(a.id for a in apps), ("publicity",))
        job_id = jobs.start_batch(spec, found, owner, total=4).id
    job = run_queue(app, job_id)
    assert job.status == "missing" and job.file_name == ""
    auth.login()
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert NAMES[2] in html and "公示开始日期（公示与推荐）" in html
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    with app.app_context():
        assert _db.session.scalars(EXPORTS).all() == []


def test_a_running_job_polls_every_second(app, client, auth, world, apps) -> None:
    with app.app_context():
        _db.session.add(
            Job(
                id="running-job",
                kind=jobs.JOB_KIND,
                title="批量生成《推荐单位公示》",
                owner_id=world.clerk_a.id,
                office_id=world.office_a.id,
                params=BatchSpec(tuple(a.id for a in apps), ("publicity",)).params(),
                total=200,
                done=37,
                status="running",
            )
        )
        _db.session.commit()
    auth.login()
    html = client.get("/jobs/running-job").get_data(as_text=True)
    assert "已生成 37/200" in html and 'hx-trigger="every 1s"' in html
    assert "/jobs/running-job/download" not in html
    assert client.get("/jobs/running-job/download").status_code == 404


def test_small_batches_stay_synchronous(client, auth, world, apps) -> None:
    auth.login()
    response = start_batch(client, [a.id for a in apps[:2]], ["commitment"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_count(response.data) == 2


def _font_programs(pdf: bytes) -> set[int]:
    """The embedded font files a PDF's pages use (object numbers)."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for desc in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = desc.get("/FontDescriptor")
                if descriptor is None:
                    continue
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor.get_object():
                        found.add(descriptor.get_object().raw_get(key).idnum)
    return found


def test_a_merged_batch_embeds_each_font_once_not_once_per_document(
    app, client, auth, world, apps
) -> None:
    auth.login()
    job = start(client, apps, "publicity", "merged")
    download = client.get(f"/jobs/{job.id}/download")
    data = download.get_data()
    download.close()
    assert page_count(data) == len(apps)
    faces = {f for f in embedded_fonts(data)}
    assert 0 < len(_font_programs(data)) <= len(faces) < len(apps)


def test_a_merged_batch_numbers_each_long_document_from_one(app, world, apps) -> None:
    # A chunk's documents of one kind are made in one run of the engine; a document of several
    # pages is still numbered 「— 1 —」… on its own and a one-page one not at all, person by
    # person in the order of the kinds: the pages are those each document makes alone.
    with app.app_context():
        long = _db.session.get(Application, apps[1].id)
        fill(long, achievements={"summary": "\n".join(["主持完成教学改革课题一项。"] * 60)})
        found = [_db.session.get(Application, a.id) for a in apps]
        spec = BatchSpec(tuple(a.id for a in apps), ("publicity", "catalog", "commitment"))
        plan = plan_batch(found, spec.kinds)
        out = io.BytesIO()
        write_batch(plan, spec, out)
        alone = [pages_of(render_pdf(a, kind)) for a, kind in plan.items]
    assert len(plan.items) == 12 and len(alone[3]) >= 3  # the long publicity
    assert pages_of(out.getvalue()) == [page for document in alone for page in document]
    numbers = [re.findall(r"—(\d+)—", page) for page in alone[3]]
    assert numbers == [[str(n)] for n in range(1, len(alone[3]) + 1)]


def pages_of(pdf: bytes) -> list[str]:
    """The compacted text of each page."""
    return [compact(page) for page in pdf_text(pdf).split("\f") if page.strip()]
