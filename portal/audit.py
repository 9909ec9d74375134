"""Audit log: who exported or imported what, and other sensitive actions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import db
from portal.timeutil import utcnow


class AuditEntry(db.Model):
    """One recorded action."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    rows: Mapped[int | None] = mapped_column()

    user: Mapped[User | None] = relationship()


def record(
    action: str,
    user: User | None,
    detail: dict | None = None,
    rows: int | None = None,
    office_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the request)."""
    entry = AuditEntry(
        action=action,
        user_id=user.id if user else None,
        username=user.username if user else "cli",
        office_id=office_id if office_id is not None else (user.office_id if user else None),
        detail=detail or {},
        rows=rows,
    )
    db.session.add(entry)
    return entry
