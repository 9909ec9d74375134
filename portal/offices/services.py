"""Reading offices' data shared by several domains."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.offices.models import RecommendingUnit


def office_units(office_id: int | None) -> list[RecommendingUnit]:
    """The recommending units of one office, by name (none without an office)."""
    if office_id is None:
        return []
    stmt = sa.select(RecommendingUnit).where(RecommendingUnit.office_id == office_id)
    return list(db.session.scalars(stmt.order_by(RecommendingUnit.name, RecommendingUnit.id)))
