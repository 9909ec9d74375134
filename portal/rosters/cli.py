"""`flask roster export|import`: the roster from the command line, audited as user "cli"."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

from portal.audit import record
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.offices.models import Office
from portal.rosters import importer
from portal.rosters.builder import ALL, SELECTION_LABELS, SENT, office_roster
from portal.rosters.writers import PAPERS, csv_chunks, write_xlsx
from portal.timeutil import local_today


def _campaign(code: str) -> Campaign:
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise click.UsageError(f"没有代码为 {code} 的评审通知（flask campaigns list 可查看）。")
    return campaign


def _office(code: str) -> Office:
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    if office is None:
        raise click.UsageError(f"没有代码为 {code} 的主管部门（flask offices list 可查看）。")
    return office


@click.group("roster")
def roster_group() -> None:
    """Applicant rosters (申报人员花名册)."""


@roster_group.command("export")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--office", "office_code", help="Office code; all offices when left out.")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option(
    "--status",
    type=click.Choice(list(SELECTION_LABELS)),
    default=SENT,
    show_default=True,
    help=f"Applications listed: {SENT} (recommended or reported), {ALL}, or one status.",
)
@click.option("--paper", type=click.Choice(list(PAPERS)), default="a4", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def roster_export(
    campaign_code: str, office_code: str | None, fmt: str, status: str, paper: str, out: str
) -> None:
    """Write a campaign's roster (one office, or every office with a 主管部门 column)."""
    campaign = _campaign(campaign_code)
    office = _office(office_code) if office_code else None
    roster = office_roster(campaign, office, status=status, made_on=local_today())
    with open(out, "wb") as f:
        if fmt == "xlsx":
            write_xlsx(roster, f, paper=paper)
        else:
            f.writelines(csv_chunks(roster))
    record(
        "roster_export",
        None,
        {
            "评审通知": campaign.title,
            "格式": fmt,
            "筛选": SELECTION_LABELS.get(status, status),
            "填报单位": roster.office_name,
            "输出文件": str(out),
        },
        rows=roster.applicants,
        office_id=office.id if office else None,
    )
    db.session.commit()
    click.echo(f"已导出 {roster.applicants} 人，评审费合计 {roster.fees} 元：{out}")


@roster_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--office", "office_code", required=True, help="Office to import into.")
@click.option("--dry-run", is_flag=True, help="Check every row and save nothing.")
@click.option("--only-valid", is_flag=True, help="Save the valid rows even if others are bad.")
def roster_import(
    path: str, campaign_code: str, office_code: str, dry_run: bool, only_valid: bool
) -> None:
    """Create or update an office's applications from a roster xlsx."""
    campaign = _campaign(campaign_code)
    office = _office(office_code)
    # Without --dry-run the rows are checked by the writes themselves (once, not twice).
    result = importer.dry_run(Path(path).read_bytes(), campaign, office, check_writes=dry_run)
    if not dry_run:
        importer.apply(result, campaign, office, None, only_valid=only_valid)
    _echo_result(result)
    if dry_run:
        click.echo(
            f"检查完毕（未保存）：{len(result.valid_rows)} 行无误，"
            f"{len(result.rows) - len(result.valid_rows)} 行有错误。"
        )
        sys.exit(0 if result.ok else 1)
    if not result.saved:
        db.session.rollback()
        click.echo("文件中有错误，未导入任何数据（可加 --only-valid 只导入无误的行）。", err=True)
        sys.exit(1)
    record(
        "roster_import",
        None,
        {
            "评审通知": campaign.title,
            "主管部门": office.name,
            "文件": Path(path).name,
            "只导入无误的行": only_valid,
            "新增": result.created,
            "更新": result.updated,
            "未导入": len(result.rows) - len(result.valid_rows),
        },
        rows=result.created + result.updated,
        office_id=office.id,
    )
    db.session.commit()
    click.echo(f"已导入：新增 {result.created} 人，更新 {result.updated} 人。")


def _echo_result(result: importer.ImportResult) -> None:
    """What the import read, left out and found, as the preview page shows it."""
    for line in result.unused_columns():
        click.echo(f"未导入的列：{line}", err=True)
    if result.computed_columns():
        click.echo(f"由系统生成、不导入的列：{'、'.join(result.computed_columns())}")
    for line in result.skipped_rows():
        click.echo(f"跳过：{line}", err=True)
    for row in result.rows:
        click.echo(f"{row.sheet_label}第{row.row}行\t{row.name}\t{row.action_label}")
    for note in result.notes:
        click.echo(f"说明：{note}")
    for message in result.messages():
        click.echo(message, err=True)
