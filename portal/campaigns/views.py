"""Campaign list and detail pages."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from portal.audit import record
from portal.campaigns.definition import CampaignDefinitionError
from portal.campaigns.models import Campaign
from portal.campaigns.services import all_campaigns, load_campaign_file, window_statuses
from portal.extensions import db
from portal.security import roles_required
from portal.vocabulary import ASSESSMENT_RESULT_LABELS, KIND_LABELS, LEVEL_LABELS

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


class CampaignUploadForm(FlaskForm):
    """A campaign definition file."""

    file = FileField(
        "评审通知定义文件（.toml）",
        validators=[
            FileRequired("请选择文件。"),
            FileAllowed(["toml"], "只能上传 .toml 格式的评审通知定义文件。"),
        ],
    )


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


@bp.route("/upload", methods=["GET", "POST"])
@roles_required("admin", "prefecture")
def upload():
    """Load a new or corrected notice definition (TOML) from the browser."""
    form = CampaignUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "campaign.toml").name
        folder = Path(tempfile.mkdtemp())
        path = folder / name
        try:
            upload.save(path)
            campaign, created = load_campaign_file(path)
        except CampaignDefinitionError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            record("campaign_load", current_user, {"code": campaign.code, "file": name})
            db.session.commit()
            flash(f"{'已导入' if created else '已更新'}评审通知“{campaign.title}”。", "success")
            return redirect(url_for("campaigns.detail", code=campaign.code))
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()
    return render_template("campaigns/upload.html", form=form)
