"""Loading campaign definitions into the database, who may see and load which, and windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy.orm import defer

from portal.audit import record
from portal.campaigns.definition import (
    load_definition,
    shipped_definition_paths,
    to_dict,
)
from portal.campaigns.models import Campaign
from portal.campaigns.schema import CampaignDefinition, Window
from portal.extensions import db
from portal.offices.models import Office
from portal.timeutil import LOCAL_OFFSET, local_today, utcnow
from portal.vocabulary import REGION_WIDE

if TYPE_CHECKING:
    from portal.auth.models import User


class CampaignLoadRefused(Exception):
    """The user may not load this file (another prefecture's campaign, or a region-wide one)."""

    def __init__(self, message: str) -> None:
        """Keep the Chinese message."""
        self.message = message
        super().__init__(message)


# --------------------------------------------------------------------------- scope


def user_prefecture(user: User | None) -> str | None:
    """The prefecture whose campaigns ``user`` sees; None for an admin (or the command line)."""
    if user is None or user.is_admin:
        return None
    if user.is_prefecture:
        return user.prefecture or ""
    return user.office.prefecture if user.office is not None else ""


def _current_user() -> User | None:
    """The logged-in user of the request, or None outside a request (command line)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user._get_current_object()  # type: ignore[attr-defined]


def scope_campaigns(stmt: sa.Select, user: User | None = None) -> sa.Select:
    """Narrow a SELECT of campaigns to those of the user's prefecture and the region-wide."""
    user = user if user is not None else _current_user()
    prefecture = user_prefecture(user)
    if prefecture is None:
        return stmt
    return stmt.where(Campaign.prefecture.in_([prefecture, REGION_WIDE]))


def all_campaigns() -> list[Campaign]:
    """Every campaign, newest year first (command line and background work)."""
    stmt = sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    return list(db.session.scalars(stmt))


def visible_campaigns(user: User | None = None) -> list[Campaign]:
    """The campaigns the current user may see, newest year first.

    Their stored JSON is deferred: `Campaign.definition` finds a version already parsed by its
    hash, and loads the JSON only for a version this process has not parsed yet.
    """
    stmt = (
        scope_campaigns(sa.select(Campaign), user)
        .options(defer(Campaign.definition_json))
        .order_by(Campaign.year.desc(), Campaign.code)
    )
    return list(db.session.scalars(stmt))


def visible_campaign(ident: int | str | None, user: User | None = None) -> Campaign | None:
    """A campaign by id or code if the current user may see it, else None."""
    if ident is None or ident == "":
        return None
    column = Campaign.id if isinstance(ident, int) else Campaign.code
    stmt = scope_campaigns(sa.select(Campaign).where(column == ident), user)
    return db.session.scalars(stmt).first()


# --------------------------------------------------------------------------- loading


def _refuse_if_not_owner(
    defn: CampaignDefinition, existing: Campaign | None, user: User | None
) -> None:
    """Raise CampaignLoadRefused unless ``user`` may load ``defn`` (None: the command line)."""
    if user is None or user.is_admin:
        return
    if not user.is_prefecture:
        raise CampaignLoadRefused("只有系统管理员和州（地区）职称办可以导入评审通知。")
    own = user.prefecture or ""
    if defn.region_wide:
        raise CampaignLoadRefused(
            f'全区适用的评审通知（prefecture = "{REGION_WIDE}"）只能由系统管理员导入。'
        )
    if defn.prefecture != own:
        raise CampaignLoadRefused(
            f"文件中的 prefecture 为“{defn.prefecture}”，您只能导入本地州（{own or '未设置'}）"
            "的评审通知。"
        )
    if existing is not None and existing.prefecture != own:
        owner = "全区" if existing.prefecture == REGION_WIDE else existing.prefecture
        raise CampaignLoadRefused(
            f"代码为 {defn.code} 的评审通知属于{owner}，不能替换；请换一个代码（code 与文件名）。"
        )


#: The columns of the application table the scope check reads. Applications sit in a higher
#: layer than campaigns (they reference them), so the check names the table, not the model.
_APPLICATIONS = sa.table("application", sa.column("campaign_id"), sa.column("office_id"))


def _refuse_scope_change(defn: CampaignDefinition, existing: Campaign) -> None:
    """Refuse moving a campaign to a prefecture that its applications' offices are not in."""
    if defn.region_wide or existing.prefecture == defn.prefecture:
        return
    stmt = (
        sa.select(Office.name)
        .join(_APPLICATIONS, _APPLICATIONS.c.office_id == Office.id)
        .where(_APPLICATIONS.c.campaign_id == existing.id, Office.prefecture != defn.prefecture)
        .distinct()
    )
    outside = list(db.session.scalars(stmt))
    if outside:
        raise CampaignLoadRefused(
            f"此评审通知已有{'、'.join(outside[:5])}等不属于“{defn.prefecture}”的主管部门的申报，"
            "不能改为只属于该地州。"
        )


def upsert_campaign(
    defn: CampaignDefinition, user: User | None = None, file_name: str = ""
) -> tuple[Campaign, bool]:
    """Store a definition, replacing the one with the same code; returns (campaign, created).

    Checks that ``user`` owns the campaign (raises CampaignLoadRefused) and records the load
    in the audit log; the caller commits.
    """
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == defn.code))
    _refuse_if_not_owner(defn, campaign, user)
    created = campaign is None
    if campaign is None:
        campaign = Campaign(code=defn.code)
        db.session.add(campaign)
    else:
        _refuse_scope_change(defn, campaign)
    campaign.set_definition(defn, to_dict(defn))
    db.session.flush()
    record(
        "campaign_load",
        user,
        {
            "code": defn.code,
            "title": defn.title,
            "prefecture": defn.prefecture,
            "file": file_name,
            "created": created,
        },
    )
    return campaign, created


def load_campaign_file(
    path: str | Path, user: User | None = None, name: str | None = None
) -> tuple[Campaign, bool]:
    """Validate a TOML definition file and store it (CampaignDefinitionError, or refused).

    ``name`` is the uploaded file's own name, used in messages instead of a temporary path.
    """
    defn = load_definition(path, name=name)
    return upsert_campaign(defn, user, name or Path(path).name)


def load_shipped_campaigns() -> list[Campaign]:
    """Store every definition shipped with the portal."""
    return [load_campaign_file(p)[0] for p in shipped_definition_paths()]


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class WindowStatus:
    """A window with its state at a given moment."""

    window: Window
    label: str
    state: str  # "undated" | "upcoming" | "open" | "closed"
    days_left: int | None  # days until the end (open) or until the start (upcoming)

    @property
    def text(self) -> str:
        """The state in words: 进行中，剩余3天 / 今天18:00截止 / 5天后开始 / 另行通知 / 已结束."""
        w = self.window
        if self.state == "undated":
            return "另行通知"
        if self.state == "open":
            if self.days_left == 0:
                return f"今天{w.end_time:%H:%M}截止" if w.end_time else "今天截止"
            prefix = "截止前" if w.deadline_only else "进行中，"
            return f"{prefix}剩余{self.days_left}天"
        if self.state == "upcoming":
            return f"{self.days_left}天后开始"
        return "已结束"


def window_statuses(
    defn: CampaignDefinition, today: date | None = None, now: datetime | None = None
) -> list[WindowStatus]:
    """Each window of the campaign with whether it is open and how many days are left.

    ``now`` (naive UTC) decides the first and last day when the notice gives a time.
    """
    today = today or local_today()
    local = (now or utcnow()) + LOCAL_OFFSET
    moment = local if local.date() == today else datetime.combine(today, time(12, 0))
    out = []
    for w in defn.windows:
        last = w.last_day
        if w.undated or last is None:
            state, days = "undated", None
        elif w.start is not None and w.not_started_at(moment):
            state, days = "upcoming", (w.start - today).days
        elif w.closed_at(moment):
            state, days = "closed", None
        else:
            state, days = "open", (last - today).days
        out.append(WindowStatus(w, w.title, state, days))
    return out


def open_campaigns(today: date | None = None) -> list[tuple[Campaign, list[WindowStatus]]]:
    """Campaigns the user sees with at least one window open, upcoming or still to be dated."""
    out = []
    for c in visible_campaigns():
        statuses = window_statuses(c.definition, today)
        if any(s.state != "closed" for s in statuses):
            out.append((c, statuses))
    return out
