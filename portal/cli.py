"""Flask CLI commands: thin wrappers over the domain packages."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app

from portal.audit import record
from portal.auth import sessions
from portal.auth.models import User
from portal.auth.passwords import password_problem
from portal.backup import BackupError, backup, restore, server_running
from portal.campaigns.definition import CampaignDefinitionError, load_definition
from portal.campaigns.models import Campaign
from portal.campaigns.reference import format_reference
from portal.campaigns.report import describe
from portal.campaigns.services import CampaignLoadRefused, all_campaigns, load_campaign_file
from portal.demo import load_demo
from portal.documents.cli import documents_group
from portal.extensions import db
from portal.jobs.cli import jobs_group
from portal.offices.models import Office
from portal.rosters.cli import roster_group
from portal.workdays.services import load_calendar


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(demo_command)
    app.cli.add_command(campaigns_group)
    app.cli.add_command(offices_group)
    app.cli.add_command(users_group)
    app.cli.add_command(workdays_command)
    app.cli.add_command(documents_group)
    app.cli.add_command(roster_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(jobs_group)


@click.command("demo")
def demo_command() -> None:
    """Load the shipped campaigns and demo offices, units, users and applications (idempotent)."""
    accounts = load_demo()
    # The address depends on how the portal is started: say where to read it, not a guess.
    click.echo(
        "演示数据已就绪 (demo data ready). 启动后（如 flask --app wsgi run），"
        "在浏览器中打开启动时“Running on”一行显示的地址，用以下账号登录："
    )
    for username, password, role in accounts:
        click.echo(f"  {username:<16} 密码 {password:<12} {role}")


@click.group("campaigns")
def campaigns_group() -> None:
    """Campaign definitions (评审通知)."""


@campaigns_group.command("list")
def campaigns_list() -> None:
    """One line per campaign: code, then title."""
    for c in all_campaigns():
        click.echo(f"{c.code}\t{c.title}")


@campaigns_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def campaigns_load(path: str) -> None:
    """Validate a TOML campaign definition and store it (recorded in the audit log)."""
    try:
        campaign, created = load_campaign_file(path)
    except CampaignDefinitionError as exc:
        for line in exc.lines():
            click.echo(f"错误：{line}", err=True)
        sys.exit(1)
    except CampaignLoadRefused as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{'已导入' if created else '已更新'} {campaign.code}\t{campaign.title}")


@campaigns_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def campaigns_check(path: str) -> None:
    """Print in Chinese what the portal will do with a notice file, without loading it."""
    try:
        defn = load_definition(path)
    except CampaignDefinitionError as exc:
        click.echo("文件有错误，不能导入：", err=True)
        for line in exc.lines():
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    try:
        existing = db.session.scalar(sa.select(Campaign).where(Campaign.code == defn.code))
    except sa.exc.SQLAlchemyError:
        # No database yet (checked before `db upgrade`): the file is described all the same.
        db.session.rollback()
        existing = None
    click.echo(describe(defn, replaces=existing.title if existing else None))


@campaigns_group.command("reference")
def campaigns_reference() -> None:
    """Print the campaign format reference (Markdown), generated from the schema."""
    click.echo(format_reference(), nl=False)


@click.group("offices")
def offices_group() -> None:
    """Offices (县市主管部门)."""


@offices_group.command("list")
def offices_list() -> None:
    """One line per office: code, then name."""
    for o in db.session.scalars(sa.select(Office).order_by(Office.code)):
        click.echo(f"{o.code}\t{o.name}")


@offices_group.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--county", required=True, help="县市, e.g. 若羌县.")
@click.option("--prefecture", required=True, help="地州, e.g. 巴音郭楞蒙古自治州.")
def offices_create(code: str, name: str, county: str, prefecture: str) -> None:
    """Create an office (or update the one with this code)."""
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    created = office is None
    if office is None:
        office = Office(code=code)
        db.session.add(office)
    office.name, office.county, office.prefecture = name, county, prefecture
    db.session.commit()
    click.echo(f"{'已创建' if created else '已更新'} {office.code}\t{office.name}")


@click.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--office", "office_code", help="Office code (for clerks).")
@click.option("--role", type=click.Choice(["clerk", "prefecture", "admin"]), required=True)
@click.option(
    "--prefecture", help="Prefecture name for a prefecture user (defaults to the office's)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    username: str, office_code: str | None, role: str, prefecture: str | None, password_stdin: bool
) -> None:
    """Create an account (or reset its password and role if it exists)."""
    if not password_stdin:
        raise click.UsageError("请使用 --password-stdin 从标准输入读取密码。")
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, username)
    if problem:
        raise click.UsageError(problem)
    office = None
    if office_code:
        office = db.session.scalar(sa.select(Office).where(Office.code == office_code))
        if office is None:
            raise click.UsageError(f"没有代码为 {office_code} 的主管部门。")
    if role == "clerk" and office is None:
        raise click.UsageError("县市经办人（clerk）必须用 --office 指定主管部门。")
    if role == "prefecture" and not (prefecture or office):
        raise click.UsageError("州职称办账号请用 --prefecture 或 --office 指定地州。")
    user = db.session.scalar(sa.select(User).where(User.username == username))
    created = user is None
    if user is None:
        user = User(username=username, role=role)
        db.session.add(user)
    user.role = role
    user.office_id = office.id if office else None
    user.prefecture = prefecture or (office.prefecture if office and role == "prefecture" else None)
    user.set_password(password)
    user.active = True
    db.session.flush()
    if not created:
        sessions.end_all(user)  # a reset password or role ends the account's logins
    record(
        "user_create" if created else "user_update",
        None,
        {
            "用户名": username,
            "角色": user.role_label,
            "单位": office.name if office else "（无）",
            "地州": user.prefecture or "（无）",
            **({} if created else {"改动": "命令行重设密码和角色"}),
        },
    )
    db.session.commit()
    click.echo(f"已创建账号 {username}（{user.role_label}）")


@click.command("workdays")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("count", type=int)
def workdays_command(start, count: int) -> None:
    """Print the date of the COUNT-th working day from START (counting START), as YYYY-MM-DD."""
    try:
        period = load_calendar().publicity_period(start.date(), count)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    for warning in period.warnings:
        click.echo(warning, err=True)
    click.echo(period.end.isoformat())


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
def backup_command(folder: str) -> None:
    """Write a consistent copy of the database into FOLDER (while the portal runs)."""
    try:
        result = backup(folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已备份到 {result.path}（{result.size // 1024} KB）。")
    click.echo("备份含身份证号和电话：请加密后复制到服务器以外的地方保存。")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: str, yes: bool) -> None:
    """Replace the database with the backup FILE (the portal must be stopped)."""
    reason = server_running(current_app.instance_path)
    if reason:
        raise click.ClickException(f"{reason}。请先停止门户服务，再恢复备份。")
    if not yes:
        click.confirm(
            f"恢复会用 {file} 替换当前数据库（当前数据库会先另存一份）。确定恢复吗？", abort=True
        )
    try:
        safety = restore(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已恢复 {file}。恢复前的数据库另存在 {safety.path}。")
    click.echo("请运行 flask --app wsgi db upgrade（备份来自旧版本时更新表结构），再启动门户。")
