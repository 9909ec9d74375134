"""Logins kept on the server: each cookie names one login, which logout or idleness ends.

Flask's session cookie and Flask-Login's remember cookie both carry ``User.get_id()``,
"<user id>:<login token>". A login is valid while its ``LoginSession`` row exists, is younger
than the session lifetime and was used within the idle timeout; so logging out, the idle
timeout, a password change, a role change, disabling an account and 「退出所有设备」 end
copies of the cookies too (Flask-Login's alternative-id pattern, with the token on the server).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm import joinedload

from portal.auth.models import LoginSession, User
from portal.extensions import db
from portal.timeutil import utcnow

#: last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _lifetime() -> timedelta:
    """The longest a login lasts: the longer of the session and remember-cookie lifetimes."""
    config = current_app.config
    longest = max(
        _seconds(config["PERMANENT_SESSION_LIFETIME"]),
        _seconds(config.get("REMEMBER_COOKIE_DURATION", 0)),
    )
    return timedelta(seconds=longest)


def _idle_timeout() -> timedelta:
    return timedelta(seconds=int(current_app.config["IDLE_TIMEOUT_SECONDS"]))


def start(user: User, *, remember: bool = False) -> str:
    """Open a login for the user (before login_user) and return its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < now - _lifetime()
        )
    )
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_hash(token),
            created_at=now,
            last_seen_at=now,
            remember=remember,
        )
    )
    user.login_token = token
    return token


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live login, else None (and why, in g)."""
    uid, _, token = (user_id or "").partition(":")
    if not uid.isascii() or not uid.isdigit() or len(uid) > 9 or not token:
        return None
    # The login, its user and the user's office (every page names it) in one statement.
    found = db.session.execute(
        sa.select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .options(joinedload(User.office))
        .where(LoginSession.token_hash == _hash(token), LoginSession.user_id == int(uid))
    ).first()
    if found is None:
        g.login_ended = "revoked"
        return None
    row, user = found
    now = utcnow()
    if now - row.last_seen_at > _idle_timeout() or now - row.created_at > _lifetime():
        db.session.delete(row)
        db.session.commit()
        g.login_ended = "idle"
        return None
    if not user.active:
        g.login_ended = "revoked"
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.login_token = token
    return user


def current_row(user: User) -> LoginSession | None:
    """The login row of the user object's token."""
    if not user.login_token:
        return None
    return db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token_hash == _hash(user.login_token))
    )


def end(user: User) -> None:
    """End this login only (logout)."""
    if user.login_token:
        db.session.execute(
            sa.delete(LoginSession).where(LoginSession.token_hash == _hash(user.login_token))
        )
    user.login_token = None


def end_all(user: User) -> int:
    """End every login of the user, everywhere (password, role or status change); how many."""
    result = db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    user.login_token = None
    return result.rowcount or 0


def count(user: User) -> int:
    """How many live logins the user has (for the account page)."""
    cutoff = utcnow() - _idle_timeout()
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.last_seen_at >= cutoff)
        )
        or 0
    )
