"""The audit log page (admins): filter by user, action and date; export to xlsx (audited).

Details are shown as people read them. New entries store names and titles; entries written
before that (ids, campaign codes, document kinds, English keys) are translated here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from portal.audit.models import ACTION_LABELS, AuditEntry, record
from portal.extensions import db
from portal.formutil import positive_int
from portal.security import roles_required
from portal.textutil import neutralise_cell, parse_date_loose, strip_control
from portal.timeutil import LOCAL_OFFSET, local_today, to_local
from portal.vocabulary import LEVEL_LABELS, STATUS_LABELS

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PER_PAGE = 50
#: The most entries one export writes (the filters narrow a larger log).
EXPORT_LIMIT = 50_000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: English keys of entries written before details were stored in words.
LEGACY_KEYS = {
    "campaign": "评审通知", "code": "评审通知", "campaign_code": "评审通知", "format": "格式",
    "filters": "筛选", "office": "主管部门", "file": "文件", "out": "输出文件",
    "only_valid": "只导入无误的行", "created": "新增", "updated": "更新", "skipped": "未导入",
    "office_id": "主管部门", "series": "系列", "level": "级别", "status": "状态",
    "ids": "勾选的申报", "kind": "文书", "mode": "方式", "application_ids": "申报人",
    "application": "申报人", "name": "姓名", "unit_id": "推荐单位", "background": "后台生成",
    "title": "评审通知", "prefecture": "地州", "reason": "原因",
}  # fmt: skip
#: Keys that only ever held internal ids: left out of what people read.
HIDDEN_KEYS = {"template_id"}
MODE_LABELS = {
    "single": "单份", "merged": "合并为一个PDF", "zip": "ZIP压缩包",
    "combined": "同一单位多人合并公示", "cli": "命令行",
}  # fmt: skip


class _Names:
    """Lookups from ids and codes to names, loaded once per page."""

    def __init__(self) -> None:
        from portal.applications.models import Application
        from portal.campaigns.models import Campaign
        from portal.documents.context import KIND_LABELS
        from portal.documents.models import UNIT_TEMPLATE_KINDS
        from portal.offices.models import Office, RecommendingUnit

        self._app = Application
        self.offices = dict(db.session.execute(sa.select(Office.id, Office.name)).all())
        self.units = dict(
            db.session.execute(sa.select(RecommendingUnit.id, RecommendingUnit.name)).all()
        )
        campaigns = list(db.session.scalars(sa.select(Campaign)))
        self.campaigns = {c.code: c.title for c in campaigns} | {c.id: c.title for c in campaigns}
        self.series = {s.code: s.name for c in campaigns for s in c.definition.series}
        self.kinds = {**UNIT_TEMPLATE_KINDS, **KIND_LABELS}
        self._people: dict[int, str] = {}

    def want_people(self, ids: Iterable[int]) -> None:
        """Load the names of these applications in one query."""
        missing = {i for i in ids if isinstance(i, int) and i not in self._people}
        if missing:
            stmt = sa.select(self._app.id, self._app.name).where(self._app.id.in_(missing))
            self._people.update(dict(db.session.execute(stmt).all()))

    def person(self, app_id: Any) -> str:
        return (
            self._people.get(app_id, "（已删除的申报）") if isinstance(app_id, int) else str(app_id)
        )


def _people_ids(entries: Iterable[AuditEntry]) -> list[int]:
    ids: list[int] = []
    for e in entries:
        detail = e.detail or {}
        for key in ("application_ids", "ids", "application"):
            value = detail.get(key)
            if isinstance(value, list):
                ids.extend(v for v in value if isinstance(v, int))
            elif isinstance(value, int):
                ids.append(value)
        filters = detail.get("filters")
        if isinstance(filters, dict) and isinstance(filters.get("ids"), list):
            ids.extend(v for v in filters["ids"] if isinstance(v, int))
    return ids


def _value(key: str, value: Any, names: _Names) -> str:
    """One detail value in words."""
    if isinstance(value, bool) and key != "created":
        return "是" if value else "否"
    if key != "prefecture" and (value is None or value == "" or value == []):
        return "无"
    if key == "prefecture" and not value:
        return "全区"
    if key == "created" and isinstance(value, bool):
        return "新导入" if value else "更新已有的"
    if key in ("campaign", "code", "campaign_code"):
        return names.campaigns.get(value, str(value))
    if key in ("office_id", "office") and isinstance(value, int):
        return names.offices.get(value, "（已删除的主管部门）")
    if key == "unit_id":
        return names.units.get(value, "（已删除的推荐单位）")
    if key in ("application_ids", "ids", "application"):
        people = [names.person(v) for v in (value if isinstance(value, list) else [value])]
        return _list(people)
    if key == "kind":
        return names.kinds.get(value, str(value))
    if key == "mode":
        return MODE_LABELS.get(value, str(value))
    if key == "level":
        return LEVEL_LABELS.get(value, str(value))
    if key == "status":
        return STATUS_LABELS.get(value, str(value))
    if key == "series":
        return names.series.get(value, str(value))
    if isinstance(value, dict):
        return "，".join(f"{_key(k)}：{_value(k, v, names)}" for k, v in value.items()) or "无"
    if isinstance(value, list):
        return _list([str(v) for v in value])
    return str(value)


def _list(items: list[str], shown: int = 20) -> str:
    """张三、李四 … 等N人 (long lists shortened)."""
    if len(items) <= shown:
        return "、".join(items)
    return "、".join(items[:shown]) + f" 等{len(items)}项"


def _key(key: str) -> str:
    return LEGACY_KEYS.get(key, key)


def detail_text(detail: dict | None, names: _Names) -> str:
    """An entry's detail as one Chinese line: 文书：推荐单位公示；申报人：张三、李四."""
    parts = []
    detail = detail or {}
    for key, value in detail.items():
        if key in HIDDEN_KEYS or (key == "code" and "title" in detail):
            continue  # a notice's code beside its title says nothing more
        label = "方式" if key == "created" and isinstance(value, bool) else _key(key)
        parts.append(f"{label}：{_value(key, value, names)}")
    return "；".join(parts)


@dataclass
class AuditFilters:
    """What the page is narrowed to: a username, an action, a date range (Beijing dates)."""

    username: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        """Read and check the query values; a bad date is reported at its field."""
        errors: dict[str, str] = {}
        action = (args.get("action") or "").strip()
        filters = cls(
            username=(args.get("user") or "").strip()[:64],
            action=action if action in ACTION_LABELS else "",
            errors=errors,
        )
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(filters, name, parse_date_loose(raw))
                except ValueError as exc:
                    errors[name] = str(exc)
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            errors["date_to"] = "截止日期不能早于起始日期。"
        return filters

    def statement(self) -> sa.Select:
        """The entries matching, newest first."""
        stmt = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if self.username:
            stmt = stmt.where(AuditEntry.username == self.username)
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        # Dates are Beijing dates; the log keeps naive UTC.
        if self.date_from:
            stmt = stmt.where(
                AuditEntry.at >= datetime.combine(self.date_from, time()) - LOCAL_OFFSET
            )
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time()) - LOCAL_OFFSET
            stmt = stmt.where(AuditEntry.at < end)
        return stmt

    def as_args(self) -> dict[str, str]:
        """The filters as query values (for page links and the export)."""
        args = {
            "user": self.username,
            "action": self.action,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in args.items() if v}

    def in_words(self) -> dict[str, str]:
        """The filters for the export's own audit entry."""
        words = {
            "账号": self.username,
            "操作": ACTION_LABELS.get(self.action, ""),
            "起始日期": self.date_from.isoformat() if self.date_from else "",
            "截止日期": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in words.items() if v} or {"范围": "全部"}


def _usernames() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.username).distinct().order_by(AuditEntry.username))
    )


@bp.get("/")
@roles_required("admin")
def index():
    """The audit log, newest first, narrowed by user, action and date."""
    filters = AuditFilters.from_args(request.args)
    page = positive_int(request.args.get("page")) or 1
    stmt = filters.statement() if not filters.errors else sa.select(AuditEntry).where(sa.false())
    entries = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    names = _Names()
    names.want_people(_people_ids(entries.items))
    return render_template(
        "audit/index.html",
        entries=entries,
        filters=filters,
        usernames=_usernames(),
        actions=ACTION_LABELS,
        names=names,
        detail_text=detail_text,
        today=local_today(),
    )


@bp.get("/export")
@roles_required("admin")
def export():
    """The filtered log as an xlsx file (the export is itself recorded)."""
    filters = AuditFilters.from_args(request.args)
    if filters.errors:
        return index()
    entries = list(db.session.scalars(filters.statement().limit(EXPORT_LIMIT)))
    names = _Names()
    names.want_people(_people_ids(entries))
    data = write_xlsx(entries, names)
    record("audit_export", current_user, filters.in_words(), rows=len(entries))
    db.session.commit()
    filename = f"操作日志_{local_today():%Y%m%d}.xlsx"
    resp = Response(data, mimetype=XLSX_MIMETYPE)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=audit.xlsx; filename*=UTF-8''{quote(filename)}"
    )
    return resp


COLUMNS = (("时间", 18), ("账号", 14), ("主管部门", 24), ("操作", 14), ("条数", 8), ("详情", 80))


def _cell(value: Any) -> Any:
    """A value for the sheet: no control characters, formulas neutralised."""
    return neutralise_cell(strip_control(value))


def write_xlsx(entries: list[AuditEntry], names: _Names) -> bytes:
    """The entries as a sheet: time, account, office, action, rows, details in words."""
    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    ws.append([label for label, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e in entries:
        ws.append(
            [
                _cell(to_local(e.at).strftime("%Y-%m-%d %H:%M:%S")),
                _cell(e.username),
                _cell(names.offices.get(e.office_id, "") if e.office_id else ""),
                _cell(ACTION_LABELS.get(e.action, e.action)),
                e.rows,
                _cell(detail_text(e.detail, names)),
            ]
        )
    for col, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
