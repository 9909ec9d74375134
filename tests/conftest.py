"""Shared fixtures: app, client, runner, an auth helper and small factories."""

from __future__ import annotations

import re

import pytest
from flask import g, request_started

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db as _db


def _fresh_g(sender, **extra) -> None:
    g.__dict__.clear()


@pytest.fixture
def app(tmp_path):
    """A fresh app on an in-memory SQLite database with the schema created."""
    app = create_app(TestConfig)
    app.instance_path = str(tmp_path)
    # Tests keep one app context open across requests; give every request its own `g`,
    # as a real server does (Flask-WTF and Flask-Login cache per-request values there).
    request_started.connect(_fresh_g, app)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token from a page's meta tag or hidden field."""
    html = client.get(url).get_data(as_text=True)
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html
    )
    assert m, "no CSRF token on the page"
    return m.group(1)


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str = "clerk_a", password: str = "password-a"):
        token = csrf_token(self._client, "/login")
        return self._client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def world(app):
    """Two offices with a unit and a clerk each, an admin, and the shipped campaigns."""
    from tests.factories import make_world

    return make_world()


def post_form(client, url: str, data: dict, headers: dict | None = None):
    """POST with the CSRF token taken from the page itself."""
    token = csrf_token(client, url)
    return client.post(url, data={**data, "csrf_token": token}, headers=headers or {})
