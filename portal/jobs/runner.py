"""The job API: register a handler, submit a job, report progress; run and recover jobs.

A job is a row of the `job` table (state and progress, read by every worker process) plus a
task on the queue (portal.jobs.queue) that carries only its id. Whichever consumer takes the
task claims the row (queued -> running, one UPDATE, so a job runs once however often it was
queued), calls the handler registered for its kind, and writes the result into the jobs
folder, which every worker reads. A worker that dies stops the job's heartbeat; `sweep` then
queues it again, so a restart loses no job.

A handler is a function of a `JobContext`::

    @runner.handler("documents.batch")
    def render_batch(ctx: runner.JobContext) -> None:
        for item in ctx.params["ids"]:
            ...
            ctx.step()
        with ctx.output(".pdf").open("wb") as out:
            ...
        ctx.finish("公示_4人.pdf", "application/pdf")
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from portal import memory
from portal.auth.models import User
from portal.extensions import db
from portal.jobs.models import Job
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

#: Finished jobs and their files are deleted after this long (JOBS_LIFETIME_SECONDS).
DEFAULT_LIFETIME_SECONDS = 24 * 3600
#: A running job whose heartbeat is older than this was lost with its worker (JOBS_STALE_SECONDS).
DEFAULT_STALE_SECONDS = 300
#: A job lost this many times is given up.
MAX_ATTEMPTS = 3
#: Progress is written at most this often (seconds), and always at the end.
REPORT_INTERVAL = 0.5

FAILED_MESSAGE = "生成失败：服务器内部错误，已记录。请稍后重试，或分批生成。"
LOST_MESSAGE = "生成失败：后台任务多次中断（服务器重启或内存不足），请分批生成。"

Handler = Callable[["JobContext"], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind` (at import of the module defining it)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def jobs_folder(app: Flask | None = None) -> Path:
    """Where results are written: JOBS_FOLDER, by default the instance folder's `jobs`."""
    app = app or current_app
    folder = Path(app.config.get("JOBS_FOLDER") or Path(app.instance_path) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def submit(
    kind: str,
    *,
    owner: User,
    params: dict,
    total: int,
    title: str,
    detail: str = "",
    office_id: int | None = None,
) -> Job:
    """Store a job and put it on the queue; commits the session (a consumer must see the row).

    `params` is plain JSON data for the handler; `total` is the number of steps it reports.
    """
    if kind not in HANDLERS:
        raise LookupError(f"no handler for job kind {kind!r}")
    job = Job(
        id=secrets.token_urlsafe(16),
        kind=kind,
        title=title,
        detail=detail,
        owner_id=owner.id,
        office_id=office_id,
        params=params,
        total=total,
    )
    db.session.add(job)
    db.session.commit()
    try:
        current_app.extensions["portal_jobs"].enqueue(job.id)
    except Exception:  # the queue's storage is down: the job waits, and `sweep` queues it
        log.exception("job %s stored but not queued; the sweep will queue it", job.id)
    return job


def get_job(job_id: str, owner: User) -> Job | None:
    """The job if `owner` started it, else None (another user's job is not theirs to see)."""
    job = db.session.get(Job, job_id)
    return job if job is not None and job.owner_id == owner.id else None


def result_path(job: Job) -> Path | None:
    """The finished job's file, if it is there."""
    if job.status != "done" or not job.file_name:
        return None
    path = jobs_folder() / job.file_name
    return path if path.is_file() else None


@dataclass
class JobContext:
    """What a handler gets: the job, its parameters, and ways to report progress and results."""

    job: Job
    done: int = 0
    problems: list[tuple[str, list[str]]] = field(default_factory=list)
    skipped: list[tuple[str, list[str]]] = field(default_factory=list)
    _output: Path | None = None
    _result: tuple[str, str] | None = None
    _reported_at: float = 0.0

    @property
    def params(self) -> dict:
        """The plain data the job was submitted with."""
        return self.job.params

    def step(self, count: int = 1) -> None:
        """Count `count` steps done; written (with the heartbeat) at most every half second."""
        self.done = min(self.done + count, self.job.total)
        now = time.monotonic()
        if now - self._reported_at >= REPORT_INTERVAL or self.done == self.job.total:
            self.heartbeat()

    def heartbeat(self) -> None:
        """Write progress and that the job is alive, in its own transaction.

        A separate connection, so the handler's session (an open cursor streaming rows, say)
        is not committed under it; the session never changes the job row while the handler
        runs, or this write would wait for the session's lock.
        """
        self._reported_at = time.monotonic()
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # never wait long for a row lock
                    conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(
                    sa.update(Job)
                    .where(Job.id == self.job.id)
                    .values(done=self.done, heartbeat_at=utcnow())
                )
        except sa.exc.OperationalError:  # progress is shown late; the job goes on
            log.warning("progress of job %s not written", self.job.id, exc_info=True)

    def problem(self, label: str, messages: list[str]) -> None:
        """Record an item that could not be made (label: whose, messages: what is missing)."""
        self.problems.append((label, list(messages)))

    def skip(self, label: str, reasons: list[str]) -> None:
        """Record an item left out on the user's word; the job still makes the rest."""
        self.skipped.append((label, list(reasons)))

    def output(self, suffix: str) -> Path:
        """The path to write the result to (suffix such as ".pdf"); kept only on finish()."""
        self._output = jobs_folder() / f"{self.job.id}{suffix}.part"
        return self._output

    def finish(self, download_name: str, mimetype: str) -> None:
        """The result written to output() is complete: it downloads as `download_name`."""
        if self._output is None or not self._output.is_file():
            raise RuntimeError("finish() before the output was written")
        self._result = (download_name, mimetype)

    def discard_output(self) -> None:
        """Delete a partly written result."""
        if self._output is not None:
            self._output.unlink(missing_ok=True)


def _claim(job_id: str) -> bool:
    """Mark a queued job as running; False when another consumer has it or it is finished."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def execute(job_id: str) -> None:
    """Run one job to its end (done, missing or failed); the queue's task. Never raises."""
    if not _claim(job_id):
        return
    try:
        _execute(job_id)
    finally:
        memory.release()


def _execute(job_id: str) -> None:
    """Run a claimed job."""
    job = db.session.get(Job, job_id)
    if job is None:  # deleted meanwhile
        return
    context = JobContext(job)
    try:
        run = HANDLERS[job.kind]
        run(context)
    except Exception:  # the owner sees a message; the log has the traceback
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        context.discard_output()
        _end(job_id, status="failed", error=FAILED_MESSAGE)
        return
    if context._result is not None and context._output is not None:
        final = context._output.with_suffix("")  # drop ".part"
        context._output.replace(final)
        download_name, mimetype = context._result
        job.file_name, job.download_name, job.mimetype = final.name, download_name, mimetype
        job.status = "done"
    else:
        context.discard_output()
        job.status = "missing" if context.problems else "failed"
        job.error = "" if context.problems else FAILED_MESSAGE
    job.done = context.done
    job.problems = [[label, messages] for label, messages in context.problems]
    job.skipped = [[label, reasons] for label, reasons in context.skipped]
    job.finished_at = utcnow()
    db.session.commit()


def _end(job_id: str, **values) -> None:
    """Finish a job with these values, in a fresh transaction."""
    db.session.execute(
        sa.update(Job).where(Job.id == job_id).values(finished_at=utcnow(), **values)
    )
    db.session.commit()


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Queue again the jobs lost with a worker, and delete finished jobs past their lifetime.

    Every consumer runs this now and then (several at once do no harm: each change is one
    conditional UPDATE). Returns how many jobs were requeued, given up and deleted.
    """
    now = now or utcnow()
    stale = now - timedelta(seconds=_setting("JOBS_STALE_SECONDS", DEFAULT_STALE_SECONDS))
    queue = current_app.extensions["portal_jobs"]
    counts = {"requeued": 0, "failed": 0, "deleted": 0}
    lost = db.session.execute(
        sa.select(Job.id, Job.attempts).where(Job.status == "running", Job.heartbeat_at < stale)
    ).all()
    for job_id, attempts in lost:
        values = (
            {"status": "failed", "error": LOST_MESSAGE, "finished_at": now}
            if attempts >= MAX_ATTEMPTS
            else {"status": "queued", "done": 0, "heartbeat_at": now}
        )
        result = db.session.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.status == "running", Job.heartbeat_at < stale)
            .values(**values)
        )
        db.session.commit()
        if result.rowcount == 1 and values["status"] == "queued":
            queue.enqueue(job_id)
            counts["requeued"] += 1
        elif result.rowcount == 1:
            counts["failed"] += 1
    # Queued long ago and never taken (the queue lost it, or it was stored but not queued).
    waiting = db.session.scalars(
        sa.select(Job.id).where(
            Job.status == "queued",
            Job.created_at < stale,
            sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale),
        )
    ).all()
    for job_id in waiting:
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(heartbeat_at=now))
        db.session.commit()
        queue.enqueue(job_id)
        counts["requeued"] += 1
    lifetime = timedelta(seconds=_setting("JOBS_LIFETIME_SECONDS", DEFAULT_LIFETIME_SECONDS))
    old = db.session.scalars(
        sa.select(Job)
        .where(Job.status.in_(("done", "missing", "failed")))
        .where(Job.finished_at < now - lifetime)
    ).all()
    folder = jobs_folder()
    for job in old:
        for path in folder.glob(f"{job.id}*"):
            path.unlink(missing_ok=True)
        db.session.delete(job)
        counts["deleted"] += 1
    db.session.commit()
    return counts
