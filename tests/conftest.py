"""Shared fixtures as in Flask's tutorial (flaskr): app, client, runner, an auth helper.

The app fixture keeps no application context open, so every request of the test client
runs in its own context, with its own `g` and database session, as on a real server. A
test that makes no requests works with the database through the `db` fixture, which holds
a context for the whole test. A test that makes requests opens a context only around its
own database work (`with app.app_context():`) and commits before the next request; the
client refuses a request made inside such a block.
"""

from __future__ import annotations

import re

import pytest
from flask import has_app_context
from flask.cli import FlaskGroup
from flask.testing import FlaskClient, FlaskCliRunner

from portal import create_app
from portal.extensions import db as _db


class TestConfig:
    """Configuration of the test suite: in-memory SQLite unless FLASK_* says otherwise."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = True
    # Jobs wait in this process's memory until a test runs them (queue.run_pending).
    JOBS_QUEUE_URL = "memory://"
    JOBS_CONSUMER_THREADS = 0


class Client(FlaskClient):
    """The test client, refusing requests made inside the test's application context."""

    def open(self, *args, **kwargs):
        if has_app_context():
            raise AssertionError(
                "a request made inside an open application context would share its `g` and "
                "database session: commit and leave the `with app.app_context():` block first "
                "(the db fixture holds a context for tests that make no requests)"
            )
        return super().open(*args, **kwargs)


class CliRunner(FlaskCliRunner):
    """Invokes commands as `flask --app wsgi …` does: FlaskGroup gives them an app context."""

    def invoke(self, cli=None, args=None, **kwargs):
        if cli is None:
            cli = FlaskGroup(create_app=lambda: self.app, load_dotenv=False)
        return super().invoke(cli, args, **kwargs)


@pytest.fixture
def app(tmp_path):
    """A fresh app on an in-memory SQLite database with the schema created."""
    app = create_app(TestConfig)
    app.instance_path = str(tmp_path)
    app.test_client_class = Client
    app.test_cli_runner_class = CliRunner
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, in an application context held for the test (which makes no requests)."""
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def readable(*objects):
    """Load the objects' columns, so that they can still be read after their context closes."""
    for obj in objects:
        _db.session.refresh(obj)
    return objects[0] if len(objects) == 1 else objects


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
    """Two offices with a unit and a clerk each, an admin, and the shipped campaigns.

    Made and committed in a context of its own: the objects are detached and can be read
    (ids, names) anywhere; to change one, load it again inside a context.
    """
    from tests.factories import make_world

    with app.app_context():
        world = make_world()
        readable(
            world.office_a,
            world.office_b,
            world.unit_a,
            world.unit_b,
            world.clerk_a,
            world.clerk_b,
            world.admin,
            *world.campaigns.values(),
        )
    return world


def statements_of(app, fn) -> list[str]:
    """The SQL statements the database runs while ``fn()`` runs (whitespace collapsed)."""
    from sqlalchemy import event

    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, *_rest):
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return seen


def post_form(client, url: str, data: dict, headers: dict | None = None):
    """POST with the CSRF token taken from the page itself."""
    token = csrf_token(client, url)
    return client.post(url, data={**data, "csrf_token": token}, headers=headers or {})


@pytest.fixture
def application(app, world):
    """A draft application of office A (bz-culture-2021), readable after its context closed."""
    from tests.factories import make_application

    with app.app_context():
        made = make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
        _db.session.commit()
        return readable(made)
