"""The home page: counts by status, applications that must be fixed, open notices."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.orm import joinedload

from portal.applications.models import Application
from portal.campaigns.services import open_campaigns
from portal.extensions import db
from portal.rules.summaries import keep as keep_summaries
from portal.rules.summaries import summaries_for
from portal.security import scope, visible_offices
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
    html = render_template(
        "main/home.html",
        offices=visible_offices(),
        counts=counts,
        total=total,
        status_labels=STATUS_LABELS,
        campaigns=open_campaigns(),
        needing_work=applications_with_blocking_findings(),
    )
    keep_summaries()  # the summaries recomputed for applications changed since the last visit
    return html


# The dashboard checks the most recently changed applications still being prepared.
DASHBOARD_CHECK_LIMIT = 300


def applications_with_blocking_findings() -> list[tuple[Application, int, str]]:
    """Applications still being prepared that have blocking findings: (app, count, first).

    The findings come from each application's cached summary (rules.summaries): only those
    changed since they were last checked are checked again.
    """
    stmt = scope(
        sa.select(Application)
        .where(Application.status.in_(PREPARING_STATUSES))
        .options(joinedload(Application.campaign), joinedload(Application.unit))
        .order_by(Application.updated_at.desc())
        .limit(DASHBOARD_CHECK_LIMIT),
        Application,
    )
    apps = list(db.session.scalars(stmt))
    summaries = summaries_for(apps)
    return [
        (app, summaries[app.id].blocking, summaries[app.id].first_blocking)
        for app in apps
        if summaries[app.id].blocking
    ]
