"""Roster pages: export with filters, the prefecture's counts, import with a dry run, audit log."""

from __future__ import annotations

import re
import secrets
import time
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
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.applications.models import Application
from portal.audit import AuditEntry, record
from portal.campaigns.models import Campaign
from portal.campaigns.services import visible_campaign, visible_campaigns
from portal.extensions import db
from portal.formutil import positive_int
from portal.offices.models import Office
from portal.rosters import importer
from portal.rosters.builder import (
    Roster,
    RosterFilters,
    build_roster,
    load_applications,
    roster_statement,
)
from portal.rosters.writers import CSV_MIMETYPE, XLSX_MIMETYPE, write_csv, write_xlsx
from portal.security import roles_required, scope, visible_offices
from portal.timeutil import local_today
from portal.vocabulary import LEVEL_LABELS, STATUS_LABELS, STATUSES

bp = Blueprint("rosters", __name__, url_prefix="/rosters")

FORMATS = ("xlsx", "csv")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_DIR = "roster_uploads"
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SESSION_KEY = "roster_upload"
# The columns the export page shows on screen (the files have them all).
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
    }
)


def filters_from(values: MultiDict) -> RosterFilters:
    """Filters from request values; a clerk is always held to the own office."""
    level = values.get("level") or ""
    status = values.get("status") or ""
    filters = RosterFilters(
        office_id=positive_int(values.get("office")),
        series=(values.get("series") or "")[:40],
        level=level if level in LEVEL_LABELS else "",
        status=status if status in STATUSES else "",
        ids=[i for i in (positive_int(v) for v in values.getlist("ids")) if i],
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
    # By default the newest campaign in which this user's offices have applications.
    used = set(
        db.session.scalars(scope(sa.select(Application.campaign_id), Application).distinct())
    )
    campaigns = visible_campaigns()
    preferred = [c for c in campaigns if c.id in used]
    return (preferred or campaigns or [None])[0]


def office_label(filters: RosterFilters) -> str:
    """The reporting office named under the title."""
    if filters.office_id:
        office = db.session.get(Office, filters.office_id)
        return office.name if office else ""
    if current_user.is_prefecture:
        return f"{current_user.prefecture}（全部主管部门）"
    return "全部主管部门"


def scoped_roster(campaign: Campaign, filters: RosterFilters) -> Roster:
    """Build the roster the current user may see: scope() keeps a clerk to the own office."""
    stmt = scope(roster_statement(campaign, filters), Application)
    apps = load_applications(stmt)
    return build_roster(
        apps,
        campaign,
        office_label(filters),
        with_office=not (filters.office_id or current_user.is_clerk),
        reporter=current_user.display_name or current_user.username,
        made_on=local_today(),
    )


def download_name(roster: Roster, fmt: str) -> str:
    """A file name like 2023年度党干校教师系列职称评审申报人员花名册_20231020.xlsx."""
    return f"{roster.title}_{local_today():%Y%m%d}.{fmt}"


def _send(data: bytes, mimetype: str, filename: str) -> Response:
    """A download response with a UTF-8 file name."""
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=roster.{filename.rsplit('.', 1)[-1]}; "
        f"filename*=UTF-8''{quote(filename)}"
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/")
def index():
    """The export page: choose a campaign and filters, see how many rows, download."""
    values = request.args
    filters = filters_from(values)
    campaign = _campaign(values, filters)
    roster = scoped_roster(campaign, filters) if campaign else None
    preview = [c for c in (roster.columns if roster else ()) if c in PREVIEW_COLUMNS]
    return render_template(
        "rosters/index.html",
        campaign=campaign,
        campaigns=visible_campaigns(),
        filters=filters,
        roster=roster,
        preview_columns=preview,
        offices=visible_offices(Office.name),
        status_labels=STATUS_LABELS,
        level_labels=LEVEL_LABELS,
    )


@bp.post("/export")
def export():
    """Download the roster as xlsx or CSV (filters or ids posted from the list); audited."""
    values = request.form
    fmt = values.get("format", "xlsx")
    if fmt not in FORMATS:
        abort(400)
    filters = filters_from(values)
    campaign = _campaign(values, filters)
    if campaign is None:
        abort(404)
    roster = scoped_roster(campaign, filters)
    data = write_xlsx(roster) if fmt == "xlsx" else write_csv(roster)
    record(
        "roster_export",
        current_user,
        {
            "campaign": campaign.code,
            "format": fmt,
            "filters": filters.as_detail(),
            "office": roster.office_name,
        },
        rows=roster.applicants,
    )
    db.session.commit()
    return _send(data, XLSX_MIMETYPE if fmt == "xlsx" else CSV_MIMETYPE, download_name(roster, fmt))


@bp.get("/summary")
def summary():
    """Counts by office, series and level for one campaign, on one page."""
    filters = RosterFilters()
    campaign = _campaign(request.args, filters)
    rows: list[dict] = []
    if campaign is not None:
        stmt = scope(
            sa.select(
                Office.name,
                Application.series_code,
                Application.level,
                sa.func.count(Application.id),
            )
            .join(Office, Office.id == Application.office_id)
            .where(Application.campaign_id == campaign.id)
            .group_by(Office.name, Application.series_code, Application.level),
            Application,
        )
        d = campaign.definition
        series_pos = {s.code: i for i, s in enumerate(d.series)}
        level_pos = {lv: i for i, lv in enumerate(LEVEL_LABELS)}
        for office, series_code, level, n in db.session.execute(stmt):
            series = d.series_by_code(series_code)
            rows.append(
                {
                    "office": office,
                    "series": series.name if series else series_code,
                    "level": LEVEL_LABELS.get(level, level),
                    "count": n,
                    "_key": (office, series_pos.get(series_code, 99), level_pos.get(level, 99)),
                }
            )
        rows.sort(key=lambda r: r["_key"])
    by_office: dict[str, int] = {}
    for r in rows:
        by_office[r["office"]] = by_office.get(r["office"], 0) + r["count"]
    return render_template(
        "rosters/summary.html",
        campaign=campaign,
        campaigns=visible_campaigns(),
        rows=rows,
        by_office=by_office,
        total=sum(r["count"] for r in rows),
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
    result = importer.dry_run(path.read_bytes(), campaign, office)
    importer.apply(result, campaign, office, current_user, only_valid=only_valid)
    if not result.saved:
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
            "campaign": campaign.code,
            "file": pending.get("filename", ""),
            "only_valid": only_valid,
            "created": result.created,
            "updated": result.updated,
            "skipped": len(result.rows) - len(result.valid_rows),
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


AUDIT_LABELS = {"roster_export": "导出花名册", "roster_import": "导入花名册"}
DETAIL_LABELS = {
    "campaign": "评审通知", "format": "格式", "filters": "筛选", "office": "填报单位",
    "file": "文件", "out": "输出文件", "only_valid": "只导入无误的行", "created": "新增",
    "updated": "更新", "skipped": "未导入", "office_id": "主管部门编号", "series": "系列",
    "level": "级别", "status": "状态", "ids": "勾选的申报",
}  # fmt: skip


def detail_text(detail: dict) -> str:
    """An audit entry's detail as one Chinese line."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict):
            value = "，".join(f"{DETAIL_LABELS.get(k, k)}={v}" for k, v in value.items()) or "无"
        elif isinstance(value, bool):
            value = "是" if value else "否"
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{value}")
    return "；".join(parts)


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    """Every recorded export and import, newest first (admins only)."""
    page = max(positive_int(request.args.get("page")) or 1, 1)
    stmt = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    entries = db.paginate(stmt, page=page, per_page=50, error_out=False)
    offices = {o.id: o.name for o in db.session.scalars(sa.select(Office))}
    return render_template(
        "rosters/audit.html",
        entries=entries,
        offices=offices,
        labels=AUDIT_LABELS,
        detail_text=detail_text,
    )
