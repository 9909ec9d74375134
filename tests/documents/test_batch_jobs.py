"""Large batches run in a background thread with progress; only their owner may download."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.documents import jobs
from portal.documents.batch import BatchSpec
from portal.documents.pdf import page_count
from portal.extensions import db as _db
from portal.offices.models import RecommendingUnit
from tests.conftest import readable
from tests.documents.test_documents import PARTY, fill, start_batch, text_of
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
) -> jobs.BatchJob:
    """Submit a batch, check it answered with the progress page, and wait for its thread.

    `total`: the documents it makes (when the clerk skips incomplete ones), else one each.
    """
    response = start_batch(client, [a.id for a in apps], [kind], mode, skip=total is not None)
    assert response.status_code == 303
    location = response.headers["Location"]
    progress = client.get(location)
    assert progress.status_code == 200
    html = progress.get_data(as_text=True)
    assert "已生成" in html and f"/{len(apps) if total is None else total}" in html
    job = jobs.get_job(location.rstrip("/").rsplit("/", 1)[-1])
    assert job is not None and job.thread is not None
    job.thread.join(timeout=300)
    assert not job.thread.is_alive()
    return job


def test_a_large_batch_runs_in_the_background(app, client, auth, world, apps) -> None:
    auth.login()
    job = start(client, apps, "publicity", "merged")
    assert job.status == "done", (job.error, job.problems)
    status = client.get(f"/documents/jobs/{job.id}", headers={"HX-Request": "true"})
    html = status.get_data(as_text=True)
    assert "已生成 4/4" in html and "hx-trigger" not in html  # finished: no more polling
    assert f"/documents/jobs/{job.id}/download" in html
    download = client.get(f"/documents/jobs/{job.id}/download")
    data = download.get_data()
    download.close()  # send_file streams the file from the instance folder
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert page_count(data) == 4
    text = text_of(data)
    assert all(name in text for name in NAMES)
    disposition = download.headers["Content-Disposition"]
    assert quote("推荐单位公示_4人.pdf") in disposition
    assert job.path is not None and job.path.parent.name == jobs.JOB_FOLDER
    with app.app_context():
        entry = _db.session.scalars(EXPORTS).one()
        assert entry.rows == 4 and entry.detail["申报人"] == list(NAMES)
        assert entry.user_id == world.clerk_a.id and entry.detail["后台生成"] is True


def test_a_large_zip_batch(client, auth, world, apps) -> None:
    auth.login()
    job = start(client, apps, "publicity", "zip")
    assert job.status == "done", (job.error, job.problems)
    download = client.get(f"/documents/jobs/{job.id}/download")
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
    assert client.get(f"/documents/jobs/{job.id}").status_code == 404
    assert client.get(f"/documents/jobs/{job.id}/download").status_code == 404
    auth.logout()
    auth.login("admin", "password-admin")
    assert client.get(f"/documents/jobs/{job.id}/download").status_code == 404
    assert client.get("/documents/jobs/no-such-job").status_code == 404


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
    before = set(jobs._jobs)
    asked = start_batch(client, [a.id for a in [*apps, empty]], ["publicity"])
    assert asked.status_code == 422  # listed first, nothing started
    html = asked.get_data(as_text=True)
    assert "艾尔肯·吐尔逊" in html and "公示开始日期（公示与推荐）" in html
    assert "跳过以上1份，生成其余4份" in html
    assert set(jobs._jobs) == before
    job = start(client, [*apps, empty], "publicity", "merged", total=4)
    assert job.status == "done" and job.total == 4
    html = client.get(f"/documents/jobs/{job.id}").get_data(as_text=True)
    assert "艾尔肯·吐尔逊" in html and "没有生成" in html
    download = client.get(f"/documents/jobs/{job.id}/download")
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
        job = jobs.start_job(
            BatchSpec(tuple(a.id for a in apps), ("publicity",)),
            _db.session.get(type(world.clerk_a), world.clerk_a.id),
            total=4,
            office_id=world.office_a.id,
            title="推荐单位公示",
        )
    job.thread.join(timeout=300)
    assert job.status == "missing" and job.path is None
    auth.login()
    html = client.get(f"/documents/jobs/{job.id}").get_data(as_text=True)
    assert NAMES[2] in html and "公示开始日期（公示与推荐）" in html
    assert client.get(f"/documents/jobs/{job.id}/download").status_code == 404
    with app.app_context():
        assert _db.session.scalars(EXPORTS).all() == []


def test_a_running_job_polls_every_second(client, auth, world, apps) -> None:
    job = jobs.BatchJob(
        id="running-job",
        owner_id=world.clerk_a.id,
        spec=BatchSpec(tuple(a.id for a in apps), ("publicity",)),
        office_id=world.office_a.id,
        total=200,
        done=37,
        status="running",
    )
    jobs._jobs[job.id] = job
    try:
        auth.login()
        html = client.get("/documents/jobs/running-job").get_data(as_text=True)
        assert "已生成 37/200" in html and 'hx-trigger="every 1s"' in html
        assert "/documents/jobs/running-job/download" not in html
        assert client.get("/documents/jobs/running-job/download").status_code == 404
    finally:
        jobs._jobs.pop(job.id, None)


def test_small_batches_stay_synchronous(client, auth, world, apps) -> None:
    auth.login()
    response = start_batch(client, [a.id for a in apps[:2]], ["commitment"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_count(response.data) == 2
