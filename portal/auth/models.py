"""Users and roles."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.offices.models import Office

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
