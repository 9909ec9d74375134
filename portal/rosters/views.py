"""Roster pages: export with filters, the prefecture's counts, import with a dry run, audit log."""

from __future__ import annotations

import math
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.applications.models import Application
from portal.audit import record
from portal.campaigns.models import Campaign
from portal.campaigns.services import visible_campaign, visible_campaigns
from portal.extensions import db
from portal.formutil import positive_int
from portal.offices.models import Office
from portal.rosters import importer, jobs
from portal.rosters.builder import (
    ALL,
    SELECTION_LABELS,
    SENT,
    Roster,
    RosterFilters,
    make_roster,
    page_rows,
    roster_statement,
)
from portal.rosters.checking import CHECK_LIMIT, check_selection
from portal.rosters.writers import CSV_MIMETYPE, PAPERS, XLSX_MIMETYPE, csv_chunks, write_xlsx
from portal.security import roles_required, scope, visible_offices
from portal.timeutil import local_today
from portal.vocabulary import LEVEL_LABELS, SENT_STATUSES, STATUS_LABELS

bp = Blueprint("rosters", __name__, url_prefix="/rosters")

FORMATS = ("xlsx", "csv")
PER_PAGE = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_DIR = "roster_uploads"
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SESSION_KEY = "roster_upload"
# The columns the roster page shows on screen (the files have them all).
PREVIEW_COLUMNS = frozenset(
    {
        "序号",
        "姓名",
        "性别",
        "民族",
        "身份证号",
        "主管部门",
        "工作单位",
        "申报系列",
        "申报专业",
        "申报级别",
        "申报类型",
        "免于答辩",
        "评审费（元）",
        "状态",
    }
)


def filters_from(values: MultiDict) -> RosterFilters:
    """Filters from request values; a clerk is always held to the own office.

    Without a choice the roster holds the applications sent (已推荐、已报送 …); applications
    ticked in the list are taken whatever their status unless a status is chosen.
    """
    level = values.get("level") or ""
    status = values.get("status") or ""
    ids = [i for i in (positive_int(v) for v in values.getlist("ids")) if i]
    filters = RosterFilters(
        office_id=positive_int(values.get("office")),
        series=(values.get("series") or "")[:40],
        level=level if level in LEVEL_LABELS else "",
        status=status if status in SELECTION_LABELS else (ALL if ids else SENT),
        ids=ids,
    )
    if current_user.is_clerk:
        filters.office_id = current_user.office_id
    return filters


def _campaign(values: MultiDict, filters: RosterFilters) -> Campaign | None:
    """The campaign asked for, or the one of the selected applications, or the newest."""
    campaign_id = positive_int(values.get("campaign"))
    if campaign_id is None and filters.ids:
        stmt = scope(
            sa.select(Application.campaign_id).where(Application.id.in_(filters.ids)), Application
        ).distinct()
        found = list(db.session.scalars(stmt))
        if len(found) > 1:
            flash(
                "所选人员属于不同的评审通知，花名册按评审通知分别导出，请只勾选同一通知的人员。",
                "warning",
            )
            abort(redirect(request.referrer or url_for("rosters.index")))
        campaign_id = found[0] if found else None
    if campaign_id is not None:
        return visible_campaign(campaign_id) or abort(404)
    # By default the newest campaign in which this user's offices have applications, those
    # the roster lists first (sent ones, by default).
    listed: set[int] = set()
    used: set[int] = set()
    statuses = filters.statuses()
    stmt = sa.select(Application.campaign_id, Application.status).distinct()
    for campaign_id, status in db.session.execute(scope(stmt, Application)):
        used.add(campaign_id)
        if statuses is None or status in statuses:
            listed.add(campaign_id)
    campaigns = visible_campaigns()
    preferred = [c for c in campaigns if c.id in listed] or [c for c in campaigns if c.id in used]
    return (preferred or campaigns or [None])[0]


def office_label(filters: RosterFilters) -> str:
    """The reporting office named under the title."""
    if filters.office_id:
        office = db.session.get(Office, filters.office_id)
        return office.name if office else ""
    if current_user.is_prefecture:
        return f"{current_user.prefecture}（全部主管部门）"
    return "全部主管部门"


def scoped_statement(campaign: Campaign, filters: RosterFilters) -> sa.Select:
    """The roster SELECT the current user may see: scope() keeps a clerk to the own office."""
    return scope(roster_statement(campaign, filters), Application)


def scoped_roster(campaign: Campaign, filters: RosterFilters) -> Roster:
    """The roster the current user may see, its rows streamed when written."""
    return make_roster(
        scoped_statement(campaign, filters),
        campaign,
        office_label(filters),
        with_office=not (filters.office_id or current_user.is_clerk),
        reporter=current_user.display_name or current_user.username,
        made_on=local_today(),
    )


def download_name(roster: Roster, fmt: str) -> str:
    """A file name like 2023年度党干校教师系列职称评审申报人员花名册_20231020.xlsx."""
    return f"{roster.title}_{local_today():%Y%m%d}.{fmt}"


def _attachment(resp: Response, filename: str) -> Response:
    """Mark a response as a download with a UTF-8 file name, never cached."""
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=roster.{filename.rsplit('.', 1)[-1]}; "
        f"filename*=UTF-8''{quote(filename)}"
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def page_numbers(page: int, pages: int, around: int = 2, edge: int = 1) -> list[int | None]:
    """Page links to show: the first and last pages and those around the current one."""
    shown: list[int | None] = []
    for n in range(1, pages + 1):
        if n <= edge or n > pages - edge or abs(n - page) <= around:
            shown.append(n)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown


@bp.get("/")
def index():
    """The roster page: filters, totals and counts, one page of the rows, the downloads."""
    values = request.args
    filters = filters_from(values)
    campaign = _campaign(values, filters)
    search = (values.get("q") or "").strip()[:50]
    page = max(positive_int(values.get("page")) or 1, 1)
    roster, rows, total = None, [], 0
    if campaign is not None:
        roster = scoped_roster(campaign, filters)
        rows, total = page_rows(
            scoped_statement(campaign, filters),
            roster,
            campaign.definition,
            page=page,
            per_page=PER_PAGE,
            search=search,
        )
    pages = max(1, math.ceil(total / PER_PAGE))
    args = {
        k: v
        for k, v in {
            "campaign": campaign.id if campaign else None,
            "office": filters.office_id if not current_user.is_clerk else None,
            "series": filters.series,
            "level": filters.level,
            "status": filters.status,
            "q": search,
        }.items()
        if v
    }
    ctx = dict(
        campaign=campaign,
        campaigns=visible_campaigns(),
        filters=filters,
        roster=roster,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        page_links=page_numbers(page, pages),
        args=args,
        search=search,
        preview_columns=[c for c in (roster.columns if roster else ()) if c in PREVIEW_COLUMNS],
        offices=visible_offices(Office.name),
        selection_labels=SELECTION_LABELS,
        status_labels=campaign.definition.status_labels() if campaign else STATUS_LABELS,
        sent_statuses=SENT_STATUSES,
        level_labels=LEVEL_LABELS,
        papers=PAPERS,
    )
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "roster-rows":
        return render_template("rosters/_rows.html", **ctx)
    return render_template("rosters/index.html", **ctx)


@bp.get("/check")
def check():
    """Which applications of the roster's selection the campaign's rules would refuse.

    Asked for by the roster page once it has shown (htmx) — or opened as its own page without
    JavaScript — so that the page itself stays O(page).
    """
    values = request.args
    filters = filters_from(values)
    campaign = _campaign(values, filters)
    if campaign is None:
        abort(404)
    ctx = dict(
        result=check_selection(scoped_statement(campaign, filters)),
        limit=CHECK_LIMIT,
        status_labels=campaign.definition.status_labels(),
    )
    if request.headers.get("HX-Request"):
        return render_template("rosters/_check.html", **ctx)
    return render_template("rosters/check.html", campaign=campaign, **ctx)


@bp.post("/export")
def export():
    """Download the roster as xlsx or CSV (filters or ids posted from the list); audited."""
    values = request.form
    fmt = values.get("format", "xlsx")
    paper = values.get("paper", "a4")
    if fmt not in FORMATS or paper not in PAPERS:
        abort(400)
    filters = filters_from(values)
    campaign = _campaign(values, filters)
    if campaign is None:
        abort(404)
    roster = scoped_roster(campaign, filters)
    office = db.session.get(Office, filters.office_id) if filters.office_id else None
    detail = {
        "评审通知": campaign.title,
        "格式": fmt,
        "筛选": filters.in_words(campaign.definition, office.name if office else ""),
        "填报单位": roster.office_name,
    }
    if fmt == "xlsx":
        detail["纸张"] = PAPERS[paper].label
    name = download_name(roster, fmt)
    if roster.applicants > jobs.threshold():  # written and audited in the background
        job = jobs.start_export(
            roster,
            filters,
            campaign_id=campaign.id,
            fmt=fmt,
            paper=paper,
            detail=detail,
            name=name,
            owner=current_user,
        )
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    record("roster_export", current_user, detail, rows=roster.applicants)
    db.session.commit()
    if fmt == "csv":
        resp = Response(stream_with_context(csv_chunks(roster)), mimetype=CSV_MIMETYPE)
        return _attachment(resp, name)
    out = tempfile.TemporaryFile()  # gone once closed
    write_xlsx(roster, out, paper=paper)
    out.seek(0)
    resp = Response(_file_chunks(out), mimetype=XLSX_MIMETYPE)
    resp.call_on_close(out.close)  # also when the client goes away before the end
    return _attachment(resp, name)


def _file_chunks(f, size: int = 256 * 1024) -> Iterator[bytes]:
    """A file's content in blocks, the file closed once read."""
    try:
        while chunk := f.read(size):
            yield chunk
    finally:
        f.close()


@bp.get("/summary")
def summary():
    """Counts by office, series and level for one campaign, from one aggregate query."""
    values = request.args
    filters = filters_from(MultiDict({"status": values.get("status") or SENT}))
    campaign = _campaign(values, filters)
    roster = scoped_roster(campaign, filters) if campaign is not None else None
    by_office: dict[str, int] = {}
    for c in roster.counts if roster else ():
        by_office[c.office] = by_office.get(c.office, 0) + c.applicants
    return render_template(
        "rosters/summary.html",
        campaign=campaign,
        campaigns=visible_campaigns(),
        filters=filters,
        roster=roster,
        by_office=by_office,
        selection_labels=SELECTION_LABELS,
    )


# --------------------------------------------------------------------------- import


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / UPLOAD_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads(max_age_seconds: int = UPLOAD_MAX_AGE_SECONDS) -> None:
    """Delete uploads nobody confirmed (the instance folder must not fill up with rosters)."""
    cutoff = time.time() - max_age_seconds
    for path in _upload_dir().glob("*.xlsx"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _upload_path(token: str) -> Path:
    if not _TOKEN.fullmatch(token or ""):
        abort(400)
    return _upload_dir() / f"{token}.xlsx"


def _import_office(values: MultiDict) -> Office:
    """The office rows are imported into: the clerk's own, or the one an admin picks."""
    if current_user.is_clerk:
        return db.session.get(Office, current_user.office_id) or abort(403)
    office = db.session.get(Office, positive_int(values.get("office")) or 0)
    if office is None:
        abort(400)
    return office


@bp.route("/import", methods=["GET", "POST"])
@roles_required("clerk", "admin")
def import_upload():
    """Upload a unit's roster; a dry run shows each row's result before anything is saved."""
    campaigns = visible_campaigns()
    offices = visible_offices(Office.name)
    if request.method == "GET":
        return render_template("rosters/import.html", campaigns=campaigns, offices=offices)
    campaign = visible_campaign(positive_int(request.form.get("campaign")))
    if campaign is None:
        flash("请选择评审通知。", "warning")
        return render_template("rosters/import.html", campaigns=campaigns, offices=offices), 400
    office = _import_office(request.form)
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    problem = None
    if not data:
        problem = "请选择要导入的 .xlsx 文件。"
    elif len(data) > MAX_UPLOAD_BYTES:
        problem = "文件超过5MB，请分批导入。"
    elif not data.startswith(b"PK"):
        problem = "只能导入 Excel 2007 及以上版本的 .xlsx 文件（旧版 .xls 请另存为 .xlsx）。"
    if problem:
        flash(problem, "danger")
        return render_template("rosters/import.html", campaigns=campaigns, offices=offices), 400
    _remove_stale_uploads()
    token = secrets.token_hex(16)
    _upload_path(token).write_bytes(data)
    session[SESSION_KEY] = {
        "token": token,
        "campaign": campaign.id,
        "office": office.id,
        "filename": (upload.filename or "")[:100],
    }
    result = importer.dry_run(data, campaign, office)
    return render_template(
        "rosters/import_preview.html",
        result=result,
        campaign=campaign,
        office=office,
        token=token,
        filename=upload.filename or "",
    )


@bp.post("/import/confirm")
@roles_required("clerk", "admin")
def import_confirm():
    """Save the checked rows of the uploaded file (all valid, or only the valid ones)."""
    pending = session.get(SESSION_KEY) or {}
    token = request.form.get("token", "")
    if pending.get("token") != token:
        flash("导入文件已过期，请重新上传。", "warning")
        return redirect(url_for("rosters.import_upload"))
    path = _upload_path(token)
    if not path.exists():
        flash("导入文件已过期，请重新上传。", "warning")
        return redirect(url_for("rosters.import_upload"))
    campaign = visible_campaign(pending["campaign"]) or abort(404)
    office = db.session.get(Office, pending["office"]) or abort(404)
    if current_user.is_clerk and office.id != current_user.office_id:
        abort(403)
    only_valid = bool(request.form.get("only_valid"))
    # The preview checked every row; the writes check each again, so the file is read and its
    # cells checked here, not run through the operations API twice.
    result = importer.dry_run(path.read_bytes(), campaign, office, check_writes=False)
    importer.apply(result, campaign, office, current_user, only_valid=only_valid)
    if not result.saved:
        db.session.rollback()
        result = importer.dry_run(path.read_bytes(), campaign, office)
        flash("文件中有错误，未导入任何数据。请修改后重新上传，或勾选“只导入无误的行”。", "danger")
        return render_template(
            "rosters/import_preview.html",
            result=result,
            campaign=campaign,
            office=office,
            token=token,
            filename=pending.get("filename", ""),
        )
    record(
        "roster_import",
        current_user,
        {
            "评审通知": campaign.title,
            "主管部门": office.name,
            "文件": pending.get("filename", ""),
            "只导入无误的行": only_valid,
            "新增": result.created,
            "更新": result.updated,
            "未导入": len(result.rows) - len(result.valid_rows),
        },
        rows=result.created + result.updated,
        office_id=office.id,
    )
    db.session.commit()
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    flash(f"已导入：新增 {result.created} 人，更新 {result.updated} 人。", "success")
    return redirect(url_for("applications.index", campaign=campaign.id))


# --------------------------------------------------------------------------- audit log


@bp.get("/audit")
def audit_log():
    """The import and export log moved to the audit page (操作日志); old links lead there."""
    return redirect(url_for("audit.index", **request.args), 301)
