"""Configuration, migrations, the vendored htmx and the command line."""

from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa

from portal import ConfigurationError, create_app


def test_without_a_configured_key_one_is_generated_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")  # debug too: no known fallback key
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o777 == 0o600  # owner only
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # restarts keep sessions
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == (
        "from-the-environment"
    )


def test_an_unusable_instance_folder_stops_the_start_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(blocker))
    with pytest.raises(ConfigurationError, match="FLASK_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_settings_come_from_flask_prefixed_environment(monkeypatch, tmp_path):
    uri = f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", uri)
    monkeypatch.setenv("FLASK_APPLICATIONS_PER_PAGE", "20")
    assert create_app().config["IDLE_TIMEOUT_SECONDS"] == 7200  # the default is in Config
    monkeypatch.setenv("FLASK_IDLE_TIMEOUT_SECONDS", "600")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == uri
    assert app.config["APPLICATIONS_PER_PAGE"] == 20
    assert app.config["IDLE_TIMEOUT_SECONDS"] == 600


def test_the_test_client_refuses_a_request_inside_an_open_app_context(app, client):
    # A request would share the test's `g` and database session (tests/conftest.py).
    with app.app_context(), pytest.raises(AssertionError, match="application context"):
        client.get("/login")
    assert client.get("/login").status_code == 200


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    from portal.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_htmx_is_served_from_the_installed_package_without_login(client):
    with client.get("/vendor/htmx.min.js") as resp:
        assert resp.status_code == 200
        assert b"htmx" in resp.data[:2000]
    assert client.get("/vendor/other.js").status_code == 404


def test_the_alembic_head_matches_the_models_and_downgrades(monkeypatch, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    from portal.extensions import db

    # On the database the suite runs against (PostgreSQL when FLASK_SQLALCHEMY_DATABASE_URI
    # says so), else on a fresh SQLite file.
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    if not os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI"):
        monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'm.db'}")
    app = create_app()
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_demo_is_idempotent_and_the_lists_print_code_first(runner, db):
    from portal.applications.models import Application

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "ruoqiang" in first.output and "demo-pass-2024" in first.output
    # The address depends on how the portal is started: say where to read it, not a guess.
    assert "127.0.0.1:5000" not in first.output and "Running on" in first.output
    count = db.session.query(Application).count()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.query(Application).count() == count >= 12
    campaigns = runner.invoke(args=["campaigns", "list"]).output.splitlines()
    assert "bz-partyschool-2023\t2023年度自治州党干校教师系列职称评审" in campaigns
    assert len(campaigns) == 4
    offices = runner.invoke(args=["offices", "list"]).output.splitlines()
    assert offices[0].startswith("652824-wtgl\t若羌县")


def test_demo_names_include_every_group_and_ids_are_valid(runner, db):
    from portal.applications.idcard import validate_id
    from portal.applications.models import Application

    runner.invoke(args=["demo"])
    apps = db.session.query(Application).all()
    assert any("·" in a.name for a in apps)
    ethnicities = {a.section_data("basic")["ethnicity"] for a in apps}
    assert {"汉族", "维吾尔族", "蒙古族", "回族", "哈萨克族"} <= ethnicities
    assert all(validate_id(a.id_number).ok and a.id_number.startswith("65") for a in apps)
    assert len({a.campaign_id for a in apps}) == 4 and len({a.office_id for a in apps}) == 2


def test_campaigns_load_refuses_a_broken_file_naming_the_key(runner, tmp_path):
    from portal.campaigns.definition import shipped_definition_paths

    src = next(p for p in shipped_definition_paths() if p.name == "bz-water-2021.toml")
    bad = tmp_path / "bz-water-2021.toml"
    bad.write_text(
        src.read_text(encoding="utf-8").replace("publicity_min_workdays", "publicity_min_workday"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["campaigns", "load", str(bad)])
    assert result.exit_code == 1
    assert "bz-water-2021.toml" in result.output and "publicity_min_workday" in result.output


def test_campaigns_load_stores_a_good_file(runner, db):
    from portal.campaigns.definition import shipped_definition_paths
    from portal.campaigns.models import Campaign

    path = next(p for p in shipped_definition_paths() if p.name == "bz-news-2021.toml")
    result = runner.invoke(args=["campaigns", "load", str(path)])
    assert result.exit_code == 0, result.output
    campaign = db.session.query(Campaign).filter_by(code="bz-news-2021").one()
    assert campaign.definition.fee("evaluation", "intermediate") == 380


def test_users_create_reads_the_password_from_stdin(runner, db, world):
    from portal.auth.models import User

    result = runner.invoke(
        args=["users", "create", "li", "--office", "A01", "--role", "clerk", "--password-stdin"],
        input="secret-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="li").one()
    assert user.office_id == world.office_a.id and user.check_password("secret-password")
    refused = runner.invoke(
        args=["users", "create", "x", "--role", "clerk", "--password-stdin"],
        input=io.StringIO("secret-password\n").read(),
    )
    assert refused.exit_code != 0 and "--office" in refused.output


def test_workdays_prints_the_last_day(runner):
    # 002 五（二）: 公示期不少于5个工作日; 2024-08-01 is a Thursday.
    result = runner.invoke(args=["workdays", "2024-08-01", "5"])
    assert result.exit_code == 0 and result.output.strip() == "2024-08-07"


def test_campaign_pages_show_windows_and_fees(client, world, auth):
    auth.login()
    page = client.get("/campaigns/bz-culture-2021").get_data(as_text=True)
    assert "2021年8月20日" in page and "2021年9月20日" in page and "已结束" in page
    assert "100" in page and "220" in page
    assert client.get("/campaigns/nope").status_code == 404


def test_a_forked_process_does_not_inherit_pooled_connections(tmp_path) -> None:
    """gunicorn --preload or a fork after a query: the child opens its own connections."""
    import os

    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db

    uri = f"sqlite:///{tmp_path / 'fork.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "fork", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        assert db.engine.pool.checkedin() == 1  # the parent keeps a pooled connection
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report its pool, then leave without running any cleanup
            os.write(write, str(db.engine.pool.checkedin()).encode())
            os._exit(0)
        os.close(write)
        child_pool = os.read(read, 16).decode()
        os.close(read)
        os.waitpid(pid, 0)
        assert child_pool == "0"
        assert db.engine.pool.checkedin() == 1  # the parent's own is untouched
        db.engine.dispose()


def test_sqlite_files_use_wal_and_the_configured_synchronous_level(tmp_path, monkeypatch) -> None:
    import sqlalchemy as sa

    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)  # a SQLite file here

    from portal import ConfigurationError, create_app
    from portal.extensions import db

    uri = f"sqlite:///{tmp_path / 'sync.db'}"
    for level, number in (("NORMAL", 1), ("FULL", 2)):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "s",
                "SQLALCHEMY_DATABASE_URI": uri,
                "SQLITE_SYNCHRONOUS": level,
            }
        )
        with app.app_context():
            assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
            assert db.session.scalar(sa.text("PRAGMA synchronous")) == number
            db.session.remove()
            db.engine.dispose()
    with pytest.raises(ConfigurationError, match="SQLITE_SYNCHRONOUS"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "s",
                "SQLALCHEMY_DATABASE_URI": uri,
                "SQLITE_SYNCHRONOUS": "sometimes",
            }
        )
