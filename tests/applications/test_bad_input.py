"""Bad input never gives a 500: every field of every section, filled with nonsense."""

from __future__ import annotations

import re

import pytest

from portal.applications.sections import SECTIONS
from portal.extensions import db
from tests.factories import make_application

NONSENSE = [
    "<script>alert(1)</script>",
    "９９９９-９９-９９",
    "-5",
    "x" * 5000,
    "'; DROP TABLE x;--",
    "",
    "0",
    "2099-01-01",
    "1e309",
    "\x00",
]


@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
def test_nonsense_in_every_field_is_answered_without_a_500(app, client, auth, world, key):
    with app.app_context():
        application = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-culture-2021"]
        )
        db.session.commit()
        application_id = application.id
    auth.login()
    url = f"/applications/{application_id}/{key}"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    names = set(re.findall(r'name="([a-z_]+(?:-\d+-[a-z_]+)?)"', page))
    names -= {"csrf_token", "version", "action"}
    for value in NONSENSE:
        data = {name: value for name in names}
        data.update({"rows-0-start": value, "rows-0-year": value, "csrf_token": token})
        resp = client.post(url, data=data)
        assert resp.status_code in (200, 302, 409, 422), (value, resp.status_code)
        check = client.post(f"{url}/check?field=name", data=data)
        assert check.status_code in (200, 404), (value, check.status_code)
