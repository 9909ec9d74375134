"""Campaigns (评审通知) stored as their validated definition."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.campaigns.definition import definition_hash, from_dict
from portal.campaigns.schema import CampaignDefinition
from portal.extensions import db
from portal.timeutil import utcnow

#: Parsed definitions, process-wide, by (campaign id, hash of the stored JSON): a stored
#: version is validated once per process; replacing a campaign changes its hash.
_CACHE: OrderedDict[tuple[int | None, str], CampaignDefinition] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _cached(key: int | None, digest: str) -> CampaignDefinition | None:
    with _CACHE_LOCK:
        found = _CACHE.get((key, digest))
        if found is not None:
            _CACHE.move_to_end((key, digest))
        return found


def cached_definition(key: int | None, digest: str, data: dict) -> CampaignDefinition:
    """The definition of stored JSON ``data`` whose hash is ``digest``, parsed at most once."""
    found = _cached(key, digest)
    if found is not None:
        return found
    definition = from_dict(data, f"campaign#{key}")
    with _CACHE_LOCK:
        _CACHE[(key, digest)] = definition
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return definition


class Campaign(db.Model):
    """One notice: its definition (windows, fees, rules, templates) kept as JSON."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    year: Mapped[int] = mapped_column(index=True)
    # The prefecture the notice belongs to (Office.prefecture), or REGION_WIDE.
    prefecture: Mapped[str] = mapped_column(sa.String(50), default="", index=True)
    definition_json: Mapped[dict] = mapped_column(sa.JSON)
    # SHA-256 of definition_json, set with it: the key of the parsed-definition cache.
    definition_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_definition(self, definition: CampaignDefinition, data: dict) -> None:
        """Store a definition's JSON ``data`` and its hash (title, year and scope with it)."""
        self.title = definition.title
        self.year = definition.year
        self.prefecture = definition.prefecture
        self.definition_json = data
        self.definition_hash = definition_hash(data)
        self.loaded_at = utcnow()

    @property
    def definition(self) -> CampaignDefinition:
        """The parsed definition (parsed once per stored version, process-wide).

        A version already parsed is found by its hash alone: the JSON (kilobytes, deferred
        by lists such as `visible_campaigns`) is then neither loaded nor decoded.
        """
        if self.definition_hash:
            found = _cached(self.id, self.definition_hash)
            if found is not None:
                return found
        digest = self.definition_hash or definition_hash(self.definition_json)
        return cached_definition(self.id, digest, self.definition_json)
