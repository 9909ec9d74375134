"""Users and roles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.offices.models import Office
from portal.timeutil import utcnow

ROLES = ("clerk", "prefecture", "admin")
ROLE_LABELS = {"clerk": "县市经办人", "prefecture": "州职称办", "admin": "系统管理员"}


class User(UserMixin, db.Model):
    """A member of staff: a clerk of one office, a prefecture reader, or an admin."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    role: Mapped[str] = mapped_column(sa.String(16))
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    # A prefecture user reads every office of this prefecture.
    prefecture: Mapped[str | None] = mapped_column(sa.String(50))
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office | None] = relationship()

    #: The token of the login this user object was loaded for (see portal.auth.sessions).
    login_token = None  # not a column: set on the loaded object only

    def get_id(self) -> str:
        """Flask-Login's id: user id and login token, so ending the login ends both cookies."""
        return f"{self.id}:{self.login_token or ''}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Compare a password with the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_clerk(self) -> bool:
        return self.role == "clerk"

    @property
    def is_prefecture(self) -> bool:
        return self.role == "prefecture"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class LoginSession(db.Model):
    """One login of a user: the session and remember cookies are valid while this row exists."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token in the cookies: a copy of the database cannot be replayed as a login.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    remember: Mapped[bool] = mapped_column(default=False)


class LoginThrottle(db.Model):
    """Recent failed logins of one username or one address, and until when it must wait."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column()
