"""The county title-evaluation portal (职称申报服务台)."""

from __future__ import annotations

import os
import weakref
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from portal import memory
from portal.config import Config, instance_secret_key

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The portal cannot start with this configuration."""


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, extensions, blueprints, errors, commands."""
    memory.limit_arenas()  # before the server's threads start: see portal.memory
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    configure(app, config)
    patch_libraries()
    register_url_converters(app)
    register_extensions(app)
    register_request_class(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_middleware(app)
    register_heartbeat(app)
    return app


def register_heartbeat(app: Flask) -> None:
    """A serving portal notes so in the instance folder: `restore` refuses while it runs."""
    from portal.backup import heartbeat

    app.before_request(lambda: heartbeat(app))


def register_url_converters(app: Flask) -> None:
    """<int:…> stops at the largest id the database holds (before any route is added)."""
    from portal.security import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def register_request_class(app: Flask) -> None:
    """Requests whose form and query values carry no control characters."""
    from portal.formutil import CleanInput

    app.request_class = type("PortalRequest", (CleanInput, app.request_class), {})


def register_middleware(app: Flask) -> None:
    """Cookie attributes, and ProxyFix when FLASK_BEHIND_PROXY says nginx is in front."""
    from portal.security import install_middleware

    install_middleware(app)


def configure(app: Flask, config: type | dict[str, Any] | None) -> None:
    """Load defaults, the given config, then FLASK_* environment variables."""
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.from_prefixed_env()
    if isinstance(app.config["PERMANENT_SESSION_LIFETIME"], int | float):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
            seconds=app.config["PERMANENT_SESSION_LIFETIME"]
        )
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        db_path = Path(app.instance_path) / "portal.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        # No FLASK_SECRET_KEY: the key generated into the instance folder (debug included:
        # there is no built-in default key that anyone could know).
        try:
            app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"无法在实例目录 {app.instance_path} 中读取或生成密钥（{exc}）。"
                "请检查该目录的权限，或设置环境变量 FLASK_SECRET_KEY。\n"
                "(Cannot read or create the secret key in the instance folder: "
                "fix its permissions or set FLASK_SECRET_KEY.)"
            ) from exc


def patch_libraries() -> None:
    """Install our CJK line breaking into xhtml2pdf (refused on an unknown xhtml2pdf)."""
    from portal.documents import xhtml2pdf_cjk

    xhtml2pdf_cjk.apply()


def register_extensions(app: Flask) -> None:
    """Initialise the extension singletons."""
    from portal import models  # noqa: F401  (register every table)
    from portal.extensions import csrf, db, htmx, login_manager, migrate
    from portal.jobs import queue

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    queue.init_app(app)
    with app.app_context():
        _configure_sqlite(app, db.engine)
        _no_connections_across_fork(db.engine)


def _no_connections_across_fork(engine) -> None:
    """A forked child (gunicorn --preload, multiprocessing) starts with an empty pool.

    A connection opened before the fork would otherwise be used by parent and child at once:
    for SQLite that is one database handle driven from two processes, which corrupts memory.
    close=False leaves the parent's connections to the parent (SQLAlchemy's advice for fork).
    """
    ref = weakref.ref(engine)

    def after_fork_in_child() -> None:
        found = ref()
        if found is not None:
            found.dispose(close=False)

    if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
        os.register_at_fork(after_in_child=after_fork_in_child)


def _configure_sqlite(app: Flask, engine) -> None:
    """On SQLite: WAL, foreign keys and a busy timeout on every connection.

    With WAL, synchronous=NORMAL (SQLITE_SYNCHRONOUS) syncs at checkpoints instead of at every
    commit: the database cannot be corrupted, but a power cut may lose the last commits; a
    save no longer waits for the disk (it was a sixth of a section save). FULL restores it.
    """
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return
    timeout = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    synchronous = str(app.config.get("SQLITE_SYNCHRONOUS") or "NORMAL").upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ConfigurationError(f"SQLITE_SYNCHRONOUS={synchronous!r}：请使用 NORMAL 或 FULL。")
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={timeout}")
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()


def register_blueprints(app: Flask) -> None:
    """Attach every domain's blueprint."""
    from portal.applications.blueprint import bp as applications_bp
    from portal.audit.views import bp as audit_bp
    from portal.auth.views import bp as auth_bp
    from portal.campaigns.views import bp as campaigns_bp
    from portal.documents.blueprint import bp as documents_bp
    from portal.jobs.views import bp as jobs_bp
    from portal.main.views import bp as main_bp
    from portal.offices.views import bp as offices_bp
    from portal.rosters.views import bp as rosters_bp
    from portal.security import init_security
    from portal.vendor import bp as vendor_bp
    from portal.workdays.views import bp as workdays_bp

    app.register_blueprint(vendor_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(offices_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(workdays_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(rosters_bp)
    app.register_blueprint(audit_bp)
    init_security(app)


def register_errorhandlers(app: Flask) -> None:
    """Chinese error pages for the usual HTTP errors."""
    from flask import render_template
    from htmx_flask import request

    messages = {
        400: "请求无效。",
        403: "您没有权限进行此操作。",
        404: "未找到该页面或记录，或它不属于您的单位。",
        405: "不支持此操作方式。",
        409: "数据已被他人修改，请刷新后重试。",
        413: "上传的文件过大。",
        500: "服务器内部错误，已记录。请稍后重试或联系管理员。",
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            from portal.extensions import db

            db.session.rollback()  # the page itself must not fail on a broken transaction
        message = messages.get(code, "出错了。")
        if request.htmx:
            return render_template("errors/_error.html", code=code, message=message), code
        return render_template("errors/error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handler)

    def number_out_of_range(error: OverflowError):
        # A number too large for the database (SQLite stops at 2^63) that slipped past
        # positive_int and the <int:> converter: the request is bad, the server is fine.
        from werkzeug.exceptions import BadRequest

        from portal.extensions import db

        db.session.rollback()
        app.logger.warning("number out of range in %s: %s", request.path, error)
        return handler(BadRequest())

    app.register_error_handler(OverflowError, number_out_of_range)


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals: Chinese dates, masked ID numbers, labels."""
    from portal.security import csp_nonce
    from portal.textutil import format_date_cn, format_month_cn, mask_id
    from portal.timeutil import to_local
    from portal.vocabulary import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS

    app.jinja_env.filters["cn_date"] = format_date_cn
    app.jinja_env.filters["cn_month"] = format_month_cn
    app.jinja_env.filters["mask_id"] = mask_id
    app.jinja_env.filters["local_time"] = lambda dt: (
        to_local(dt).strftime("%Y年%-m月%-d日 %H:%M") if dt else ""
    )
    app.jinja_env.filters["level_label"] = lambda v: LEVEL_LABELS.get(v, v)
    app.jinja_env.filters["kind_label"] = lambda v: KIND_LABELS.get(v, v)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["status_label"] = lambda v: STATUS_LABELS.get(v, v)


def register_commands(app: Flask) -> None:
    """Flask CLI commands."""
    from portal.cli import register

    register(app)
