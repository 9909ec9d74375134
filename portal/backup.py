"""Back up and restore the database: SQLite's online backup API, or pg_dump / pg_restore.

Both work from `flask --app wsgi backup DIR` and `restore FILE`, so an office on Windows
without the sqlite3 tool can use them. A restore refuses while the portal is serving (it
leaves a heartbeat in the instance folder) and first saves the current database beside it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.engine import URL, make_url

HEARTBEAT_FILE = "portal.running"
#: A server that answered a request this recently is taken to be running.
HEARTBEAT_FRESH_SECONDS = 5 * 60
#: The heartbeat is rewritten at most this often.
HEARTBEAT_EVERY_SECONDS = 30
SAFETY_FOLDER = "before-restore"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with a Chinese message saying why."""


@dataclass(frozen=True)
class Result:
    """A written backup (or the safety copy of a restore)."""

    path: Path
    size: int


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复。")
    return Path(url.database)


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _private(path: Path) -> None:
    """Backups hold ID and phone numbers: readable by the owner only (where that exists)."""
    if os.name == "posix":
        path.chmod(0o600)


# --------------------------------------------------------------------------- backup


def backup(folder: str | Path) -> Result:
    """Write a consistent copy of the database into folder, while the portal may run."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    url = _url()
    if url.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_path(url), folder / f"portal-{_stamp()}.db")
    if url.get_backend_name() == "postgresql":
        return _pg_dump(url, folder / f"portal-{_stamp()}.dump")
    raise BackupError(f"不支持备份这种数据库：{url.get_backend_name()}")


def _sqlite_backup(source: Path, target: Path) -> Result:
    """SQLite's online backup API: one consistent snapshot even with writers at work."""
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)  # all pages in one step: a snapshot of one moment
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        src.close()
        dst.close()
    if check != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"备份文件校验失败：{check}")
    _private(target)
    return Result(target, target.stat().st_size)


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for the database: the password never appears on a command line."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def _run(command: list[str], url: URL) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"找不到 {tool}：请安装 PostgreSQL 客户端工具（Debian：postgresql-client）。"
        )
    done = subprocess.run(command, env=_pg_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} 失败：{done.stderr.strip()[-500:]}")


def _pg_dump(url: URL, target: Path) -> Result:
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)], url)
    _private(target)
    return Result(target, target.stat().st_size)


# --------------------------------------------------------------------------- restore


def heartbeat(app: Flask) -> None:
    """Note in the instance folder that this process is serving (at most every 30 s)."""
    now = time.time()
    last = app.extensions.get("portal_heartbeat", 0.0)
    if now - last < HEARTBEAT_EVERY_SECONDS:
        return
    app.extensions["portal_heartbeat"] = now
    path = Path(app.instance_path) / HEARTBEAT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{os.getpid()}\n", encoding="ascii")
    except OSError:  # a read-only instance folder must not stop the portal
        app.logger.warning("cannot write the heartbeat %s", path)


def server_running(instance_path: str | Path) -> str | None:
    """Why the portal seems to be serving now (a Chinese sentence), or None."""
    path = Path(instance_path) / HEARTBEAT_FILE
    if not path.exists():
        return None
    age = time.time() - path.stat().st_mtime
    if age < HEARTBEAT_FRESH_SECONDS:
        return f"门户在{int(age // 60) + 1}分钟内还响应过访问，似乎正在运行"
    try:
        pid = int(path.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return None
    if pid and pid != os.getpid() and os.name == "posix":
        try:
            os.kill(pid, 0)  # signal 0 only asks whether the process exists
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return f"门户进程（编号{pid}）仍在运行"
    return None


def check_backup_file(path: Path) -> None:
    """A SQLite file that is whole and holds the portal's schema, else BackupError."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = con.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} 不是可用的 SQLite 备份文件（{exc}）。") from exc
    if check != "ok":
        raise BackupError(f"{path.name} 已损坏，校验结果：{check}")
    if not {"alembic_version", "application", "user"} <= tables:
        raise BackupError(f"{path.name} 不是职称申报服务台的备份文件。")


def restore(file: str | Path) -> Result:
    """Replace the database with a backup; returns the safety copy of what was there."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"找不到备份文件：{file}")
    reason = server_running(current_app.instance_path)
    if reason:
        raise BackupError(f"{reason}。请先停止门户服务，再恢复备份。")
    url = _url()
    safety_folder = Path(current_app.instance_path) / SAFETY_FOLDER
    safety_folder.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        return _sqlite_restore(file, _sqlite_path(url), safety_folder)
    if url.get_backend_name() == "postgresql":
        safety = _pg_dump(url, safety_folder / f"portal-{_stamp()}.dump")
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", url.database or "", str(file)],
            url,
        )  # fmt: skip
        return safety
    raise BackupError(f"不支持恢复这种数据库：{url.get_backend_name()}")


def _sqlite_restore(file: Path, target: Path, safety_folder: Path) -> Result:
    """Copy a checked backup over the database with the backup API (pages, not the file)."""
    check_backup_file(file)
    if target.exists():
        safety = _sqlite_backup(target, safety_folder / f"portal-{_stamp()}.db")
    else:
        safety = None
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        src.close()
        dst.close()
    if check != "ok":
        kept = safety.path if safety else "（无）"
        raise BackupError(f"恢复后校验失败：{check}。恢复前的数据库另存在 {kept}。")
    return safety or Result(target, target.stat().st_size)
