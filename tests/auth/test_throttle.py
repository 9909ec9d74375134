"""Login throttle per address and per username, shared by processes; timing; password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth import throttle
from portal.auth.models import LoginThrottle
from portal.extensions import db
from tests.conftest import csrf_token


def attempt(client, username, password, address="10.1.1.1"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def unblock(app, seconds: int) -> None:
    """Let `seconds` pass for every blocked key."""
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginThrottle)):
            if row.blocked_until:
                row.blocked_until -= timedelta(seconds=seconds)
        db.session.commit()


def test_one_address_guessing_many_usernames_is_slowed_down(client, world):
    for i in range(19):
        resp = attempt(client, f"nobody{i}", "wrong-password", address="10.9.9.9")
        assert "用户名或密码错误" in resp.get_data(as_text=True)
    attempt(client, "nobody-last", "wrong-password", address="10.9.9.9")
    refused = attempt(client, "clerk_a", "password-a", address="10.9.9.9")
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    # The rightful clerk at another address is not affected by that address's guessing.
    assert attempt(client, "clerk_a", "password-a", address="10.2.2.2").status_code == 302


def test_the_waits_for_one_username_grow_but_stay_short(app, client, world):
    waits = []
    for _ in range(4):
        attempt(client, "clerk_a", "wrong")
    for _ in range(7):
        attempt(client, "clerk_a", "wrong")  # counted: each waits out the previous block
        with app.app_context():
            waits.append(throttle.wait_seconds("clerk_a", None))
        unblock(app, 3600)
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 300  # never more than five minutes for the owner
    with app.app_context():
        row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == "user:clerk_a"))
        assert row.failures == 11


def test_blocked_attempts_do_not_check_the_password(client, world, monkeypatch):
    for _ in range(5):
        attempt(client, "clerk_a", "wrong")
    calls = []
    import portal.auth.views as views

    monkeypatch.setattr(views, "check_login", lambda *a: calls.append(a) or True)
    assert attempt(client, "clerk_a", "password-a").status_code == 429
    assert calls == []


def test_a_successful_login_forgets_the_usernames_failures(app, client, world):
    for _ in range(3):
        attempt(client, "clerk_a", "wrong")
    assert attempt(client, "clerk_a", "password-a").status_code == 302
    with app.app_context():
        keys = set(db.session.scalars(sa.select(LoginThrottle.key)))
    assert "user:clerk_a" not in keys and "addr:10.1.1.1" in keys


def test_the_throttle_is_shared_by_processes_through_the_database(tmp_path, monkeypatch):
    """Two app instances (two worker processes) on one database see the same failures."""
    import os

    from portal import create_app
    from tests.factories import make_office, make_user

    if os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI"):
        uri = os.environ["FLASK_SQLALCHEMY_DATABASE_URI"]
    else:
        uri = f"sqlite:///{tmp_path / 'shared.db'}"
    config = {"TESTING": True, "SECRET_KEY": "shared", "SQLALCHEMY_DATABASE_URI": uri}
    first, second = create_app(config), create_app(config)
    with first.app_context():
        db.create_all()
        make_user("clerk_x", "password-x1", "clerk", make_office("X01", "某局"))
        db.session.commit()
    try:
        client = first.test_client()
        for _ in range(5):
            attempt(client, "clerk_x", "wrong")
        refused = attempt(second.test_client(), "clerk_x", "password-x1")
        assert refused.status_code == 429
    finally:
        with first.app_context():
            db.drop_all()
            db.engine.dispose()
        with second.app_context():
            db.engine.dispose()


def test_an_unknown_username_costs_the_same_hash_check_as_a_real_one(client, world, monkeypatch):
    import portal.auth.passwords as passwords

    seen = []
    real = passwords.check_password_hash

    def spy(pwhash, password):
        seen.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    attempt(client, "clerk_a", "wrong-password")
    attempt(client, "no-such-user", "wrong-password")
    assert len(seen) == 2 and seen[0] == seen[1]  # same method and cost (e.g. scrypt:32768:8:1)


# --------------------------------------------------------------------------- password policy


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "密码至少10个字符"),
        ("newclerk01", "不能与用户名相同"),
        ("1234567890", "常见密码"),
        ("qwertyuiop", "常见密码"),
        ("aaaaaaaaaaaa", "常见密码"),
    ],
)
def test_an_admin_cannot_give_a_weak_password(client, world, password, message):
    from tests.conftest import post_form

    attempt(client, "admin", "password-admin")
    resp = post_form(
        client,
        "/admin/users/new",
        {
            "username": "newclerk01",
            "display_name": "新人",
            "role": "clerk",
            "office_id": world.office_b.id,
            "prefecture": "",
            "password": password,
            "active": "y",
        },
    )
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)


def test_a_user_cannot_change_to_a_weak_password(client, world):
    from tests.conftest import post_form

    attempt(client, "clerk_a", "password-a")
    resp = post_form(
        client,
        "/account/password",
        {"current": "password-a", "new": "12345678", "confirm": "12345678"},
    )
    assert "密码至少10个字符" in resp.get_data(as_text=True)


def test_the_command_line_refuses_a_weak_password(runner, world):
    def create(password: str):
        args = ["users", "create", "clerk_z", "--office", "A01", "--role", "clerk"]
        return runner.invoke(args=[*args, "--password-stdin"], input=f"{password}\n")

    result = create("password1")
    assert result.exit_code != 0
    assert "密码至少10个字符" in result.output
    result = create("Lop-Nur-2024-x")
    assert result.exit_code == 0, result.output
