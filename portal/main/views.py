"""The home page: counts by status, applications that must be fixed, open notices."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.orm import joinedload

from portal.applications.listing import campaign_for_lists
from portal.applications.models import Application
from portal.campaigns.services import open_campaigns
from portal.extensions import db
from portal.rules.summaries import keep as keep_summaries
from portal.rules.summaries import summaries_of
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
    needing_work, needing_total = applications_with_blocking_findings()
    html = render_template(
        "main/home.html",
        offices=visible_offices(),
        counts=counts,
        total=total,
        status_labels=STATUS_LABELS,
        campaigns=open_campaigns(),
        needing_work=needing_work,
        needing_total=needing_total,
    )
    keep_summaries()  # the summaries recomputed for applications changed since the last visit
    return html


# The dashboard checks the most recently changed applications still being prepared.
DASHBOARD_CHECK_LIMIT = 300
#: Of those with blocking findings, the dashboard lists this many.
DASHBOARD_SHOWN = 30


def applications_with_blocking_findings() -> tuple[list[tuple[Application, int, str]], int]:
    """Applications still being prepared that have blocking findings: up to DASHBOARD_SHOWN
    of them as (app, count, first message), and how many there are in all.

    The findings come from each application's cached summary (rules.summaries): only those
    changed since they were last checked are checked again, and only the shown are loaded.
    """
    recent = scope(
        sa.select(Application.id)
        .where(Application.status.in_(PREPARING_STATUSES))
        .order_by(Application.updated_at.desc(), Application.id.desc())
        .limit(DASHBOARD_CHECK_LIMIT),
        Application,
    )
    summaries = summaries_of(recent, unfinished=False)
    blocking = [i for i, brief in summaries.items() if brief.blocking]
    shown = blocking[:DASHBOARD_SHOWN]
    apps = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Application)
            .where(Application.id.in_(shown))
            .options(campaign_for_lists(), joinedload(Application.unit))
        )
    }
    rows = [(apps[i], summaries[i].blocking, summaries[i].first_blocking) for i in shown]
    return rows, len(blocking)
