"""`flask jobs ...`: run the queue's consumer, look at the jobs."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.jobs import runner
from portal.jobs.models import Job


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (PDF batches, large exports)."""


@jobs_group.command("worker")
@click.option("--threads", default=2, show_default=True, help="jobs run at the same time")
@with_appcontext
def worker(threads: int) -> None:
    """Run the queue's consumer until stopped (Ctrl-C or SIGTERM finish the running jobs)."""
    queue = current_app.config.get("JOBS_QUEUE_URL") or "sqlite (instance folder)"
    click.echo(f"jobs worker: {threads} thread(s), queue {queue}")
    current_app.extensions["portal_jobs"].run_worker(threads)


@jobs_group.command("list")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def list_jobs(limit: int) -> None:
    """The most recent jobs: id, kind, status, progress, created."""
    for job in db.session.scalars(sa.select(Job).order_by(Job.created_at.desc()).limit(limit)):
        created = f"{job.created_at:%Y-%m-%d %H:%M}"
        click.echo(f"{job.id}  {job.kind:<18} {job.status:<8} {job.done}/{job.total}  {created}")


@jobs_group.command("sweep")
@with_appcontext
def sweep() -> None:
    """Queue lost jobs again and delete expired ones now (consumers do this every minute)."""
    click.echo(runner.sweep())
