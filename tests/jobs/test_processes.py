"""Jobs across processes: started on one server, run by a separate consumer, downloaded from
another server — the deployment with several workers (or several servers) that share the
database, the queue and the jobs folder."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal import create_app
from portal.extensions import db
from tests.documents.test_documents import PARTY, fill
from tests.factories import make_application, make_world
from tests.serving import (
    Client,
    Server,
    have_gunicorn,
    portal_env,
    start_consumer,
    stop_process,
)

pytestmark = pytest.mark.skipif(not have_gunicorn(), reason="needs gunicorn (Linux)")

NAMES = ("阿依古丽·叶尔肯", "马福军", "李海燕")


@pytest.fixture
def shared(tmp_path: Path):
    """A database with three filled applications, and the settings every process shares."""
    configured = os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI", "")
    uri = configured if configured.startswith("postgresql") else f"sqlite:///{tmp_path / 'p.db'}"
    setup = create_app({"TESTING": True, "SECRET_KEY": "setup", "SQLALCHEMY_DATABASE_URI": uri})
    with setup.app_context():
        db.create_all()
        world = make_world()
        world.unit_a.objection_office = "若羌县文化馆办公室"
        ids = [
            fill(
                make_application(world.office_a, world.unit_a, world.campaigns[PARTY], n, seq=i)
            ).id
            for i, n in enumerate(NAMES, start=1)
        ]
        db.session.commit()
    settings = {
        "JOBS_FOLDER": tmp_path / "shared",
        "JOBS_QUEUE_URL": f"sqlite:///{tmp_path / 'shared' / 'queue.db'}",
        "JOBS_CONSUMER_THREADS": 0,
        "DOCUMENT_BATCH_BACKGROUND_THRESHOLD": 2,
    }
    yield uri, settings, ids
    with setup.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _wait_for(client: Client, path: str, text: str, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, data, _ = client.get(path)
        html = data.decode()
        assert status == 200, (status, html[:500])
        if text in html:
            return html
        time.sleep(0.5)
    raise AssertionError(f"{path} never showed {text!r}; last: {html[:800]}")


def test_a_job_started_on_one_server_is_run_by_the_consumer_and_downloaded_from_another(
    shared, tmp_path
) -> None:
    uri, settings, ids = shared
    env_a = portal_env(uri, tmp_path / "instance-a", **settings)
    env_b = portal_env(uri, tmp_path / "instance-b", **settings)
    env_c = portal_env(uri, tmp_path / "instance-c", **settings)
    a = Server("wsgi:app", env_a, workers=1, threads=2, log=tmp_path / "a.log")
    b = Server("wsgi:app", env_b, workers=1, threads=2, log=tmp_path / "b.log")
    with a, b, Client(a.port) as on_a, Client(b.port) as on_b, Client(a.port) as other:
        on_a.login("clerk_a", "password-a")
        page = f"/documents/batch?ids={','.join(map(str, ids))}"
        fields = [("ids", str(i)) for i in ids] + [("kinds", "publicity"), ("mode", "merged")]
        status, _, response = on_a.post("/documents/batch/start", fields, token_from=page)
        assert status == 303
        job_path = response.getheader("Location").removeprefix(a.url)
        assert job_path.startswith("/jobs/")
        # The same login on server B (the session cookie is signed with the shared key).
        on_b.cookies = dict(on_a.cookies)
        html = _wait_for(on_b, job_path, "排队中")  # no consumer runs yet: the job waits
        assert f"已生成 0/{len(ids)}" in html
        consumer = start_consumer(env_c, tmp_path / "consumer.log")
        try:
            html = _wait_for(on_b, job_path, "已完成")
        finally:
            stop_process(consumer)
        assert f"已生成 {len(ids)}/{len(ids)}" in html
        status, data, response = on_b.get(job_path + "/download")
        assert status == 200 and response.getheader("Content-Type") == "application/pdf"
        assert len(PdfReader(io.BytesIO(data)).pages) == len(ids)
        assert (tmp_path / "shared").is_dir() and not (tmp_path / "instance-c" / "jobs").exists()
        # Another user of server A may not see it.
        other.login("clerk_b", "password-b")
        assert other.get(job_path)[0] == 404
        assert other.get(job_path + "/download")[0] == 404
