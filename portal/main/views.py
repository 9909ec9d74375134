"""The home page: counts by status, applications that must be fixed, open notices."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from portal.applications.models import Application
from portal.campaigns.services import open_campaigns
from portal.extensions import db
from portal.rules.checks import findings_for
from portal.security import scope, visible_offices
from portal.timeutil import local_today
from portal.vocabulary import PREPARING_STATUSES, STATUS_LABELS

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The office home page: counts by status and open campaigns."""
    counts_stmt = scope(
        sa.select(Application.status, sa.func.count()).group_by(Application.status), Application
    )
    counts = dict(db.session.execute(counts_stmt).all())
    total = sum(counts.values())
    return render_template(
        "main/home.html",
        offices=visible_offices(),
        counts=counts,
        total=total,
        status_labels=STATUS_LABELS,
        campaigns=open_campaigns(),
        needing_work=applications_with_blocking_findings(),
    )


# The dashboard checks the most recently changed applications still being prepared.
DASHBOARD_CHECK_LIMIT = 300


def applications_with_blocking_findings() -> list[tuple[Application, int, str]]:
    """Applications still being prepared that have blocking findings: (app, count, first)."""
    stmt = scope(
        sa.select(Application)
        .where(Application.status.in_(PREPARING_STATUSES))
        .options(selectinload(Application.sections), selectinload(Application.campaign))
        .order_by(Application.updated_at.desc())
        .limit(DASHBOARD_CHECK_LIMIT),
        Application,
    )
    today = local_today()
    out = []
    for app in db.session.scalars(stmt):
        blocking = [f for f in findings_for(app, today) if f.blocking]
        if blocking:
            out.append((app, len(blocking), blocking[0].message))
    return out
