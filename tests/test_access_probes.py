"""Access probes: every URL rule, aimed at another office's records, by users who may not see them.

Office B's clerk first opens every page naming B's records and notes its forms (as an
attacker who knows the portal would); then office A's clerk and a prefecture user of another
prefecture open the same pages, replay the same forms with their own CSRF token, and name B's
records in query and form fields of every other rule. None of them may read anything of B's
(names, ID number, unit, template wording — in pages, PDFs, spreadsheets and Word files alike)
or change any of B's rows or the region-wide data; none of it may be a 5xx (issue 11).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.applications.sections import SECTIONS
from portal.documents.context import KINDS
from tests.factories import make_application, make_office, make_unit, make_user
from tests.test_fuzz_routes import FormCatalogue, _log_in, _token

B_NAME = "热依拉·阿不都热合曼"
B_UNIT = "和静县水利工程管理站"
B_TEMPLATE = "乙局专用公示措辞"
B_CLERK = "乙局经办员古丽"
# Rows every request may write: logins, the audit log, and the findings cache that any read of
# a list or dashboard fills (derived from the application, never typed by anyone).
NOT_OWNED = ("login_throttle", "login_session", "audit_entry", "check_summary")


@pytest.fixture
def probe_scene(app, world):
    from portal.documents.models import UnitTemplate
    from portal.extensions import db
    from portal.workdays.models import WorkdayOverride

    with app.app_context():
        kashgar = make_office("K01", "喀什市水利局", "喀什市", prefecture="喀什地区")
        make_unit(kashgar, "喀什市水利站")
        outsider = make_user("pref_kashgar", "password-pref-k", "prefecture", prefecture="喀什地区")
        clerk_b = db.session.get(type(outsider), world.clerk_b.id)
        clerk_b.display_name = B_CLERK
        victim = make_application(
            world.office_b,
            world.unit_b,
            world.campaigns["bz-water-2021"],
            name=B_NAME,
            seq=58,
            birth=date(1990, 5, 17),
            gender="女",
        )
        make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
        template = UnitTemplate(
            office_id=world.office_b.id,
            unit_id=world.unit_b.id,
            kind="publicity",
            text=B_TEMPLATE + "{{ 姓名 }}",
            campaign_code=None,
        )
        override = WorkdayOverride(day=date(2025, 6, 6), name="古尔邦节")
        db.session.add_all([template, override])
        db.session.commit()
        return {
            "attackers": {"clerk_a": world.clerk_a.id, "pref_kashgar": outsider.id},
            "owner": world.clerk_b.id,
            "b_ids": [
                victim.id,
                world.office_b.id,
                world.unit_b.id,
                template.id,
                world.clerk_b.id,
                override.id,
            ],
            "id_number": victim.id_number,
            "own_office": world.office_a.id,
            "admin": world.admin.id,
            "codes": list(world.campaigns),
        }


def _snapshot(app, scene) -> dict[str, list[tuple]]:
    """Every row the attackers must not change: all but their own office's and the logs."""
    from portal.extensions import db

    own_office, attackers = scene["own_office"], set(scene["attackers"].values())
    with app.app_context():
        own_apps = set(
            db.session.scalars(
                sa.text("SELECT id FROM application WHERE office_id = :o"), {"o": own_office}
            )
        )
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name in NOT_OWNED:
                continue
            kept = []
            for row in db.session.execute(sa.select(table).order_by(*table.primary_key)):
                m = row._mapping
                if own_office is not None and m.get("office_id") == own_office:
                    continue
                if m.get("application_id") in own_apps:
                    continue
                if table.name == "user" and m["id"] in attackers:
                    continue
                kept.append(tuple(str(v) for v in m.values()))
            rows[table.name] = kept
        return rows


def _text(resp) -> str:
    """What a response shows a reader: the page, or the text inside a PDF, xlsx or docx."""
    data = resp.get_data()
    if data.startswith(b"%PDF"):
        return _text_of_bytes(data)
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                parts = [z.read(n) for n in z.namelist() if n.endswith((".xml", ".csv", ".txt"))]
                inner = [_text_of_bytes(z.read(n)) for n in z.namelist() if n.endswith(".pdf")]
        except zipfile.BadZipFile:
            return data.decode("utf-8", "replace")
        return "\n".join([p.decode("utf-8", "replace") for p in parts] + inner)
    return data.decode("utf-8-sig", "replace")


def _text_of_bytes(data: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def _fill(rule, b_ids: list[int], codes: list[str]) -> list[str]:
    """The rule's URLs with each of B's ids (and every section, kind or notice code)."""
    pools = {"key": [s.key for s in SECTIONS], "kind": list(KINDS), "code": codes[:2]}
    urls = [rule.rule]
    for arg, converter in rule._converters.items():
        values = [str(i) for i in b_ids] if "Int" in type(converter).__name__ else pools.get(arg)
        pattern = rf"<(?:[^:<>]+:)?{arg}>"
        urls = [re.sub(pattern, v, u) for u in urls for v in values or ["x"]]
    return urls


SKIP = {"static", "vendor.asset", "auth.logout", "auth.logout_everywhere"}


def _markers(scene) -> list[str]:
    return [B_NAME, scene["id_number"], B_UNIT, B_TEMPLATE, B_CLERK]


def _rules_with_ids(app) -> list:
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint not in SKIP and any("Int" in type(c).__name__ for c in r._converters.values())
    ]


def _owner_forms(app, scene) -> tuple[dict[str, dict[str, str]], int]:
    """B's owner's view: the POST forms on every page naming B's records (target -> fields),
    and how many of those pages show B's data."""
    owner = app.test_client()
    _log_in(owner, scene["owner"])
    forms: dict[str, dict[str, str]] = {}
    owner_saw = 0
    for rule in _rules_with_ids(app):
        if "GET" not in rule.methods:
            continue
        for url in _fill(rule, scene["b_ids"], scene["codes"]):
            with owner.get(url) as resp:  # closed: a streamed download holds its context
                shown = _text(resp) if resp.status_code == 200 else ""
            owner_saw += any(m in shown for m in _markers(scene))
            if resp.status_code == 200 and "html" in resp.content_type:
                page = FormCatalogue(url)
                page.feed(shown)
                for method, target in page.targets:
                    if method == "POST" and target not in ("/logout", "/account/logout-everywhere"):
                        fields = {k: sorted(v)[-1] for k, v in page.fields.items() if v}
                        fields.pop("csrf_token", None)
                        forms[target] = fields
    return forms, owner_saw


def test_no_one_reads_or_changes_another_offices_records(app, probe_scene):
    scene = probe_scene
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = _snapshot(app, scene)
    markers = _markers(scene)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    with_ids = _rules_with_ids(app)
    forms, owner_saw = _owner_forms(app, scene)
    assert owner_saw > 10, "the probes would not notice a leak: B's owner sees too little"
    assert len(forms) > 10, "too few of B's forms found to replay"

    probes = 0
    leaks, errors = [], []

    def check(role, method, url, resp, data=None):
        nonlocal probes
        probes += 1
        shown = _text(resp) if resp.status_code < 500 else ""
        resp.close()  # a streamed download holds its context until closed
        if resp.status_code >= 500:
            errors.append((role, method, url, data, resp.status_code))
        else:
            found = [m for m in markers if m in shown]
            if found:
                leaks.append((role, method, url, data, resp.status_code, found))

    id_fields = ["office_id", "unit_id", "application_id", "ids", "id", "office", "unit", "user"]
    for role, user_id in scene["attackers"].items():
        client = app.test_client()
        _log_in(client, user_id)
        token = _token(client)
        headers = {"X-CSRFToken": token}
        for rule in with_ids:
            for url in _fill(rule, scene["b_ids"], scene["codes"]):
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    if method == "GET":
                        resp = client.get(url)
                    else:
                        data = {"csrf_token": token, **forms.get(url, {})}
                        resp = client.post(url, data=data, headers=headers)
                    check(role, method, url, resp)
        for url, fields in sorted(forms.items()):
            for hx in ({}, {"HX-Request": "true"}):
                data = {"csrf_token": token, **fields}
                check(role, "POST", url, client.post(url, data=data, headers={**headers, **hx}))
        for rule in rules:
            if rule._converters:
                continue
            for value in scene["b_ids"]:
                named = dict.fromkeys(id_fields, value)  # every id a view may read names B
                if "GET" in rule.methods:
                    check(role, "GET", rule.rule, client.get(rule.rule, query_string=named), named)
                if "POST" in rule.methods and rule.endpoint != "auth.login":
                    data = {"csrf_token": token, **named}
                    resp = client.post(rule.rule, data=data, headers=headers)
                    check(role, "POST", rule.rule, resp, data)
        # A fuzzed form may end the login; the probes above must have run logged in.
        assert client.get("/").status_code == 200, f"{role} was logged out during the probes"

    after = _snapshot(app, scene)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    print(f"access probes: {probes} requests by 2 outsiders, {len(forms)} of B's forms replayed")
    assert not errors, errors[:10]
    assert not leaks, leaks[:10]
    assert not changed, changed


def test_no_post_changes_anything_without_this_sessions_csrf_token(app, probe_scene):
    """B's owner and an admin, tricked into posting each of B's forms (and every other POST
    rule) without a token, with a made-up one or with another session's: refused, no change."""
    scene = probe_scene
    app.config["PROPAGATE_EXCEPTIONS"] = False
    scene = dict(scene, own_office=None, attackers={})
    before = _snapshot(app, scene)
    forms, _ = _owner_forms(app, scene)
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in SKIP | {"auth.login"}:
            for url in _fill(rule, scene["b_ids"], scene["codes"]):
                forms.setdefault(url, {})
    users = {"clerk_b": scene["owner"], "admin": probe_scene["admin"]}
    clients = {}
    for role, user_id in users.items():
        clients[role] = app.test_client()
        _log_in(clients[role], user_id)
    foreign = _token(app.test_client())  # a token of an anonymous session of its own
    probes, accepted = 0, []
    for role, client in clients.items():
        for url, fields in sorted(forms.items()):
            for token, hx in ((None, False), ("made-up", False), (foreign, False), (None, True)):
                data = dict(fields)
                headers = {"HX-Request": "true"} if hx else {}
                if token is not None:
                    data["csrf_token"] = token
                    headers["X-CSRFToken"] = token
                resp = client.post(url, data=data, headers=headers)
                resp.close()
                probes += 1
                if resp.status_code != (400 if hx else 303):  # the CSRF refusal of each kind
                    accepted.append((role, url, token, hx, resp.status_code))
        assert client.get("/").status_code == 200, f"{role} was logged out during the probes"
    print(f"CSRF probes: {probes} posts to {len(forms)} forms and rules, {len(accepted)} accepted")
    assert not accepted, accepted[:10]
    assert _snapshot(app, scene) == before
