"""Login required by default, server-side logins, security headers, CSRF errors, scoping."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, abort, flash, g, redirect, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from htmx_flask import make_response, request
from werkzeug.routing import IntegerConverter

from portal.auth import sessions
from portal.extensions import db, login_manager
from portal.formutil import MAX_ID
from portal.offices.models import Office

# Endpoints reachable without logging in.
PUBLIC_ENDPOINTS = {"auth.login", "static", "vendor.asset"}
# Responses that may be cached: our own CSS and JavaScript, and the vendored htmx.
CACHEABLE_ENDPOINTS = {"static", "vendor.asset"}

M = TypeVar("M")

LOGIN_ENDED_MESSAGES = {
    "idle": "登录已超时，请重新登录。",
    "revoked": "您的登录已失效（已在别处退出、修改了密码或账号被调整），请重新登录。",
}


class BoundedIntConverter(IntegerConverter):
    """<int:…> in URLs, limited to ids the database can hold (2^63 is a 404, not a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_security(app: Flask) -> None:
    """Install the login gate, idle timeout, security headers and CSRF error handler."""
    login_manager.user_loader(sessions.load)

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
            return None
        ended = g.get("login_ended")
        if ended:
            # The login ended on the server (idle, logged out elsewhere, revoked): forget it
            # here too, remember cookie included (logout_user asks Flask-Login to delete it).
            logout_user()
            flash(LOGIN_ENDED_MESSAGES[ended], "warning")
            if request.htmx:
                return make_response("", 401, redirect=url_for("auth.login"))
            return redirect(url_for("auth.login"))
        return login_manager.unauthorized()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            # Pages, PDFs, rosters and job downloads carry personal data: never kept.
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
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


def csp_nonce() -> str:
    """This response's nonce for <style> elements (the CSP allows no inline script at all)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    """Scripts and styles from the portal only; inline styles only with this response's nonce."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{csp_nonce()}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class CookieHardening:
    """WSGI middleware: every cookie gets SameSite, and Secure when the request came over TLS.

    Sits inside ProxyFix, so behind nginx the scheme it sees is the client's. It sees the
    session cookie and Flask-Login's remember cookie alike, whoever sets them.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        secure = environ.get("wsgi.url_scheme") == "https"

        def harden(status: str, headers: list[tuple[str, str]], exc_info=None):
            out = []
            for name, value in headers:
                if name.lower() == "set-cookie":
                    attrs = {a.strip().split("=", 1)[0].lower() for a in value.split(";")[1:]}
                    if "samesite" not in attrs:
                        value += "; SameSite=Lax"
                    if secure and "secure" not in attrs:
                        value += "; Secure"
                out.append((name, value))
            return start_response(status, out, exc_info)

        return self.app(environ, harden)


def install_middleware(app: Flask) -> None:
    """Cookie hardening, behind ProxyFix when FLASK_BEHIND_PROXY names the proxies in front."""
    app.wsgi_app = CookieHardening(app.wsgi_app)
    proxies = app.config.get("BEHIND_PROXY") or 0
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = 1 if proxies is True else int(proxies)
        # The client's address and scheme; the host comes from nginx's own Host header
        # (a forwarded host nginx does not overwrite could be set by anyone).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)


def _is_safe(target: str | None) -> bool:
    """Only same-host URLs are safe to redirect to."""
    if not target or any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return False
    ref = urlsplit(request.host_url)
    test = urlsplit(target)
    return test.scheme in ("http", "https") and ref.netloc == test.netloc


def safe_next(target: str | None) -> str | None:
    """A `next=` value that is a path on this site, or None.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    "/%09/evil.com" would lead to //evil.com: any control character, whitespace or backslash,
    a second leading slash, a scheme or a host refuses the value.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 0x21 or c in "\x7f\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def office_ids_visible(user: Any = None) -> list[int] | None:
    """Office ids the user (by default the current one) may read; None means every office."""
    user = user or current_user
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


def scope(stmt: sa.Select, model: Any, user: Any = None) -> sa.Select:
    """Narrow a SELECT over an office-owned model to what the user (current) may read."""
    ids = office_ids_visible(user)
    if ids is None:
        return stmt
    return stmt.where(model.office_id.in_(ids))


def scoped_get_or_404(model: type[M], ident: int, *, write: bool = False, options=()) -> M:
    """Load one office-owned record, answering 404 for another office's record.

    `options`: loader options of the query (what to load with the record).
    """
    obj = db.session.get(model, ident, options=options)
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
