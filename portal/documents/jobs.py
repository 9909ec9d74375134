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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from portal import audit
from portal.applications.models import Application
from portal.auth.models import User
from portal.documents.context import is_document_kind
from portal.documents.pdf import PdfError, merge_pdfs
from portal.documents.render import MissingData, render_combined_publicity_pdf, render_pdf
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
    kind: str
    mode: str
    application_ids: list[int]
    office_id: int | None
    total: int
    label: str = ""  # the document's Chinese name
    done: int = 0
    status: str = "queued"
    error: str = ""
    #: (unit and name, what is missing) of applications that could not be rendered.
    problems: list[tuple[str, list[str]]] = field(default_factory=list)
    path: Path | None = None
    download_name: str = ""
    mimetype: str = "application/pdf"
    created: float = field(default_factory=time.time)
    thread: threading.Thread | None = None

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
    """The largest batch rendered within the request."""
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
    apps: list[Application],
    kind: str,
    mode: str,
    owner: User,
    *,
    file_name: Callable[[Application, str], str],
    combined_name: str = "",
    label: str = "",
) -> BatchJob:
    """Register a job for the applications and start its thread."""
    _prune(time.time())
    offices = {a.office_id for a in apps}
    job = BatchJob(
        id=secrets.token_urlsafe(16),
        owner_id=owner.id,
        kind=kind,
        mode=mode,
        application_ids=[a.id for a in apps],
        office_id=offices.pop() if len(offices) == 1 else None,
        total=1 if mode == "combined" else len(apps),
        label=label or kind,
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job.thread = threading.Thread(
        target=_run,
        args=(app, job, file_name, combined_name),
        name=f"document-job-{job.id[:8]}",
        daemon=True,
    )
    with _lock:
        _jobs[job.id] = job
    job.thread.start()
    return job


def _label(app: Application) -> str:
    """单位 · 姓名 of an application, for the list of problems."""
    return f"{app.unit.name if app.unit else ''} · {app.name}"


def _run(
    app: Flask,
    job: BatchJob,
    file_name: Callable[[Application, str], str],
    combined_name: str,
) -> None:
    """The thread: render, write the file, record the audit entry; never raises."""
    with app.app_context():
        try:
            job.status = "running"
            _render(app, job, file_name, combined_name)
        except Exception:  # the owner sees a message; the log has the traceback
            log.exception("document job %s failed", job.id)
            db.session.rollback()
            job.status = "failed"
            job.error = "生成失败：服务器内部错误，已记录。请稍后重试，或分批生成。"
        finally:
            db.session.remove()


def _render(
    app: Flask,
    job: BatchJob,
    file_name: Callable[[Application, str], str],
    combined_name: str,
) -> None:
    """Render every document of the job and write the merged PDF or the ZIP."""
    apps = [db.session.get(Application, i) for i in job.application_ids]
    found = [a for a in apps if a is not None]
    if len(found) != len(apps):
        job.status, job.error = "failed", "生成失败：部分申报已被删除，请重新选择后再生成。"
        return
    folder = job_folder(app)
    if job.mode == "combined":
        try:
            data = render_combined_publicity_pdf(found)
        except (MissingData, PdfError) as exc:
            missing = exc.missing if isinstance(exc, MissingData) else [str(exc)]
            job.problems.append(("推荐单位公示（多人合并）", missing))
            job.status = "missing"
            return
        job.done = 1
        job.path = folder / f"{job.id}.pdf"
        job.path.write_bytes(data)
        job.download_name = combined_name
        _finish(job)
        return
    documents: list[tuple[Application, bytes]] = []
    for application in found:
        if not is_document_kind(application, job.kind):
            job.problems.append(
                (_label(application), [f"《{job.label}》不是本申报所属评审通知的文书"])
            )
            job.done += 1
            continue
        try:
            documents.append((application, render_pdf(application, job.kind)))
        except MissingData as exc:
            job.problems.append((_label(application), exc.missing))
        except PdfError as exc:
            job.problems.append((_label(application), [str(exc)]))
        job.done += 1
    if job.problems:
        job.status = "missing"
        return
    label = job.label
    if job.mode == "merged":
        job.path = folder / f"{job.id}.pdf"
        job.path.write_bytes(merge_pdfs(d for _, d in documents))
        job.download_name = f"{label}_{len(found)}人.pdf"
    else:
        job.path = folder / f"{job.id}.zip"
        used: set[str] = set()
        with zipfile.ZipFile(job.path, "w", zipfile.ZIP_DEFLATED) as archive:
            for application, data in documents:
                name = file_name(application, job.kind)
                if name in used:  # two people of one unit with the same name
                    name = name.removesuffix(".pdf") + f"_{application.id}.pdf"
                used.add(name)
                archive.writestr(name, data)
        job.download_name = f"{label}_{len(found)}人.zip"
        job.mimetype = "application/zip"
    _finish(job)


def _finish(job: BatchJob) -> None:
    """Record the export in the audit log, then mark the job done."""
    audit.record(
        "document_export",
        db.session.get(User, job.owner_id),
        {
            "kind": job.kind,
            "mode": job.mode,
            "background": True,
            "application_ids": job.application_ids,
        },
        rows=len(job.application_ids),
        office_id=job.office_id,
    )
    db.session.commit()
    job.status = "done"
