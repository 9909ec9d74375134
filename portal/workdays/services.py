"""The working-day calendar with the overrides kept in the database."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.workdays.calendar import Override, Period, WorkdayCalendar
from portal.workdays.models import WorkdayOverride


def load_calendar() -> WorkdayCalendar:
    """The national calendar plus every override stored by the admins."""
    rows = db.session.scalars(sa.select(WorkdayOverride)).all()
    return WorkdayCalendar(Override(r.day, r.is_workday, r.name) for r in rows)


def publicity_period_for(app, start: date, calendar: WorkdayCalendar | None = None) -> Period:
    """The publicity period of an application starting on `start` (campaign's minimum days)."""
    calendar = calendar or load_calendar()
    return calendar.publicity_period(start, app.campaign.definition.rules.publicity_min_workdays)
