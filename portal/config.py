"""Configuration: single-server defaults, overridable with FLASK_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The file in the instance folder that keeps the generated secret key.
SECRET_KEY_FILE = "secret_key"


class Config:
    """Defaults for one small server running SQLite."""

    # None means: the key kept in the instance folder, generated on first start.
    SECRET_KEY: str | None = None
    # None means: a SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # NORMAL with WAL: no fsync per commit (see portal._configure_sqlite); FULL: one per commit.
    SQLITE_SYNCHRONOUS = "NORMAL"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Cookies also get Secure whenever the request came over TLS (portal.security).
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # Idle time after which staff must log in again.
    IDLE_TIMEOUT_SECONDS = 2 * 3600
    REMEMBER_COOKIE_DURATION = 8 * 3600
    # How many proxies (nginx: 1) stand in front and set X-Forwarded-For/-Proto/-Host.
    BEHIND_PROXY = 0
    # The largest request body (nginx: client_max_body_size 20m).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
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


def instance_secret_key(instance_path: str | Path) -> str:
    """The secret key kept in the instance folder; generated (owner-only) on first start."""
    folder = Path(instance_path)
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Write a private temporary file, then link it into place: of several processes
        # starting at once, one wins and every other reads the winner's key.
        tmp = folder / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key readable by others is no secret
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key (delete it to generate a new one)")
    return key
