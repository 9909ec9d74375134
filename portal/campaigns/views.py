"""Campaign list and detail pages, and loading a notice file from the browser."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from portal.audit import record
from portal.campaigns.definition import CampaignDefinitionError
from portal.campaigns.services import (
    CampaignLoadRefused,
    load_campaign_file,
    visible_campaign,
    visible_campaigns,
    window_statuses,
)
from portal.extensions import db
from portal.security import roles_required
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    COMMITMENT_MODE_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    REGION_WIDE,
)

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
    """The campaigns of the user's prefecture and the region, with windows and days left."""
    rows = [(c, window_statuses(c.definition)) for c in visible_campaigns()]
    return render_template("campaigns/index.html", rows=rows, region_wide=REGION_WIDE)


@bp.get("/<code>")
def detail(code: str):
    """One campaign: windows, series, fees, rules, notes, materials, documents, contacts."""
    campaign = visible_campaign(code) or abort(404)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        d=campaign.definition,
        windows=window_statuses(campaign.definition),
        level_labels=LEVEL_LABELS,
        kind_labels=KIND_LABELS,
        assessment_labels=ASSESSMENT_RESULT_LABELS,
        commitment_labels=COMMITMENT_MODE_LABELS,
    )


@bp.route("/upload", methods=["GET", "POST"])
@roles_required("admin", "prefecture")
def upload():
    """Load a new or corrected notice definition (TOML) of the user's own prefecture."""
    form = CampaignUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "campaign.toml").name
        folder = Path(tempfile.mkdtemp())
        path = folder / "upload.toml"
        try:
            upload.save(path)
            campaign, created = load_campaign_file(path, current_user, name=name)
        except CampaignDefinitionError as exc:
            form.file.errors.extend(exc.lines())
        except CampaignLoadRefused as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
            record("campaign_load_refused", current_user, {"file": name, "reason": exc.message})
            db.session.commit()
        else:
            db.session.commit()
            flash(f"{'已导入' if created else '已更新'}评审通知“{campaign.title}”。", "success")
            return redirect(url_for("campaigns.detail", code=campaign.code))
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()
    return render_template("campaigns/upload.html", form=form)
