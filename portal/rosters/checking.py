"""Which applications of a roster's selection still have blocking findings (issue 13).

A roster goes to the prefecture: before it is downloaded, the roster page says which of the
applications it lists the campaign's rules would refuse. Checking loads an application's
sections and runs every rule, so it is not part of the roster page (which stays O(page)): the
page asks for it in a second request, and at most `CHECK_LIMIT` applications are checked, in
batches (an application is let go after its batch, so memory does not grow with the roster).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.applications.models import Application
from portal.extensions import db
from portal.rules.checks import findings_for
from portal.timeutil import local_today, utcnow

# How many applications of a selection are checked (a county's roster is far smaller).
CHECK_LIMIT = 2000
BATCH = 200


@dataclass(frozen=True)
class Blocked:
    """One application with blocking findings: how many, and the first one's message."""

    app_id: int
    name: str
    status: str
    count: int
    first: str


@dataclass
class SelectionCheck:
    """The outcome of checking a roster's selection."""

    checked: int = 0
    total: int = 0
    blocked: list[Blocked] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every application of the selection was checked."""
        return self.checked >= self.total


def check_selection(stmt: sa.Select, limit: int = CHECK_LIMIT) -> SelectionCheck:
    """Check the applications `stmt` (a scoped SELECT of Application) selects, up to `limit`."""
    ids_stmt = stmt.with_only_columns(Application.id).order_by(Application.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids_stmt.subquery())) or 0
    ids = list(db.session.scalars(ids_stmt.limit(limit)))
    result = SelectionCheck(checked=len(ids), total=total)
    today, now = local_today(), utcnow()
    # Held across batches: each campaign's definition is parsed once, each unit loaded once.
    # The applications and their sections are let go after their batch (the session's
    # identity map holds them weakly).
    kept: set[object] = set()
    for start in range(0, len(ids), BATCH):
        batch = sa.select(Application).where(Application.id.in_(ids[start : start + BATCH]))
        batch = batch.options(
            selectinload(Application.sections),
            selectinload(Application.campaign),
            selectinload(Application.unit),
        ).order_by(Application.id)
        for app in db.session.scalars(batch):
            kept.update((app.campaign, app.unit))
            blocking = [f for f in findings_for(app, today, now=now) if f.blocking]
            if blocking:
                result.blocked.append(
                    Blocked(app.id, app.name, app.status, len(blocking), blocking[0].message)
                )
    return result
