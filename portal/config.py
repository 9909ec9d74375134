"""Configuration: single-server defaults, overridable with FLASK_* environment variables."""

from __future__ import annotations

DEFAULT_SECRET_KEY = "change-me"


class Config:
    """Defaults for one small server running SQLite."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means: a SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # NORMAL with WAL: no fsync per commit (see portal._configure_sqlite); FULL: one per commit.
    SQLITE_SYNCHRONOUS = "NORMAL"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # Idle time after which staff must log in again.
    IDLE_TIMEOUT_SECONDS = 2 * 3600
    REMEMBER_COOKIE_DURATION = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Documents: a CJK TrueType font to embed; empty means search the usual places.
    PDF_FONT_BODY = ""
    PDF_FONT_HEADING = ""
    APPLICATIONS_PER_PAGE = 50
    # Background jobs (portal.jobs.queue): the queue's storage ("" = SQLite in the instance
    # folder, redis://... for several servers), the folder every worker reads results from
    # ("" = instance/jobs), and consumer threads in each app process (0: run `flask jobs worker`).
    JOBS_QUEUE_URL = ""
    JOBS_FOLDER = ""
    JOBS_CONSUMER_THREADS = 1
    JOBS_STALE_SECONDS = 300
    JOBS_LIFETIME_SECONDS = 24 * 3600
    TESTING = False
