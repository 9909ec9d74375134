"""Large document batches as background jobs (portal.jobs): any worker renders, any serves.

`start_batch` submits the batch's spec (portal.documents.batch) as the job's parameters;
`render_batch`, its handler, plans the batch again (the data may have changed since the clerk
asked) and writes it with the same writer as a request, one step per document, into the
jobs folder every worker reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import Flask, current_app

from portal.applications.models import Application
from portal.auth.models import User
from portal.documents.batch import (
    BATCH_MODES,
    FORMATS,
    SUFFIX,
    BatchFailed,
    BatchSpec,
    batch_title,
    download_name,
    mimetype,
    plan_batch,
    record_export,
    write_batch,
)
from portal.extensions import db
from portal.jobs import runner
from portal.jobs.models import Job

JOB_KIND = "documents.batch"
#: Batches larger than this run in the background (DOCUMENT_BATCH_BACKGROUND_THRESHOLD).
DEFAULT_THRESHOLD = 20


def threshold(app: Flask | None = None) -> int:
    """The most documents a batch renders within the request."""
    config = (app or current_app).config
    return int(config.get("DOCUMENT_BATCH_BACKGROUND_THRESHOLD", DEFAULT_THRESHOLD))


def start_batch(spec: BatchSpec, apps: Sequence[Application], owner: User, *, total: int) -> Job:
    """Submit the batch `spec` of `apps` (planned to make `total` documents) as a job."""
    offices = {a.office_id for a in apps}
    return runner.submit(
        JOB_KIND,
        owner=owner,
        params=spec.params(),
        total=1 if spec.mode == "combined" else total,
        title=f"批量生成《{batch_title(spec.kinds, apps)}》",
        detail=f"{BATCH_MODES[spec.mode]} · {FORMATS[spec.fmt]} · 共{total}份",
        office_id=offices.pop() if len(offices) == 1 else None,
    )


@runner.handler(JOB_KIND)
def render_batch(ctx: runner.JobContext) -> None:
    """Plan the batch again and write its file; list what cannot be made instead."""
    spec = BatchSpec.from_params(ctx.params)
    stmt = sa.select(Application).where(Application.id.in_(spec.ids))
    found = {a.id: a for a in db.session.scalars(stmt)}
    if len(found) != len(spec.ids):
        ctx.problem("所选申报", ["部分申报已被删除，请重新选择后再生成。"])
        return
    plan = plan_batch([found[i] for i in spec.ids], spec.kinds)
    left_out = [(s.label, list(s.reasons)) for s in plan.skipped]
    if (plan.skipped and not spec.skip) or not plan.items:
        for label, reasons in left_out or [("所选申报", ["没有可以生成的文书。"])]:
            ctx.problem(label, reasons)
        return
    for label, reasons in left_out:
        ctx.skip(label, reasons)
    suffix = ".zip" if spec.mode == "zip" else SUFFIX[spec.fmt]
    try:
        with ctx.output(suffix).open("wb") as out:
            write_batch(plan, spec, out, ctx.step)
    except BatchFailed as exc:
        for label, messages in exc.problems:
            ctx.problem(label, messages)
        return
    # Committed by the runner together with the job's end.
    record_export(db.session.get(User, ctx.job.owner_id), plan, spec, background=True)
    ctx.finish(download_name(plan, spec), mimetype(spec))
