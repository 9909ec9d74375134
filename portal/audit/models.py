"""The audit entry, the Chinese name of each action, and recording one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import db
from portal.timeutil import utcnow

#: Every action the log records, with the label staff read (the audit page filters by these).
ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "logout_everywhere": "退出所有设备",
    "user_create": "新建账号",
    "user_update": "修改账号",
    "password_change": "修改本人密码",
    "workday_override_save": "保存节假日调整",
    "workday_override_delete": "删除节假日调整",
    "office_create": "新建主管部门",
    "office_update": "修改主管部门",
    "campaign_load": "导入评审通知",
    "campaign_load_refused": "拒绝导入评审通知",
    "unit_template_save": "保存文书模板",
    "unit_template_delete": "恢复文书原文",
    "document_preview": "预览文书",
    "document_export": "下载文书",
    "roster_export": "导出花名册",
    "roster_import": "导入花名册",
    "application_delete": "删除申报",
    "audit_export": "导出操作日志",
}


class AuditEntry(db.Model):
    """One recorded action."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    rows: Mapped[int | None] = mapped_column()

    user: Mapped[User | None] = relationship()


def record(
    action: str,
    user: User | None,
    detail: dict | None = None,
    rows: int | None = None,
    office_id: int | None = None,
    username: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the request).

    Write details for people: names and titles rather than ids or codes (the page prints
    them as they are); `username` names who tried when there is no user (a failed login).
    """
    entry = AuditEntry(
        action=action,
        user_id=user.id if user else None,
        username=(username if username is not None else (user.username if user else "cli"))[:64],
        office_id=office_id if office_id is not None else (user.office_id if user else None),
        detail=detail or {},
        rows=rows,
    )
    db.session.add(entry)
    return entry
