"""Login required by default, session idle timeout, CSRF errors, and office scoping."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, abort, flash, redirect, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from htmx_flask import make_response, request

from portal.auth.models import User
from portal.extensions import db, login_manager
from portal.offices.models import Office

# Endpoints reachable without logging in.
PUBLIC_ENDPOINTS = {"auth.login", "static", "vendor.asset"}

M = TypeVar("M")


def init_security(app: Flask) -> None:
    """Install the login gate, idle timeout and CSRF error handler."""

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.htmx:
            return make_response("", 401, redirect=url_for("auth.login"))
        flash(login_manager.login_message, "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if current_user.is_authenticated:
            now = int(time.time())
            last = session.get("last_seen", now)
            timeout = app.config["IDLE_TIMEOUT_SECONDS"]
            if now - last > timeout:
                logout_user()
                session.clear()
                flash("登录已超时，请重新登录。", "warning")
                if request.htmx:
                    return make_response("", 401, redirect=url_for("auth.login"))
                return redirect(url_for("auth.login"))
            session["last_seen"] = now
            return None
        return login_manager.unauthorized()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint not in ("static", "vendor.asset") and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")  # personal data
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        app.logger.info("CSRF refused: %s", error.description)
        message = "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。您填写的内容未保存。"
        if request.htmx:
            from flask import render_template

            return render_template("errors/_error.html", code=400, message=message), 400
        flash(message, "danger")
        target = request.referrer if _is_safe(request.referrer) else url_for("main.home")
        return redirect(target), 303


def _is_safe(target: str | None) -> bool:
    """Only same-host URLs are safe to redirect to."""
    from urllib.parse import urlparse

    if not target:
        return False
    ref = urlparse(request.host_url)
    test = urlparse(target)
    return test.scheme in ("http", "https") and ref.netloc == test.netloc


def safe_next(target: str | None) -> str | None:
    """A `next=` value that is a local path, or None (URLs with a host are refused)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def office_ids_visible() -> list[int] | None:
    """Office ids the current user may read; None means every office (admin)."""
    user = current_user
    if not user.is_authenticated:
        return []
    if user.is_admin:
        return None
    if user.is_prefecture:
        stmt = sa.select(Office.id).where(Office.prefecture == user.prefecture)
        return list(db.session.scalars(stmt))
    return [user.office_id] if user.office_id else []


def visible_offices(order_by: Any = None) -> list:
    """Offices the current user may read (by code unless another order is given)."""
    stmt = sa.select(Office).order_by(order_by if order_by is not None else Office.code)
    ids = office_ids_visible()
    if ids is not None:
        stmt = stmt.where(Office.id.in_(ids))
    return list(db.session.scalars(stmt))


def scope(stmt: sa.Select, model: Any) -> sa.Select:
    """Narrow a SELECT over an office-owned model to what the current user may read."""
    ids = office_ids_visible()
    if ids is None:
        return stmt
    return stmt.where(model.office_id.in_(ids))


def scoped_get_or_404(model: type[M], ident: int, *, write: bool = False) -> M:
    """Load one office-owned record, answering 404 for another office's record."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    ids = office_ids_visible()
    if ids is not None and obj.office_id not in ids:
        abort(404)
    if write and not can_edit_office(obj.office_id):
        abort(403)
    return obj


def can_edit_office(office_id: int) -> bool:
    """Clerks edit their own office's data; admins any office; prefecture users read only."""
    user = current_user
    if user.is_admin:
        return True
    return user.is_clerk and user.office_id == office_id


def roles_required(*roles: str) -> Callable:
    """Decorator: only these roles may call the view (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class LoginThrottle:
    """Refuse logins for a username after too many failures in a window (one process)."""

    def __init__(self, limit: int = 5, window_seconds: int = 15 * 60):
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, list[float]] = {}

    def _recent(self, username: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(username, []) if now - t < self.window]
        self._failures[username] = times
        return times

    def blocked(self, username: str, now: float | None = None) -> int:
        """Minutes left while this username is locked out, else 0."""
        now = time.time() if now is None else now
        times = self._recent(username, now)
        if len(times) < self.limit:
            return 0
        return max(1, int((times[0] + self.window - now) // 60) + 1)

    def failed(self, username: str, now: float | None = None) -> None:
        """Record one failed attempt."""
        now = time.time() if now is None else now
        self._recent(username, now).append(now)

    def succeeded(self, username: str) -> None:
        """Forget the failures of a username that logged in."""
        self._failures.pop(username, None)


def login_throttle() -> LoginThrottle:
    """The login throttle of this app (kept in the app, so each app starts clean)."""
    from flask import current_app

    return current_app.extensions.setdefault("portal_login_throttle", LoginThrottle())
