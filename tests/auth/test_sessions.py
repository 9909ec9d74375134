"""Logins end on the server: logout, idleness, password, role and status changes (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import LoginSession
from tests.conftest import csrf_token, post_form

REMEMBER = "remember_token"


def login(client, username="clerk_a", password="password-a", remember=False, next_url=""):
    token = csrf_token(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login" + next_url, data=data)


def logged_in(client) -> bool:
    return client.get("/units").status_code == 200


def copy_cookies(source, target) -> None:
    """Give `target` the cookies `source` holds now (a stolen or copied cookie)."""
    for name in ("session", REMEMBER):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def age_logins(app, **delta) -> None:
    from portal.extensions import db

    with app.app_context():
        for row in db.session.scalars(sa.select(LoginSession)):
            row.last_seen_at -= timedelta(**delta)
        db.session.commit()


def test_logout_deletes_the_remember_cookie_and_it_no_longer_logs_in(app, client, world):
    login(client, remember=True)
    remember = client.get_cookie(REMEMBER)
    assert remember is not None
    resp = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    deleted = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith(REMEMBER + "=;")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    assert not logged_in(client)
    # A browser that kept the remember cookie anyway is not logged back in either.
    other = app.test_client()
    other.set_cookie(REMEMBER, remember.value)
    assert not logged_in(other)


def test_the_idle_timeout_ends_the_session_and_the_remember_cookie(app, client, world):
    login(client, remember=True)
    remember = client.get_cookie(REMEMBER).value
    age_logins(app, hours=3)
    resp = client.get("/units")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert any(h.startswith(REMEMBER + "=;") for h in resp.headers.getlist("Set-Cookie"))
    assert not logged_in(client)
    other = app.test_client()
    other.set_cookie(REMEMBER, remember)
    assert not logged_in(other)


def test_a_session_cookie_copied_before_logout_does_not_work_after_it(app, client, world):
    login(client)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert logged_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not logged_in(thief)


def test_logging_out_ends_only_this_login(app, client, world):
    login(client)
    second = app.test_client()
    login(second)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert logged_in(second)


def test_a_password_change_ends_every_other_login_and_keeps_this_one(app, client, world):
    other_pc = app.test_client()
    login(other_pc, remember=True)
    other_remember = other_pc.get_cookie(REMEMBER).value
    login(client)
    resp = post_form(
        client,
        "/account/password",
        {"current": "password-a", "new": "Tarim-river-2024", "confirm": "Tarim-river-2024"},
    )
    assert resp.status_code == 302
    assert logged_in(client)
    assert not logged_in(other_pc)
    fresh = app.test_client()
    fresh.set_cookie(REMEMBER, other_remember)
    assert not logged_in(fresh)


@pytest.mark.parametrize(
    "change",
    [{"role": "prefecture", "prefecture": "巴音郭楞蒙古自治州"}, {"active": ""}],
    ids=["role", "disabled"],
)
def test_an_admin_changing_role_or_status_ends_the_users_logins(app, client, world, change):
    victim = app.test_client()
    login(victim, remember=True)
    assert logged_in(victim)
    login(client, "admin", "password-admin")
    data = {
        "username": "clerk_a",
        "display_name": "clerk_a",
        "role": "clerk",
        "office_id": world.office_a.id,
        "prefecture": "",
        "password": "",
        "active": "y",
    }
    data.update(change)
    resp = post_form(client, f"/admin/users/{world.clerk_a.id}", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = victim.get("/units", follow_redirects=True)
    assert "您的登录已失效" in resp.get_data(as_text=True)
    assert not logged_in(victim)


def test_renaming_a_display_name_keeps_the_users_logins(app, client, world):
    victim = app.test_client()
    login(victim)
    login(client, "admin", "password-admin")
    post_form(
        client,
        f"/admin/users/{world.clerk_a.id}",
        {
            "username": "clerk_a",
            "display_name": "新名字",
            "role": "clerk",
            "office_id": world.office_a.id,
            "prefecture": "",
            "password": "",
            "active": "y",
        },
    )
    assert logged_in(victim)


def test_logout_everywhere_ends_every_login_of_the_account(app, client, world):
    first = app.test_client()
    login(first, remember=True)
    login(client)
    resp = post_form(client, "/account/password", {}, headers=None)
    assert resp.status_code == 200  # the form, with its errors: nothing changed
    token = csrf_token(client, "/account/password")
    resp = client.post("/account/logout-everywhere", data={"csrf_token": token})
    assert resp.headers["Location"] == "/login"
    assert not logged_in(client)
    assert not logged_in(first)


def test_the_login_cookie_names_a_login_not_just_a_user(app, client, world):
    """A session cookie forged from a user id alone (no login token) is refused."""
    login(client)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(world.admin.id)
    assert not logged_in(client)


# --------------------------------------------------------------------------- next=


@pytest.mark.parametrize(
    "next_value",
    [
        "%2F%09%2Fevil.com",
        "%2F%0A%2Fx",
        "%2F%5C%2Fevil.com",
        "https%3A%2F%2Fevil.com",
        "%2F%20%2Fx",
    ],
)
def test_next_after_login_accepts_only_paths_of_this_site(client, world, next_value):
    resp = login(client, next_url=f"?next={next_value}")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_next_after_login_keeps_a_plain_path(client, world):
    resp = login(client, next_url="?next=%2Fapplications%2F%3Fq%3D1")
    assert resp.headers["Location"] == "/applications/?q=1"
