"""Offices (县市主管部门) and recommending units (推荐单位)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Office(db.Model):
    """A county office that runs the portal for its recommending units."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    county: Mapped[str] = mapped_column(sa.String(50))
    prefecture: Mapped[str] = mapped_column(sa.String(50), index=True)
    # Publicity notices show the full ID number only where the office chooses to.
    show_full_id_on_publicity: Mapped[bool] = mapped_column(default=False)

    units: Mapped[list[RecommendingUnit]] = relationship(
        back_populates="office", order_by="RecommendingUnit.name"
    )

    def __repr__(self) -> str:
        return f"<Office {self.code}>"


class RecommendingUnit(db.Model):
    """The applicant's employer, which posts the publicity notice and recommends."""

    __tablename__ = "recommending_unit"
    __table_args__ = (sa.UniqueConstraint("office_id", "name", name="uq_unit_office_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    nature: Mapped[str] = mapped_column(sa.String(20))
    below_county_level: Mapped[bool] = mapped_column(default=False)
    county: Mapped[str] = mapped_column(sa.String(50))
    head_title: Mapped[str] = mapped_column(sa.String(50), default="")
    objection_office: Mapped[str] = mapped_column(sa.String(100), default="")
    supervision_phone: Mapped[str] = mapped_column(sa.String(40), default="")

    office: Mapped[Office] = relationship(back_populates="units")

    def __repr__(self) -> str:
        return f"<RecommendingUnit {self.name}>"
