"""Each application's findings in brief, cached per application version for lists and the home page.

Checking an application loads its ~12 sections and runs every rule of its notice: too slow
for a page listing 50 or 300 applications. A `CheckSummary` row keeps what those pages show
(how many blocking findings and warnings, the first blocking message, the sections not yet
done) together with the version it was computed for:

- the application's `updated_at` — every write of a section (operations) and every status
  change (workflow) moves it, whoever writes;
- the campaign's `loaded_at` — replacing a notice's definition moves it;
- `valid_until` — the rules also read the date (sanction ends, windows, work "至今") and the
  hour of a resubmission deadline, so a summary expires at the next local midnight, or at the
  deadline when that comes first.

A summary that does not match is recomputed when a page asks for it (`summaries_of`); editing
a unit (whose nature and county the rules read) drops its applications' summaries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from portal.applications import sections
from portal.applications.models import Application
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.rules.checks import Finding, findings_for
from portal.timeutil import LOCAL_OFFSET, local_today, utcnow

log = logging.getLogger(__name__)
_CHANGED = "check_summaries_changed"  # session.info key: summaries_of stored some


class CheckSummary(db.Model):
    """The findings of one application in brief, for the version it was computed for."""

    __tablename__ = "check_summary"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    app_updated_at: Mapped[datetime] = mapped_column()
    campaign_loaded_at: Mapped[datetime] = mapped_column()
    valid_until: Mapped[datetime] = mapped_column()
    blocking: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    first_blocking: Mapped[str] = mapped_column(sa.Text, default="")
    # Keys of the sections not done (not filled in, or with a problem), in section order.
    unfinished: Mapped[list] = mapped_column(sa.JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Brief:
    """What a summary holds, computed from an application's findings."""

    blocking: int
    warnings: int
    first_blocking: str
    unfinished: list[str]

    @property
    def unfinished_labels(self) -> list[str]:
        """The unfinished sections' names."""
        return [sections.BY_KEY[k].label for k in self.unfinished if k in sections.BY_KEY]


def brief(app: Application, findings: Sequence[Finding]) -> Brief:
    """The brief of an application whose findings are known."""
    blocking = [f for f in findings if f.blocking]
    blocking_sections = {f.section for f in blocking}
    unfinished = [
        s.key
        for s in sections.SECTIONS
        if sections.section_state(app, s.key, blocking_sections) != "done"
    ]
    return Brief(
        blocking=len(blocking),
        warnings=len(findings) - len(blocking),
        first_blocking=blocking[0].message if blocking else "",
        unfinished=unfinished,
    )


def valid_until(app: Application, today: date, now: datetime) -> datetime:
    """When findings computed now may change by the clock alone (naive UTC)."""
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time()) - LOCAL_OFFSET
    due = app.resubmit_due
    return due if due is not None and now < due < midnight else midnight


def summary_values(
    app: Application, findings: Sequence[Finding], today: date, now: datetime
) -> dict:
    """The row of an application's summary for these findings."""
    found = brief(app, findings)
    return {
        "application_id": app.id,
        "app_updated_at": app.updated_at,
        "campaign_loaded_at": app.campaign.loaded_at,
        "valid_until": valid_until(app, today, now),
        "blocking": found.blocking,
        "warnings": found.warnings,
        "first_blocking": found.first_blocking,
        "unfinished": found.unfinished,
        "computed_at": now,
    }


def _upsert(rows: list[dict]) -> None:
    """Insert or replace summary rows in one statement (two requests may store the same)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # not a database the portal ships for: one row at a time
        for row in rows:
            db.session.merge(CheckSummary(**row))
        return
    stmt = insert(CheckSummary).values(rows)
    columns = [c.name for c in CheckSummary.__table__.columns if c.name != "application_id"]
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["application_id"], set_={c: stmt.excluded[c] for c in columns}
        )
    )


def with_summaries(stmt: sa.Select, *, unfinished: bool = True) -> sa.Select:
    """A SELECT of applications joined with their campaign, plus their summaries' columns.

    Its rows (with `Application.id` and `Application.updated_at`) go to `briefs`: a list adds
    the summaries to its page query instead of asking for them in a statement of their own.
    """
    columns = [
        Campaign.loaded_at,
        CheckSummary.app_updated_at,
        CheckSummary.campaign_loaded_at,
        CheckSummary.valid_until,
        CheckSummary.blocking,
        CheckSummary.warnings,
        CheckSummary.first_blocking,
    ]
    if unfinished:
        columns.append(CheckSummary.unfinished)
    return stmt.add_columns(*columns).outerjoin(
        CheckSummary, CheckSummary.application_id == Application.id
    )


def summaries_of(ids: Sequence[int] | sa.Select, *, unfinished: bool = True) -> dict[int, Brief]:
    """The current brief of each application, recomputing (and storing) the stale ones.

    `ids`: application ids, or a SELECT of them (the database then picks them itself). The
    result runs from the most recently changed. One query of plain columns when every summary
    is current (no ORM object is made; `unfinished=False` leaves out the unfinished sections,
    which only lists show); the stale applications and their sections are loaded in two more,
    stored in one. The caller commits (`keep`).
    """
    if not isinstance(ids, sa.Select) and not ids:
        return {}
    stmt = with_summaries(
        sa.select(Application.id, Application.updated_at)
        .join(Campaign, Campaign.id == Application.campaign_id)
        .where(Application.id.in_(ids))
        .order_by(Application.updated_at.desc(), Application.id.desc()),
        unfinished=unfinished,
    )
    return briefs(db.session.execute(stmt).all(), unfinished=unfinished)


def briefs(rows: Sequence[sa.Row], *, unfinished: bool = True) -> dict[int, Brief]:
    """The current brief of each row of a `with_summaries` SELECT, in the rows' order.

    The stale ones are recomputed: their applications and sections loaded in two statements,
    their summaries stored in one. The caller commits (`keep`).
    """
    now = utcnow()
    found: dict[int, Brief] = dict.fromkeys(row.id for row in rows)  # in this order
    stale = []
    for row in rows:
        if (
            row.app_updated_at is None
            or row.app_updated_at != row.updated_at
            or row.campaign_loaded_at != row.loaded_at
            or now >= row.valid_until
        ):
            stale.append(row.id)
        else:
            left = list(row.unfinished or []) if unfinished else []
            found[row.id] = Brief(row.blocking, row.warnings, row.first_blocking, left)
    if stale:
        today = local_today()
        stmt = (
            sa.select(Application)
            .where(Application.id.in_(stale))
            .options(selectinload(Application.sections))
            .execution_options(populate_existing=True)
        )
        values = [
            summary_values(app, findings_for(app, today, now), today, now)
            for app in db.session.scalars(stmt)
        ]
        _upsert(values)
        db.session.info[_CHANGED] = True
        for v in values:
            found[v["application_id"]] = Brief(
                v["blocking"], v["warnings"], v["first_blocking"], v["unfinished"]
            )
    return found


def keep() -> None:
    """Commit recomputed summaries; call it after rendering (a commit expires the page's rows).

    Failing to store a cache (the database busy) is logged, and the page shown all the same.
    """
    if not db.session.info.pop(_CHANGED, False):
        return
    try:
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        log.warning("check summaries not stored", exc_info=True)


def forget_unit(unit_id: int) -> None:
    """Drop the summaries of a unit's applications (the rules read the unit's details)."""
    ids = sa.select(Application.id).where(Application.unit_id == unit_id)
    db.session.execute(sa.delete(CheckSummary).where(CheckSummary.application_id.in_(ids)))
