"""A background job's progress page and its result's download, for the user who started it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user

from portal.jobs import runner
from portal.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own_job_or_404(job_id: str) -> Job:
    """A job of the current user; anyone else's, or an unknown one, is 404."""
    job = runner.get_job(job_id, current_user)
    if job is None:
        abort(404)
    return job


@bp.get("/<job_id>")
def status(job_id: str):
    """Progress of a job; the status part polls itself every second until the job ends."""
    job = _own_job_or_404(job_id)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render_template(template, job=job)


@bp.get("/<job_id>/download")
def download(job_id: str):
    """The file a finished job made, for its owner."""
    job = _own_job_or_404(job_id)
    path = runner.result_path(job)
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype=job.mimetype,
        as_attachment=True,
        download_name=job.download_name,
        max_age=0,
    )
