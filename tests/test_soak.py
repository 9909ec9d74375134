"""Soak: 2 gunicorn workers × 4 threads, 8 clients listing, searching, saving, printing and
starting batch jobs at once, faulthandler on: no crash, no 5xx, no worker restarted.

A short run here (PORTAL_SOAK_SECONDS, 20 by default); `python -m tests.benchmarks` runs
it for minutes.
"""

from __future__ import annotations

import os

import pytest

from tests import soak
from tests.serving import have_gunicorn


@pytest.mark.skipif(not have_gunicorn(), reason="needs gunicorn (Linux)")
def test_concurrent_clerks_crash_no_worker(tmp_path) -> None:
    seconds = float(os.environ.get("PORTAL_SOAK_SECONDS", "20"))
    configured = os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI", "")
    uri = configured if configured.startswith("postgresql") else None
    result = soak.run(tmp_path, seconds, database_uri=uri)
    assert result.ok, result.summary() + "\n" + "\n".join(result.crashes + result.errors[:20])
    assert {"list", "search", "save", "pdf"} <= set(result.requests), result.summary()
    assert result.statuses[302] + result.statuses[303] > 0, result.summary()  # saves went through
