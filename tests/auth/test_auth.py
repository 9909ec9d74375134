"""Login, logout, expired sessions and CSRF."""

from __future__ import annotations

from portal.auth.models import User
from portal.extensions import db
from tests.auth.test_sessions import age_logins
from tests.conftest import csrf_token


def test_a_wrong_password_fails_with_a_chinese_message(client, world, auth):
    resp = auth.login("clerk_a", "wrong-password")
    assert resp.status_code == 200
    assert "用户名或密码错误，请重新输入。" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_the_demo_clerk_reaches_the_office_home_page(client, world, auth):
    resp = auth.login("clerk_a", "password-a")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "若羌县文化体育广播电视和旅游局" in home


def test_pages_require_login_and_say_so_in_chinese(client, world):
    resp = client.get("/units", follow_redirects=True)
    assert "请先登录。" in resp.get_data(as_text=True)


def test_an_htmx_request_without_a_session_is_sent_to_the_login_page(client, world):
    resp = client.get("/applications/", headers={"HX-Request": "true"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"] == "/login"


def test_logout_says_goodbye(client, world, auth):
    auth.login()
    resp = auth.logout()
    assert resp.headers["Location"] == "/login"
    assert "您已安全退出。" in client.get("/login").get_data(as_text=True)
    assert client.get("/units").status_code == 302


def test_an_expired_session_is_told_to_log_in_again(client, world, auth, app):
    auth.login()
    age_logins(app, hours=3)
    resp = client.get("/units", follow_redirects=True)
    assert "登录已超时，请重新登录。" in resp.get_data(as_text=True)


def test_an_expired_session_on_an_htmx_request_is_sent_to_the_login_page(client, world, auth, app):
    auth.login()
    age_logins(app, hours=3)
    resp = client.get("/applications/?q=x", headers={"HX-Request": "true", "HX-Target": "results"})
    assert resp.status_code == 401 and resp.headers["HX-Redirect"] == "/login"
    assert client.get("/units").status_code == 302  # logged out


def test_an_error_answers_an_htmx_request_with_a_fragment_only(client, world, auth):
    auth.login()
    htmx = client.get("/applications/999999/review", headers={"HX-Request": "true"})
    assert htmx.status_code == 404
    fragment = htmx.get_data(as_text=True)
    assert "<html" not in fragment and "不属于您的单位" in fragment
    for headers in ({}, {"HX-Request": "false"}):  # htmx sends "true"; anything else is a page
        page = client.get("/applications/999999/review", headers=headers)
        assert page.status_code == 404 and "<html" in page.get_data(as_text=True)


def test_a_disabled_account_cannot_log_in(app, client, world, auth):
    with app.app_context():
        db.session.get(User, world.clerk_a.id).active = False
        db.session.commit()
    resp = auth.login()
    assert "该账号已停用" in resp.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(app, client, world, auth):
    from portal.offices.models import RecommendingUnit

    auth.login()
    resp = client.post(f"/units/{world.unit_a.id}", data={"name": "改名", "office_id": 1})
    assert resp.status_code in (303, 400)
    page = client.get("/units").get_data(as_text=True)
    assert "CSRF" in page
    with app.app_context():
        assert db.session.get(RecommendingUnit, world.unit_a.id).name == "若羌县文化馆"


def test_an_htmx_post_without_the_csrf_header_is_refused(client, world, auth):
    auth.login()
    resp = client.post("/applications/new", data={"refresh": "1"}, headers={"HX-Request": "true"})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)


def test_an_htmx_post_with_the_csrf_header_is_accepted(client, world, auth):
    auth.login()
    token = csrf_token(client, "/applications/new")
    resp = client.post(
        "/applications/new",
        data={"refresh": "1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="cols" id="target">') and "<html" not in html


def test_next_urls_with_a_host_are_refused(client, world):
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login?next=//evil.example/x",
        data={"username": "clerk_a", "password": "password-a", "csrf_token": token},
    )
    assert resp.headers["Location"] == "/"


def test_only_admins_manage_users(client, world, auth):
    auth.login()
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login("admin", "password-admin")
    assert "clerk_b" in client.get("/admin/users").get_data(as_text=True)


def test_an_admin_creates_a_clerk_and_the_clerk_can_log_in(client, world, auth):
    from tests.conftest import post_form

    auth.login("admin", "password-admin")
    resp = post_form(
        client,
        "/admin/users/new",
        {
            "username": "newclerk",
            "display_name": "新人",
            "role": "clerk",
            "office_id": world.office_b.id,
            "prefecture": "",
            "password": "longpassword",
            "active": "y",
        },
    )
    assert resp.status_code == 302
    auth.logout()
    assert auth.login("newclerk", "longpassword").headers["Location"] == "/"


def test_too_many_wrong_passwords_lock_the_username_for_a_while(client, world, auth):
    for _ in range(5):
        assert "用户名或密码错误" in auth.login("clerk_a", "wrong").get_data(as_text=True)
    refused = auth.login("clerk_a", "password-a")  # even the right password now waits
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert auth.login("clerk_b", "password-b").status_code == 302  # others are not affected


def test_the_lock_ends_after_the_wait(app, client, world, auth):
    from datetime import timedelta

    import sqlalchemy as sa

    from portal.auth.models import LoginThrottle

    for _ in range(5):
        auth.login("clerk_a", "wrong")
    assert "登录失败次数过多，请30秒后再试" in auth.login("clerk_a", "password-a").get_data(
        as_text=True
    )
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginThrottle)):
            if row.blocked_until:
                row.blocked_until -= timedelta(seconds=31)
        db.session.commit()
    assert auth.login("clerk_a", "password-a").status_code == 302


def test_responses_carry_security_headers(client, world, auth):
    auth.login()
    resp = client.get("/applications/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_user_changes_the_own_password(client, world, auth):
    from tests.conftest import post_form

    auth.login()
    wrong = post_form(
        client,
        "/account/password",
        {"current": "nope", "new": "new-password-1", "confirm": "new-password-1"},
    )
    assert "当前密码不正确。" in wrong.get_data(as_text=True)
    mismatch = post_form(
        client,
        "/account/password",
        {"current": "password-a", "new": "new-password-1", "confirm": "new-password-2"},
    )
    assert "两次输入的新密码不一致。" in mismatch.get_data(as_text=True)
    ok = post_form(
        client,
        "/account/password",
        {"current": "password-a", "new": "new-password-1", "confirm": "new-password-1"},
    )
    assert ok.status_code == 302
    auth.logout()
    assert auth.login("clerk_a", "new-password-1").status_code == 302
