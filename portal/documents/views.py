"""Document pages: print preview, PDF download, and batches of selected applications."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace

import sqlalchemy as sa
from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user
from htmx_flask import request

from portal import audit
from portal.applications.listing import load_application
from portal.applications.models import Application
from portal.documents import jobs
from portal.documents.batch import (
    BATCH_MODES,
    FORMATS,
    MIMETYPE,
    BatchFailed,
    BatchSpec,
    Skipped,
    audit_detail,
    batch_kinds,
    batch_title,
    download_name,
    file_name,
    mimetype,
    plan_batch,
    record_export,
    write_batch,
)
from portal.documents.context import (
    build_context,
    document_kinds,
    document_label,
    is_document_kind,
)
from portal.documents.pdf import PdfError
from portal.documents.render import (
    COMBINED_TITLE,
    MissingData,
    document_fonts,
    render_combined_publicity_html,
    render_docx,
    render_html,
    render_pdf,
)
from portal.extensions import db
from portal.formutil import positive_int
from portal.security import scope

#: The most applications one batch holds.
BATCH_LIMIT = 200


def _kind_or_404(app: Application, kind: str) -> str:
    """The kind if it is a document of this application (built-in or annex), else 404."""
    if not is_document_kind(app, kind):
        abort(404)
    return kind


def _missing_page(title: str, problems: list[tuple[Application | None, list[str]]]):
    """The page listing what is missing, per application (422)."""
    return render_template("documents/missing.html", title=title, problems=problems), 422


def _record(
    kind: str,
    mode: str,
    apps: Sequence[Application],
    fmt: str | None = "pdf",
    action: str = "document_export",
) -> None:
    """Audit one export (or, with fmt None, a print preview) and commit it."""
    audit.record(
        action,
        current_user,
        audit_detail(kind, mode, list(apps), **({"格式": fmt} if fmt else {})),
        rows=len(apps),
        office_id=apps[0].office_id if len({a.office_id for a in apps}) == 1 else None,
    )
    db.session.commit()


def _file_response(data: bytes, name: str, fmt: str = "pdf"):
    """A PDF or .docx download."""
    return send_file(
        io.BytesIO(data),
        mimetype=MIMETYPE[fmt],
        as_attachment=True,
        download_name=name,
        max_age=0,
    )


def index(app_id: int):
    """The documents of one application: which can be printed, and what is missing."""
    app = load_application(app_id)
    rows = [(kind, label, build_context(app, kind).missing) for kind, label in document_kinds(app)]
    return render_template(
        "documents/index.html",
        app=app,
        rows=rows,
        font_warning=document_fonts(load=False).warning,
        date_warnings=_date_warnings(app),
    )


def _date_warnings(app: Application) -> list[str]:
    """Warnings about the publicity period's calendar (a year the holiday data lacks)."""
    period = build_context(app, "publicity").period
    return list(period.warnings) if period else []


def preview(app_id: int, kind: str):
    """HTML print preview of one document, from the same template as the PDF."""
    app = load_application(app_id)
    _kind_or_404(app, kind)
    try:
        html = render_html(
            app,
            kind,
            preview=True,
            pdf_url=url_for("documents.download", app_id=app.id, kind=kind),
            docx_url=url_for("documents.download_docx", app_id=app.id, kind=kind),
            back_url=url_for("documents.index", app_id=app.id),
            font_warning=document_fonts(load=False).warning,
            date_warnings=_date_warnings(app),
        )
    except MissingData as exc:
        return _missing_page(document_label(app, kind), [(app, exc.missing)])
    _record(kind, "single", [app], None, action="document_preview")
    return html


def download(app_id: int, kind: str, fmt: str = "pdf"):
    """One document as an A4 PDF, or as an editable Word copy (fmt "docx")."""
    app = load_application(app_id)
    _kind_or_404(app, kind)
    try:
        data = render_docx(app, kind) if fmt == "docx" else render_pdf(app, kind)
    except MissingData as exc:
        return _missing_page(document_label(app, kind), [(app, exc.missing)])
    except PdfError as exc:
        return _missing_page(document_label(app, kind), [(app, [str(exc)])])
    _record(kind, "single", [app], fmt)
    return _file_response(data, file_name(app, kind, fmt), fmt)


def _selected_ids(values: Sequence[str]) -> list[int]:
    """Application ids from ids=1&ids=2 or ids=1,2, in order, without repeats."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            number = positive_int(part)
            if number is not None and number not in ids:
                ids.append(number)
    return ids


def _load_selected(ids: list[int]) -> list[Application]:
    """The selected applications the user may read, in the order given; 404 if any is not."""
    stmt = scope(sa.select(Application).where(Application.id.in_(ids)), Application)
    found = {a.id: a for a in db.session.scalars(stmt)}
    if len(found) != len(ids):
        abort(404)
    return [found[i] for i in ids]


def _batch_form(
    apps: Sequence[Application],
    spec: BatchSpec,
    *,
    errors: Sequence[str] = (),
    skipped: Sequence[Skipped] = (),
    ready: int = 0,
    status: int = 200,
):
    """The batch form: the selection, the documents, mode and format; what must be skipped."""
    return render_template(
        "documents/batch.html",
        apps=apps,
        spec=spec,
        kinds=batch_kinds(apps),
        modes=BATCH_MODES,
        formats=FORMATS,
        errors=errors,
        skipped=skipped,
        ready=ready,
        limit=BATCH_LIMIT,
        background=jobs.threshold(),
    ), status


def _read_spec(source) -> tuple[BatchSpec, list[str]]:
    """The batch asked for in a form (or a URL), and what is wrong with it."""
    ids = _selected_ids(source.getlist("ids"))
    kinds = [k for k in dict.fromkeys(source.getlist("kinds") or source.getlist("kind"))]
    spec = BatchSpec(
        tuple(ids),
        tuple(kinds) or ("publicity",),
        source.get("mode", "merged"),
        source.get("format", "pdf"),
        source.get("skip") == "1",
    )
    errors: list[str] = []
    if len(ids) > BATCH_LIMIT:
        errors.append(f"一次最多生成{BATCH_LIMIT}人的文书，当前选择了{len(ids)}人，请分批生成。")
    if spec.mode not in BATCH_MODES:
        errors.append("请选择文书类型和生成方式。")
    elif spec.fmt not in FORMATS:
        errors.append("请选择 PDF 或 Word。")
    elif spec.mode == "combined" and spec.kinds != ("publicity",):
        errors.append(
            "多人合并公示只适用于推荐单位公示：只勾选“推荐单位公示”，或改用其他生成方式。"
        )
    return spec, errors


def batch():
    """The batch form for the selected applications (from the list's 打印文书, or a link)."""
    source = request.form if request.method == "POST" else request.args
    spec, errors = _read_spec(source)
    if len(spec.ids) > BATCH_LIMIT:
        return _batch_form([], replace(spec, ids=()), errors=errors[:1], status=400)
    apps = _load_selected(list(spec.ids)) if spec.ids else []
    return _batch_form(apps, spec)


def batch_start():
    """Start a batch (POST only): print now, or in the background; or say what is missing."""
    spec, errors = _read_spec(request.form)
    if len(spec.ids) > BATCH_LIMIT:
        return _batch_form([], replace(spec, ids=()), errors=errors[:1], status=400)
    apps = _load_selected(list(spec.ids)) if spec.ids else []
    if not apps:
        errors.append("请至少选择一名申报人。")
    elif any(k not in batch_kinds(apps) for k in spec.kinds):
        errors.append("请选择文书类型和生成方式。")
    if errors:
        return _batch_form(apps, spec, errors=errors, status=400)
    plan = plan_batch(apps, spec.kinds)
    if (plan.skipped and not spec.skip) or not plan.items:
        message = (
            "所选申报都缺少所需的内容，没有可以生成的文书。补齐后再生成。"
            if not plan.items
            else f"以下{len(plan.skipped)}份文书缺少所需的内容。可以跳过它们，"
            f"先生成其余{len(plan.items)}份；补齐后再单独生成。"
        )
        return _batch_form(
            apps,
            spec,
            errors=[message],
            skipped=plan.skipped,
            ready=len(plan.items),
            status=422,
        )
    if len(plan.items) > jobs.threshold():
        job = jobs.start_batch(spec, apps, current_user, total=len(plan.items))
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    out = io.BytesIO()
    try:
        write_batch(plan, spec, out)
    except BatchFailed as exc:
        problems = [(None, [f"{label}：{'；'.join(items)}"]) for label, items in exc.problems]
        return _missing_page(batch_title(spec.kinds, apps), problems)
    record_export(current_user, plan, spec, background=False)
    db.session.commit()
    out.seek(0)
    return send_file(
        out,
        mimetype=mimetype(spec),
        as_attachment=True,
        download_name=download_name(plan, spec),
        max_age=0,
    )


def combined_preview():
    """HTML preview of the combined publicity notice of the selected applications."""
    ids = _selected_ids(request.args.getlist("ids"))[:BATCH_LIMIT]
    apps = _load_selected(ids) if ids else []
    try:
        html = render_combined_publicity_html(apps, preview=True)
    except MissingData as exc:
        return _missing_page(COMBINED_TITLE, [(None, exc.missing)])
    _record("publicity", "combined", apps, None, action="document_preview")
    return html
