"""`flask roster export` and `flask roster import`."""

from __future__ import annotations

import sqlalchemy as sa

from portal.applications.models import Application
from portal.audit import AuditEntry
from portal.rosters.builder import OFFICE_COLUMN
from tests.factories import make_office, make_unit
from tests.rosters.helpers import full_application, sheet_rows

PARTY = "bz-partyschool-2023"


def test_export_and_import_from_the_command_line(runner, world, db, tmp_path):
    c = world.campaigns[PARTY]
    full_application(world.office_a, world.unit_a, c, name="买买提·艾力", seq=1)
    full_application(
        world.office_b, world.unit_b, c, name="其木格", seq=2, gender="女"
    ).status = "recommended"
    db.session.commit()

    out = tmp_path / "a.xlsx"
    res = runner.invoke(
        args=[
            "roster",
            "export",
            "--campaign",
            PARTY,
            "--office",
            "A01",
            "--format",
            "xlsx",
            "--status",
            "all",
            "--paper",
            "a3",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    assert "已导出 1 人" in res.output
    assert sheet_rows(out.read_bytes())[3][1] == "买买提·艾力"

    everyone = tmp_path / "all.csv"
    res = runner.invoke(
        args=["roster", "export", "--campaign", PARTY, "--format", "csv", "--out", str(everyone)]
    )
    assert res.exit_code == 0, res.output
    text = everyone.read_bytes().decode("utf-8-sig")
    assert OFFICE_COLUMN in text.splitlines()[0] and "其木格" in text
    assert "买买提·艾力" not in text  # a draft: the default roster holds what is sent

    target = make_office("A04", "若羌县新主管部门", "若羌县")
    make_unit(target, "若羌县文化馆")
    db.session.commit()
    res = runner.invoke(
        args=["roster", "import", str(out), "--campaign", PARTY, "--office", "A04", "--dry-run"]
    )
    assert res.exit_code == 0, res.output
    assert "第4行\t买买提·艾力\t新增" in res.output and "未保存" in res.output
    count = sa.select(sa.func.count(Application.id)).where(Application.office_id == target.id)
    assert db.session.scalar(count) == 0
    res = runner.invoke(args=["roster", "import", str(out), "--campaign", PARTY, "--office", "A04"])
    assert res.exit_code == 0, res.output
    assert db.session.scalar(count) == 1
    stmt = sa.select(AuditEntry.action).where(AuditEntry.action.like("roster%"))
    actions = db.session.scalars(stmt.order_by(AuditEntry.id)).all()
    assert actions == ["roster_export", "roster_export", "roster_import"]
    usernames = set(db.session.scalars(sa.select(AuditEntry.username)))
    assert usernames == {"cli"}


def test_unknown_codes_are_usage_errors(runner, world, tmp_path):
    res = runner.invoke(
        args=["roster", "export", "--campaign", "nope", "--out", str(tmp_path / "x.xlsx")]
    )
    assert res.exit_code == 2 and "没有代码为 nope 的评审通知" in res.output


def test_an_import_the_writes_refuse_saves_nothing_and_says_where(runner, world, db, tmp_path):
    from tests.rosters.unit_files import taken_elsewhere, unit_roster

    taken_elsewhere(world)
    db.session.commit()
    path = tmp_path / "unit.xlsx"
    path.write_bytes(unit_roster())
    res = runner.invoke(
        args=["roster", "import", str(path), "--campaign", PARTY, "--office", "A01"]
    )
    assert res.exit_code == 1
    assert "第8行C列“身份证号码”（身份证号）：身份证号652824********" in res.output
    assert "未导入的列：Q列“籍贯”" in res.output and "跳过：第9行（合计 4人）" in res.output
    assert "说明：第4行E列“民族”：“维族”按“维吾尔族”导入" in res.output
    count = sa.select(sa.func.count(Application.id)).where(
        Application.campaign_id == world.campaigns[PARTY].id
    )
    assert db.session.scalar(count) == 0
