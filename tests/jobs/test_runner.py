"""The job runner: claimed once, progress, lost jobs queued again, old ones deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db as _db
from portal.jobs import runner
from portal.jobs.models import Job
from portal.jobs.queue import QueueConfigError, make_huey
from portal.timeutil import utcnow

CALLS: list[str] = []


@runner.handler("tests.write")
def write_numbers(ctx: runner.JobContext) -> None:
    """Write the numbers 1..n, one step each; "fail" in params raises halfway."""
    CALLS.append(ctx.job.id)
    path = ctx.output(".txt")
    with path.open("w") as out:
        for i in range(1, ctx.params["n"] + 1):
            if ctx.params.get("fail") and i > ctx.params["n"] // 2:
                raise RuntimeError("boom")
            out.write(f"{i}\n")
            ctx.step()
    if ctx.params.get("missing"):
        ctx.problem("某单位 · 某人", ["缺少公示开始日期"])
        return
    ctx.finish("数字.txt", "text/plain")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def _submit(app, world, **params) -> Job:
    return runner.submit(
        "tests.write",
        owner=world.clerk_a,
        params={"n": 4, **params},
        total=4,
        title="写数字",
        office_id=world.office_a.id,
    )


def _queue(app):
    return app.extensions["portal_jobs"]


def test_a_job_runs_once_even_when_queued_twice(app, db, world) -> None:
    job = _submit(app, world)
    _queue(app).enqueue(job.id)
    assert _queue(app).run_pending() == 2
    _db.session.refresh(job)
    assert CALLS == [job.id]
    assert (job.status, job.done, job.total, job.attempts) == ("done", 4, 4, 1)
    path = runner.result_path(job)
    assert path is not None and path.read_text() == "1\n2\n3\n4\n"
    assert path.parent == runner.jobs_folder(app)
    assert not list(path.parent.glob("*.part"))


def test_a_failing_handler_fails_the_job_and_leaves_no_partial_file(app, db, world) -> None:
    job = _submit(app, world, fail=True)
    _queue(app).run_pending()
    _db.session.refresh(job)
    assert job.status == "failed" and job.error == runner.FAILED_MESSAGE
    assert runner.result_path(job) is None
    assert list(runner.jobs_folder(app).glob(f"{job.id}*")) == []


def test_problems_finish_the_job_as_missing(app, db, world) -> None:
    job = _submit(app, world, missing=True)
    _queue(app).run_pending()
    _db.session.refresh(job)
    assert job.status == "missing" and job.problems == [["某单位 · 某人", ["缺少公示开始日期"]]]
    assert runner.result_path(job) is None


def test_a_job_lost_with_its_worker_is_queued_again_and_finishes(app, db, world) -> None:
    job = _submit(app, world)
    _queue(app).huey.dequeue()  # the worker took the task ...
    job.status, job.done, job.attempts = "running", 2, 1  # ... got halfway and died
    job.heartbeat_at = utcnow() - timedelta(seconds=runner.DEFAULT_STALE_SECONDS + 1)
    _db.session.commit()
    assert runner.sweep() == {"requeued": 1, "failed": 0, "deleted": 0}
    _db.session.refresh(job)
    assert (job.status, job.done) == ("queued", 0)
    assert runner.sweep()["requeued"] == 0  # a fresh heartbeat: not queued twice
    _queue(app).run_pending()
    _db.session.refresh(job)
    assert (job.status, job.attempts) == ("done", 2)


def test_a_running_job_with_a_heartbeat_is_left_alone(app, db, world) -> None:
    job = _submit(app, world)
    job.status, job.heartbeat_at = "running", utcnow()
    _db.session.commit()
    assert runner.sweep()["requeued"] == 0


def test_a_job_lost_again_and_again_is_given_up(app, db, world) -> None:
    job = _submit(app, world)
    job.status, job.attempts = "running", runner.MAX_ATTEMPTS
    job.heartbeat_at = utcnow() - timedelta(hours=1)
    _db.session.commit()
    assert runner.sweep()["failed"] == 1
    _db.session.refresh(job)
    assert job.status == "failed" and job.error == runner.LOST_MESSAGE


def test_a_job_never_taken_from_the_queue_is_queued_again(app, db, world) -> None:
    job = _submit(app, world)
    _queue(app).huey.dequeue()  # lost from the queue
    job.created_at = utcnow() - timedelta(hours=1)
    _db.session.commit()
    assert runner.sweep()["requeued"] == 1
    _queue(app).run_pending()
    _db.session.refresh(job)
    assert job.status == "done"


def test_finished_jobs_and_their_files_are_deleted_after_a_day(app, db, world) -> None:
    old, new = _submit(app, world), _submit(app, world)
    _queue(app).run_pending()
    old_file = runner.result_path(old)
    old.finished_at = utcnow() - timedelta(seconds=runner.DEFAULT_LIFETIME_SECONDS + 60)
    _db.session.commit()
    assert runner.sweep()["deleted"] == 1
    assert _db.session.get(Job, old.id) is None and not old_file.exists()
    assert runner.result_path(_db.session.get(Job, new.id)) is not None


def test_only_the_owner_gets_the_job(app, db, world) -> None:
    job = _submit(app, world)
    assert runner.get_job(job.id, world.clerk_a) is job
    assert runner.get_job(job.id, world.clerk_b) is None
    assert runner.get_job(job.id, world.admin) is None


def test_an_unknown_kind_is_refused_before_anything_is_stored(app, db, world) -> None:
    with pytest.raises(LookupError):
        runner.submit("no.such", owner=world.clerk_a, params={}, total=1, title="x")
    assert _db.session.query(Job).count() == 0


def test_the_queue_lives_in_the_instance_folder_by_default(app, db, tmp_path) -> None:
    app.config["JOBS_QUEUE_URL"] = ""
    app.config["JOBS_FOLDER"] = str(tmp_path / "shared")
    huey = make_huey(app)
    assert huey.storage.filename == str(tmp_path / "shared" / "queue.db")
    app.config["JOBS_QUEUE_URL"] = "amqp://elsewhere"
    with pytest.raises(QueueConfigError, match="JOBS_QUEUE_URL"):
        make_huey(app)


def test_a_job_is_kept_when_the_queue_is_down_and_queued_by_the_sweep(app, db, world) -> None:
    queue = _queue(app)
    real = queue.enqueue

    def down(job_id: str) -> None:
        raise ConnectionError("redis is down")

    queue.enqueue = down
    try:
        job = _submit(app, world)
    finally:
        queue.enqueue = real
    assert job.status == "queued" and queue.run_pending() == 0
    job.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert runner.sweep()["requeued"] == 1
    queue.run_pending()
    db.session.refresh(job)
    assert job.status == "done"


@runner.handler("tests.skip")
def skip_one(ctx: runner.JobContext) -> None:
    """Leave the first item out, write the rest."""
    ctx.skip("某单位 · 某人《个人承诺书》", ["缺少签字日期"])
    ctx.output(".txt").write_text("2\n")
    ctx.step(2)
    ctx.finish("其余.txt", "text/plain")


def test_items_left_out_on_the_users_word_are_shown_with_the_file(app, db, world) -> None:
    job = runner.submit("tests.skip", owner=world.clerk_a, params={}, total=2, title="跳过")
    _queue(app).run_pending()
    db.session.refresh(job)
    assert job.status == "done" and job.skipped == [
        ["某单位 · 某人《个人承诺书》", ["缺少签字日期"]]
    ]
    with app.test_request_context():
        from flask import render_template

        html = render_template("jobs/_status.html", job=job)
    assert "按您的选择" in html and "缺少签字日期" in html and "/download" in html
