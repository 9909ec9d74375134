"""Large document batches in a background thread, with progress, so no request times out.

The registry is in-process: the portal runs as one server process (see portal.config).
Each job renders in its own thread with its own app context and database session, and
writes the merged PDF or the ZIP under the instance folder for its owner to download.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from portal.applications.models import Application
from portal.auth.models import User
from portal.documents.batch import (
    SUFFIX,
    BatchFailed,
    BatchSpec,
    download_name,
    mimetype,
    plan_batch,
    record_export,
    write_batch,
)
from portal.extensions import db

log = logging.getLogger(__name__)

#: Batches larger than this run in the background (DOCUMENT_BATCH_BACKGROUND_THRESHOLD).
DEFAULT_THRESHOLD = 20
#: Finished jobs and their files are dropped after this many seconds.
JOB_LIFETIME_SECONDS = 24 * 3600
JOB_FOLDER = "document_jobs"

STATUS_LABELS = {
    "queued": "排队中",
    "running": "正在生成",
    "done": "已完成",
    "missing": "缺少信息，未生成",
    "failed": "生成失败",
}


@dataclass
class BatchJob:
    """One background batch: who asked, what for, and how far it got."""

    id: str
    owner_id: int
    spec: BatchSpec
    office_id: int | None
    total: int
    title: str = ""
    done: int = 0
    status: str = "queued"
    error: str = ""
    #: (whose document, what is missing) of documents that could not be made.
    problems: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Documents left out as the clerk chose (whose document, why).
    skipped: list[tuple[str, list[str]]] = field(default_factory=list)
    path: Path | None = None
    download_name: str = ""
    mimetype: str = "application/pdf"
    created: float = field(default_factory=time.time)
    thread: threading.Thread | None = None

    @property
    def application_ids(self) -> list[int]:
        """The applications of the batch."""
        return list(self.spec.ids)

    @property
    def finished(self) -> bool:
        """Whether the thread has nothing more to do."""
        return self.status in ("done", "missing", "failed")

    @property
    def status_label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def percent(self) -> int:
        """Progress in whole percent."""
        return int(100 * self.done / self.total) if self.total else 100


_jobs: dict[str, BatchJob] = {}
_lock = threading.Lock()


def threshold(app: Flask | None = None) -> int:
    """The most documents a batch renders within the request."""
    config = (app or current_app).config
    return int(config.get("DOCUMENT_BATCH_BACKGROUND_THRESHOLD", DEFAULT_THRESHOLD))


def job_folder(app: Flask) -> Path:
    """Where job outputs are written: instance/document_jobs."""
    folder = Path(app.instance_path) / JOB_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def get_job(job_id: str) -> BatchJob | None:
    """A job by id, or None."""
    with _lock:
        return _jobs.get(job_id)


def _prune(now: float) -> None:
    """Forget finished jobs older than JOB_LIFETIME_SECONDS and delete their files."""
    with _lock:
        old = [j for j in _jobs.values() if j.finished and now - j.created > JOB_LIFETIME_SECONDS]
        for job in old:
            del _jobs[job.id]
    for job in old:
        if job.path is not None:
            job.path.unlink(missing_ok=True)


def start_job(
    spec: BatchSpec, owner: User, *, total: int, office_id: int | None, title: str
) -> BatchJob:
    """Register a job for the batch and start its thread; `total` is its number of documents."""
    _prune(time.time())
    job = BatchJob(
        id=secrets.token_urlsafe(16),
        owner_id=owner.id,
        spec=spec,
        office_id=office_id,
        total=1 if spec.mode == "combined" else total,
        title=f"批量生成《{title}》",
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job.thread = threading.Thread(
        target=_run, args=(app, job), name=f"document-job-{job.id[:8]}", daemon=True
    )
    with _lock:
        _jobs[job.id] = job
    job.thread.start()
    return job


def _run(app: Flask, job: BatchJob) -> None:
    """The thread: render, write the file, record the audit entry; never raises."""
    with app.app_context():
        try:
            job.status = "running"
            _render(app, job)
        except Exception:  # the owner sees a message; the log has the traceback
            log.exception("document job %s failed", job.id)
            db.session.rollback()
            job.status = "failed"
            job.error = "生成失败：服务器内部错误，已记录。请稍后重试，或分批生成。"
        finally:
            db.session.remove()


def _step(job: BatchJob) -> None:
    """One more document done."""
    job.done = min(job.done + 1, job.total)


def _render(app: Flask, job: BatchJob) -> None:
    """Plan the batch again (the data may have changed) and write its file."""
    spec = job.spec
    apps = [db.session.get(Application, i) for i in spec.ids]
    found = [a for a in apps if a is not None]
    if len(found) != len(apps):
        job.status, job.error = "failed", "生成失败：部分申报已被删除，请重新选择后再生成。"
        return
    plan = plan_batch(found, spec.kinds)
    job.skipped = [(s.label, list(s.reasons)) for s in plan.skipped]
    if (plan.skipped and not spec.skip) or not plan.items:
        job.problems, job.skipped = job.skipped, []
        job.status = "missing"
        return
    suffix = ".zip" if spec.mode == "zip" else SUFFIX[spec.fmt]
    path = job_folder(app) / f"{job.id}{suffix}"
    try:
        with path.open("wb") as out:
            write_batch(plan, spec, out, lambda: _step(job))
    except BatchFailed as exc:
        path.unlink(missing_ok=True)
        job.problems = exc.problems
        job.status = "missing"
        return
    job.path = path
    job.download_name = download_name(plan, spec)
    job.mimetype = mimetype(spec)
    record_export(db.session.get(User, job.owner_id), plan, spec, background=True)
    db.session.commit()
    job.status = "done"
