"""Campaign list and detail pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from portal.campaigns.definition import ASSESSMENT_RESULT_LABELS, KIND_LABELS, LEVEL_LABELS
from portal.campaigns.models import Campaign
from portal.campaigns.services import all_campaigns, window_statuses
from portal.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("/")
def index():
    """Every campaign with its windows and days left."""
    rows = [(c, window_statuses(c.definition)) for c in all_campaigns()]
    return render_template("campaigns/index.html", rows=rows)


@bp.get("/<code>")
def detail(code: str):
    """One campaign: windows, series, fees, rules, materials, templates, contacts."""
    campaign = db.first_or_404(sa.select(Campaign).where(Campaign.code == code))
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        d=campaign.definition,
        windows=window_statuses(campaign.definition),
        level_labels=LEVEL_LABELS,
        kind_labels=KIND_LABELS,
        assessment_labels=ASSESSMENT_RESULT_LABELS,
    )
