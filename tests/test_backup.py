"""Backup during writes, restore, integrity, data present; restore refuses a running portal."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db as _db
from portal.offices.models import Office

SQLITE = not os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI")


@pytest.fixture
def file_app(tmp_path):
    """An app on a database file (or the suite's PostgreSQL), stamped as migrated."""
    from flask_migrate import stamp

    uri = os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI") or f"sqlite:///{tmp_path / 'live.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "backup", "SQLALCHEMY_DATABASE_URI": uri})
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        _db.create_all()
        stamp()
        yield app
        _db.session.remove()
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        _db.engine.dispose()


def add_offices(start: int, count: int) -> None:
    with _db.engine.begin() as conn:
        for i in range(start, start + count):
            conn.execute(
                sa.insert(Office).values(
                    code=f"O{i:06d}", name=f"单位{i}", county="若羌县", prefecture="巴州"
                )
            )


def office_numbers() -> list[int]:
    with _db.engine.connect() as conn:
        codes = conn.execute(sa.select(Office.code).order_by(Office.code)).scalars().all()
    return [int(c[1:]) for c in codes]


def test_a_backup_taken_during_writes_restores_whole_and_consistent(file_app, tmp_path):
    runner = file_app.test_cli_runner()
    add_offices(0, 50)
    stop = threading.Event()
    written = [50]

    def writer() -> None:
        with file_app.app_context():
            while not stop.is_set():
                add_offices(written[0], 1)  # one commit per row
                written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        at_start = written[0]
        result = runner.invoke(args=["backup", str(tmp_path / "backups")])
        at_end = written[0]
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"已备份到 (\S+)（", result.output).group(1))
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600  # personal data: owner only
    if SQLITE:
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    total = written[0]
    assert total > at_end  # writes went on after the backup

    # Lose the data, then restore the backup.
    with _db.engine.begin() as conn:
        conn.execute(sa.delete(Office))
    restored = runner.invoke(args=["restore", str(path)], input="y\n")
    assert restored.exit_code == 0, restored.output
    _db.engine.dispose()
    numbers = office_numbers()
    # A snapshot of one moment: every row committed before the backup started, a gap-free
    # prefix of the writes, nothing written after it finished.
    assert numbers == list(range(len(numbers)))
    assert at_start <= len(numbers) <= at_end + 1
    if SQLITE:
        live = Path(file_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        con = sqlite3.connect(live)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    safety = re.search(r"恢复前的数据库另存在 (\S+)。", restored.output).group(1)
    assert Path(safety).exists()


def test_restore_refuses_while_the_portal_serves_and_asks_before_replacing(file_app, tmp_path):
    runner = file_app.test_cli_runner()
    add_offices(0, 3)
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    path = re.search(r"已备份到 (\S+)（", result.output).group(1)
    add_offices(3, 2)

    file_app.test_client().get("/login")  # the portal answers a request: it is running
    refused = runner.invoke(args=["restore", path, "--yes"])
    assert refused.exit_code != 0
    assert "似乎正在运行" in refused.output and "请先停止门户服务" in refused.output
    assert len(office_numbers()) == 5

    heartbeat = Path(file_app.instance_path) / "portal.running"
    old = time.time() - 3600
    os.utime(heartbeat, (old, old))  # stopped an hour ago
    declined = runner.invoke(args=["restore", path], input="n\n")
    assert declined.exit_code != 0 and len(office_numbers()) == 5
    accepted = runner.invoke(args=["restore", path], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    _db.engine.dispose()
    assert office_numbers() == [0, 1, 2]


@pytest.mark.skipif(not SQLITE, reason="the check reads SQLite files")
def test_restore_refuses_a_file_that_is_not_a_portal_backup(file_app, tmp_path):
    runner = file_app.test_cli_runner()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path, message in (
        (junk, "不是可用的 SQLite 备份文件"),
        (other, "不是职称申报服务台的备份文件"),
    ):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0 and message in result.output
