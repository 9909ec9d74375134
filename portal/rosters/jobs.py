"""Large roster exports as background jobs (portal.jobs): any worker writes, the owner downloads.

The request checks the selection and submits what the file needs (campaign, filters, format,
paper, the labels under the title, the audit detail); `write_roster`, the handler, builds the
roster again scoped to the owner's offices as they are when it runs, writes it with the same
writers as a request, one step per row, and audits the export as a request does.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app

from portal.applications.models import Application
from portal.audit import record
from portal.auth.models import User
from portal.campaigns.services import visible_campaign
from portal.extensions import db
from portal.jobs import runner
from portal.jobs.models import Job
from portal.rosters.builder import Roster, RosterFilters, make_roster, roster_statement
from portal.rosters.writers import CSV_MIMETYPE, XLSX_MIMETYPE, csv_chunks, write_xlsx
from portal.security import scope

JOB_KIND = "rosters.export"
#: Rosters of more rows than this are written in the background (ROSTER_JOB_THRESHOLD).
DEFAULT_THRESHOLD = 2000


def threshold(app: Flask | None = None) -> int:
    """The most rows a roster export writes within the request."""
    config = (app or current_app).config
    return int(config.get("ROSTER_JOB_THRESHOLD", DEFAULT_THRESHOLD))


def start_export(
    roster: Roster,
    filters: RosterFilters,
    *,
    campaign_id: int,
    fmt: str,
    paper: str,
    detail: dict,
    name: str,
    owner: User,
) -> Job:
    """Submit the export of `roster` (its labels and totals as the request made them)."""
    params = {
        "campaign": campaign_id,
        "filters": filters.as_detail(),
        "format": fmt,
        "paper": paper,
        "detail": detail,
        "name": name,
        "office_name": roster.office_name,
        "with_office": roster.spans_offices,
        "reporter": roster.reporter,
        "made_on": roster.made_on.isoformat() if roster.made_on else None,
    }
    return runner.submit(
        JOB_KIND,
        owner=owner,
        params=params,
        total=roster.applicants,
        title=f"导出《{roster.title}》",
        detail=f"{'Excel 表格' if fmt == 'xlsx' else 'CSV'} · 共{roster.applicants}人",
        office_id=filters.office_id or owner.office_id,
    )


@runner.handler(JOB_KIND)
def write_roster(ctx: runner.JobContext) -> None:
    """Build the roster again within the owner's offices and write its file; audited."""
    p = ctx.params
    owner = db.session.get(User, ctx.job.owner_id)
    campaign = visible_campaign(p["campaign"], owner) if owner and owner.is_active else None
    if campaign is None:
        ctx.problem("花名册", ["您已无权查看该评审通知的申报，未导出。"])
        return
    filters = RosterFilters(**p["filters"])
    roster = make_roster(
        scope(roster_statement(campaign, filters), Application, owner),
        campaign,
        p["office_name"],
        with_office=p["with_office"],
        reporter=p["reporter"],
        made_on=date.fromisoformat(p["made_on"]) if p["made_on"] else None,
    )
    rows, written = roster.rows, 0

    def counted():
        nonlocal written
        for row in rows:
            yield row
            written += 1
            ctx.step()

    roster.rows = counted()
    fmt = p["format"]
    with ctx.output(f".{fmt}").open("wb") as out:
        if fmt == "csv":
            for chunk in csv_chunks(roster):
                out.write(chunk)
        else:
            write_xlsx(roster, out, paper=p["paper"])
    # Committed by the runner together with the job's end.
    record("roster_export", owner, {**p["detail"], "后台生成": True}, rows=written)
    ctx.finish(p["name"], CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE)
