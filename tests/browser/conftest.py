"""A live portal on a temporary SQLite file with the demo data, and headless Chromium."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _require_browser() -> None:
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the Python package playwright is not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but {reason}")
        pytest.skip(reason)


def demo_app(folder: Path, **config):
    """A portal on a SQLite file in ``folder`` with the schema and the demo data; its jobs
    run in its own job thread, their files in ``folder``."""
    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            "JOBS_FOLDER": str(folder / "jobs"),
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
    return app


@contextmanager
def serving(app):
    """Serve ``app`` on 127.0.0.1 in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["portal_jobs"].stop_threads()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the portal on 127.0.0.1 with demo data; yields the base URL."""
    _require_browser()
    with serving(demo_app(tmp_path_factory.mktemp("live"))) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base: str, username: str = "ruoqiang", password: str = "demo-pass-2024") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def upload_roster(page, base: str, campaign: str, path) -> None:
    """Upload a roster file for a dry run (logged in already) and wait for the preview."""
    page.goto(f"{base}/rosters/import")
    page.select_option("#campaign", label=campaign)
    page.set_input_files("#file", str(path))
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def open_application(page, base: str, name: str) -> str:
    """Find an application by name in the list and open it; returns its URL prefix."""
    page.goto(f"{base}/applications/?q={name}")
    page.click(f"#results a:text-is('{name}')")
    page.wait_for_load_state("networkidle")
    return page.url.rsplit("/", 1)[0]
