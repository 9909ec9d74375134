"""Unit templates: an office's own wording of a campaign template, for one unit or all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow

if TYPE_CHECKING:
    from portal.applications.models import Application
    from portal.auth.models import User
    from portal.offices.models import Office, RecommendingUnit

#: The campaign templates an office may adapt, with their Chinese names.
UNIT_TEMPLATE_KINDS: dict[str, str] = {
    "publicity": "推荐单位公示",
    "publicity_result": "推荐单位公示结果",
    "commitment": "个人承诺书",
}


class UnitTemplate(db.Model):
    """An office's wording of one campaign template; unit/campaign None mean all of them."""

    __tablename__ = "unit_template"
    # NULL never equals NULL in a unique constraint (SQLite, PostgreSQL): find_exact() guards
    # the office-wide and every-campaign rows in code.
    __table_args__ = (
        sa.UniqueConstraint(
            "office_id", "unit_id", "campaign_code", "kind", name="uq_unit_template_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("recommending_unit.id", ondelete="CASCADE"), index=True
    )
    campaign_code: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    office: Mapped[Office] = relationship()
    unit: Mapped[RecommendingUnit | None] = relationship()
    updated_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        """The Chinese name of the document."""
        return UNIT_TEMPLATE_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<UnitTemplate {self.office_id}/{self.unit_id}/{self.campaign_code}/{self.kind}>"


def _is(column: sa.ColumnElement, value: object) -> sa.ColumnElement[bool]:
    """column = value, or column IS NULL for None."""
    return column.is_(None) if value is None else column == value


def find_exact(
    office_id: int, unit_id: int | None, campaign_code: str | None, kind: str
) -> UnitTemplate | None:
    """The template of exactly this scope (NULL matching NULL), or None."""
    stmt = sa.select(UnitTemplate).where(
        UnitTemplate.office_id == office_id,
        _is(UnitTemplate.unit_id, unit_id),
        _is(UnitTemplate.campaign_code, campaign_code),
        UnitTemplate.kind == kind,
    )
    return db.session.scalars(stmt.order_by(UnitTemplate.id)).first()


def resolve_unit_template(
    office_id: int, unit_id: int | None, campaign_code: str, kind: str
) -> UnitTemplate | None:
    """The office's template that applies, most specific first, or None for the campaign's.

    Unit for the campaign > unit for every campaign > office-wide for the campaign >
    office-wide for every campaign.
    """
    unit_match = UnitTemplate.unit_id.is_(None)
    if unit_id is not None:
        unit_match = sa.or_(unit_match, UnitTemplate.unit_id == unit_id)
    stmt = sa.select(UnitTemplate).where(
        UnitTemplate.office_id == office_id,
        UnitTemplate.kind == kind,
        unit_match,
        sa.or_(UnitTemplate.campaign_code.is_(None), UnitTemplate.campaign_code == campaign_code),
    )
    candidates = list(db.session.scalars(stmt))
    if not candidates:
        return None
    return min(candidates, key=lambda t: (t.unit_id is None, t.campaign_code is None, t.id))


def template_text(app: Application, kind: str) -> str:
    """Campaign template `kind` as worded for one application: the office's, else the notice's."""
    if kind in UNIT_TEMPLATE_KINDS and app.office_id is not None:
        found = resolve_unit_template(app.office_id, app.unit_id, app.campaign.code, kind)
        if found is not None:
            return found.text
    return getattr(app.campaign.definition.templates, kind)
