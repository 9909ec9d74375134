"""Security headers, cookies and the proxy setting (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import TestConfig, csrf_token

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def login(client, remember=True, **kw):
    token = csrf_token(client, "/login")
    data = {"username": "clerk_a", "password": "password-a", "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, **kw)


def test_pages_carry_a_csp_without_inline_script_and_refuse_framing(client, auth, world):
    auth.login()
    resp = client.get("/applications/")
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_htmx_is_configured_without_eval_in_a_meta_tag(client):
    html = client.get("/login").get_data(as_text=True)
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert meta and '"allowEval": false' in meta.group(1)
    assert '"includeIndicatorStyles": false' in meta.group(1)


def test_no_template_holds_inline_script_handlers_or_style_attributes():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # inline script
            r"\son[a-z]+\s*=",  # onclick=, onsubmit= …
            r"\sstyle\s*=",  # style attributes (style-src has no 'unsafe-inline')
            r"<style(?![^>]*\bnonce=)[^>]*>",  # a <style> element without the nonce
            r"hx-on|js:",
        ):
            found += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def filled_application_id(app, world) -> int:
    """A 002 application of office A with everything its documents print."""
    from tests.documents.test_documents import party_application

    with app.app_context():
        return party_application(world).id


def test_an_inline_style_of_a_document_preview_carries_this_responses_nonce(
    app, client, auth, world
):
    app_id = filled_application_id(app, world)
    auth.login()
    resp = client.get(f"/documents/{app_id}/publicity")
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in resp.get_data(as_text=True)
    again = client.get(f"/documents/{app_id}/publicity").headers["Content-Security-Policy"]
    assert nonce not in again  # a new nonce every response


def test_pdfs_and_downloads_are_never_cached(app, client, auth, world):
    app_id = filled_application_id(app, world)
    auth.login()
    pdf = client.get(f"/documents/{app_id}/publicity/pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert "Expires" not in pdf.headers
    static = client.get("/static/portal.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_every_cookie_has_samesite_and_httponly_where_it_should(client, world):
    resp = login(client)
    cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
    assert "SameSite=Lax" in cookies["session"] and "HttpOnly" in cookies["session"]
    assert "SameSite=Lax" in cookies["remember_token"]
    assert "HttpOnly" in cookies["remember_token"]
    assert all("Secure" not in c for c in cookies.values())  # plain HTTP on the LAN still works


def test_cookies_are_secure_when_served_over_tls(world, client):
    resp = login(
        client,
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over TLS
    )
    assert resp.status_code == 302
    cookies = resp.headers.getlist("Set-Cookie")
    assert len(cookies) >= 2 and all("; Secure" in c for c in cookies)


@pytest.fixture
def proxied(tmp_path):
    """An app told that one proxy (nginx) stands in front of it."""
    from tests.factories import make_world

    class ProxyConfig(TestConfig):
        BEHIND_PROXY = 1

    app = create_app(ProxyConfig)
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        make_world()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_behind_a_proxy_the_forwarded_scheme_and_address_count(proxied):
    from portal.audit import AuditEntry

    client = proxied.test_client()
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "Referer": "https://localhost/login",
    }
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login",
        data={"username": "clerk_a", "password": "password-a", "csrf_token": token},
        headers=forwarded,
    )
    assert resp.status_code == 302
    assert all("; Secure" in c for c in resp.headers.getlist("Set-Cookie"))
    with proxied.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="login").one()
        assert entry.detail["地址"] == "203.0.113.7"


def test_without_the_proxy_setting_forwarded_headers_are_ignored(app, client, world):
    from portal.audit import AuditEntry

    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={"username": "clerk_a", "password": "password-a", "csrf_token": token},
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
    )
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="login").one()
        assert entry.detail["地址"] == "127.0.0.1"  # a client cannot fake its address
