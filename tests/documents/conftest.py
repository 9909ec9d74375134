"""The filled 002 application most document tests print."""

from __future__ import annotations

import pytest

from portal.applications.models import Application
from tests.documents.test_documents import party_application


@pytest.fixture
def party_app(db, world) -> Application:
    """party_application, in the application context the test holds (it makes no requests)."""
    return party_application(world)


@pytest.fixture
def party_app_id(app, world) -> int:
    """The id of party_application, for tests that make requests."""
    with app.app_context():
        return party_application(world).id
