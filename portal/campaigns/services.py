"""Loading campaign definitions into the database, and questions about their windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.campaigns.definition import (
    CampaignDefinition,
    Window,
    load_definition,
    shipped_definition_paths,
    to_dict,
)
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.timeutil import local_today
from portal.vocabulary import WINDOW_KIND_LABELS


def upsert_campaign(defn: CampaignDefinition) -> tuple[Campaign, bool]:
    """Store a definition, replacing the one with the same code; returns (campaign, created)."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == defn.code))
    created = campaign is None
    if campaign is None:
        campaign = Campaign(code=defn.code)
        db.session.add(campaign)
    campaign.title = defn.title
    campaign.year = defn.year
    campaign.prefecture = defn.prefecture
    campaign.definition_json = to_dict(defn)
    campaign.__dict__.pop("definition", None)
    return campaign, created


def load_campaign_file(path: str | Path) -> tuple[Campaign, bool]:
    """Validate a TOML definition file and store it (raises CampaignDefinitionError)."""
    return upsert_campaign(load_definition(path))


def load_shipped_campaigns() -> list[Campaign]:
    """Store every definition shipped with the portal."""
    return [load_campaign_file(p)[0] for p in shipped_definition_paths()]


@dataclass(frozen=True)
class WindowStatus:
    """A window with its state on a given day."""

    window: Window
    label: str
    state: str  # "upcoming" | "open" | "closed"
    days_left: int | None  # days until the end (open) or until the start (upcoming)

    @property
    def text(self) -> str:
        if self.state == "open":
            return "今天截止" if self.days_left == 0 else f"进行中，剩余{self.days_left}天"
        if self.state == "upcoming":
            return f"{self.days_left}天后开始"
        return "已结束"


def window_statuses(defn: CampaignDefinition, today: date | None = None) -> list[WindowStatus]:
    """Each window of the campaign with whether it is open and how many days are left."""
    today = today or local_today()
    out = []
    for w in defn.windows:
        end = w.end or w.start
        if today < w.start:
            state, days = "upcoming", (w.start - today).days
        elif today <= end:
            state, days = "open", (end - today).days
        else:
            state, days = "closed", None
        out.append(WindowStatus(w, w.label or WINDOW_KIND_LABELS.get(w.kind, w.kind), state, days))
    return out


def all_campaigns() -> list[Campaign]:
    """Every campaign, newest year first."""
    stmt = sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    return list(db.session.scalars(stmt))


def open_campaigns(today: date | None = None) -> list[tuple[Campaign, list[WindowStatus]]]:
    """Campaigns with at least one window open or upcoming."""
    out = []
    for c in all_campaigns():
        statuses = window_statuses(c.definition, today)
        if any(s.state != "closed" for s in statuses):
            out.append((c, statuses))
    return out
