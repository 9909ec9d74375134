"""The `flask documents` command group: render one document of one application to a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from portal import audit
from portal.applications.models import Application
from portal.documents.batch import audit_detail
from portal.documents.context import document_kinds, document_label, is_document_kind
from portal.documents.render import MissingData, document_fonts, render_docx, render_pdf
from portal.extensions import db


@click.group("documents")
def documents_group() -> None:
    """Official documents (推荐单位公示、公示结果、个人承诺书、免学申请表、材料目录、通知附件)."""


@documents_group.command("render")
@click.argument("kind")
@click.argument("application_id", type=int)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="文件路径（.pdf 或 .docx）"
)
def render_command(kind: str, application_id: int, out: str) -> None:
    """Render document KIND of application APPLICATION_ID to --out: A4 PDF, or Word for .docx.

    KIND is publicity, publicity-result, commitment, ce-exemption or catalog, or the
    code of an annex document of the application's campaign.
    """
    app = db.session.get(Application, application_id)
    if app is None:
        click.echo(f"错误：没有编号为 {application_id} 的申报", err=True)
        sys.exit(1)
    if not is_document_kind(app, kind):
        choices = "、".join(f"{code}（{label}）" for code, label in document_kinds(app))
        click.echo(f"错误：本申报没有“{kind}”文书；可用：{choices}", err=True)
        sys.exit(2)
    warning = document_fonts().warning
    if warning:
        click.echo(f"注意：{warning}", err=True)
    try:
        data = render_docx(app, kind) if out.lower().endswith(".docx") else render_pdf(app, kind)
    except MissingData as exc:
        click.echo(f"无法生成《{document_label(app, kind)}》，缺少：", err=True)
        for item in exc.missing:
            click.echo(f"  - {item}", err=True)
        sys.exit(1)
    Path(out).write_bytes(data)
    audit.record(
        "document_export",
        None,
        audit_detail(
            kind,
            "cli",
            [app],
            格式="docx" if out.lower().endswith(".docx") else "pdf",
            输出文件=str(out),
        ),
        rows=1,
        office_id=app.office_id,
    )
    db.session.commit()
    click.echo(f"已生成《{document_label(app, kind)}》：{out}")
