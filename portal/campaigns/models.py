"""Campaigns (评审通知) stored as their validated definition."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.campaigns.definition import CampaignDefinition, from_dict
from portal.extensions import db
from portal.timeutil import utcnow


class Campaign(db.Model):
    """One notice: its definition (windows, fees, rules, templates) kept as JSON."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    year: Mapped[int] = mapped_column(index=True)
    prefecture: Mapped[str] = mapped_column(sa.String(50), default="")
    definition_json: Mapped[dict] = mapped_column(sa.JSON)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @cached_property
    def definition(self) -> CampaignDefinition:
        """The parsed definition."""
        return from_dict(self.definition_json)
