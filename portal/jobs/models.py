"""A background job's state, kept in the database so that every worker process sees it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

STATUS_LABELS = {
    "queued": "排队中",
    "running": "正在生成",
    "done": "已完成",
    "missing": "缺少信息，未生成",
    "failed": "生成失败",
}
FINISHED = ("done", "missing", "failed")


class Job(db.Model):
    """One background job: who asked for what, how far it got, and the file it made."""

    __tablename__ = "job"
    __table_args__ = (sa.Index("ix_job_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    # The handler that runs it (runner.handler), e.g. "documents.batch".
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id", ondelete="SET NULL"))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    # [label, [what is missing, ...]] of the items that could not be made.
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    # [label, [why, ...]] of the items left out on the user's word (the rest was made).
    skipped: Mapped[list] = mapped_column(sa.JSON, default=list)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # The result's file name inside the jobs folder, the name it downloads as, its type.
    file_name: Mapped[str] = mapped_column(sa.String(100), default="")
    download_name: Mapped[str] = mapped_column(sa.String(200), default="")
    mimetype: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    # Set with every progress report while running: a job whose heartbeat stops was lost
    # with its worker and is queued again (runner.sweep).
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    @property
    def finished(self) -> bool:
        """Whether there is nothing more to do."""
        return self.status in FINISHED

    @property
    def status_label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def percent(self) -> int:
        """Progress in whole percent."""
        return int(100 * self.done / self.total) if self.total else (100 if self.finished else 0)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"
