"""Document pages: print preview, PDF download, and batches of selected applications."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import sqlalchemy as sa
from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user
from htmx_flask import request

from portal import audit
from portal.applications.listing import load_application
from portal.applications.models import Application
from portal.documents import jobs
from portal.documents.context import (
    KIND_LABELS,
    build_context,
    document_kinds,
    document_label,
    is_document_kind,
)
from portal.documents.pdf import PdfError, merge_pdfs
from portal.documents.render import (
    COMBINED_TITLE,
    MissingData,
    document_fonts,
    render_combined_publicity_html,
    render_combined_publicity_pdf,
    render_html,
    render_pdf,
)
from portal.extensions import db
from portal.security import scope

#: The most applications one synchronous batch renders (about 0.3 s each).
BATCH_LIMIT = 200
BATCH_MODES = {
    "merged": "合并为一个 PDF（每份文书另起一页）",
    "zip": "ZIP 压缩包（每人一个 PDF）",
    "combined": "同一单位多人合并公示（仅推荐单位公示）",
}

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(app: Application, kind: str) -> str:
    """单位_姓名_文书.pdf, without characters a file system refuses."""
    parts = [app.unit.name if app.unit else "", app.name, document_label(app, kind)]
    return "_".join(_UNSAFE.sub("", p) for p in parts if p) + ".pdf"


def _kind_or_404(app: Application, kind: str) -> str:
    """The kind if it is a document of this application (built-in or annex), else 404."""
    if not is_document_kind(app, kind):
        abort(404)
    return kind


def _missing_page(title: str, problems: list[tuple[Application | None, list[str]]]):
    """The page listing what is missing, per application (422)."""
    return render_template("documents/missing.html", title=title, problems=problems), 422


def _record(kind: str, mode: str, apps: Sequence[Application]) -> None:
    """Audit one PDF export and commit it."""
    audit.record(
        "document_export",
        current_user,
        {"kind": kind, "mode": mode, "application_ids": [a.id for a in apps]},
        rows=len(apps),
        office_id=apps[0].office_id if len({a.office_id for a in apps}) == 1 else None,
    )
    db.session.commit()


def _pdf_response(data: bytes, name: str):
    """A PDF download."""
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
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
        font_warning=document_fonts().warning,
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
        return render_html(
            app,
            kind,
            preview=True,
            pdf_url=url_for("documents.download", app_id=app.id, kind=kind),
            back_url=url_for("documents.index", app_id=app.id),
            font_warning=document_fonts().warning,
            date_warnings=_date_warnings(app),
        )
    except MissingData as exc:
        return _missing_page(document_label(app, kind), [(app, exc.missing)])


def download(app_id: int, kind: str):
    """One document as an A4 PDF."""
    app = load_application(app_id)
    _kind_or_404(app, kind)
    try:
        data = render_pdf(app, kind)
    except MissingData as exc:
        return _missing_page(document_label(app, kind), [(app, exc.missing)])
    except PdfError as exc:
        return _missing_page(document_label(app, kind), [(app, [str(exc)])])
    _record(kind, "single", [app])
    return _pdf_response(data, file_name(app, kind))


def _selected_ids(values: Sequence[str]) -> list[int]:
    """Application ids from ids=1&ids=2 or ids=1,2, in order, without repeats."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            if part.strip().isdigit() and int(part) not in ids:
                ids.append(int(part))
    return ids


def _load_selected(ids: list[int]) -> list[Application]:
    """The selected applications the user may read, in the order given; 404 if any is not."""
    stmt = scope(sa.select(Application).where(Application.id.in_(ids)), Application)
    found = {a.id: a for a in db.session.scalars(stmt)}
    if len(found) != len(ids):
        abort(404)
    return [found[i] for i in ids]


def batch():
    """Documents of selected applications: one merged PDF, a ZIP, or a combined notice."""
    source = request.form if request.method == "POST" else request.args
    ids = _selected_ids(source.getlist("ids"))
    kind = source.get("kind", "publicity")
    mode = source.get("mode", "merged")
    errors: list[str] = []
    if len(ids) > BATCH_LIMIT:
        errors.append(f"一次最多生成{BATCH_LIMIT}人的文书，当前选择了{len(ids)}人，请分批生成。")
        ids = []
    apps = _load_selected(ids) if ids else []
    kinds = batch_kinds(apps)
    if request.method == "POST" and not errors:
        if not apps:
            errors.append("请至少选择一名申报人。")
        elif kind not in kinds or mode not in BATCH_MODES:
            errors.append("请选择文书类型和生成方式。")
        elif mode == "combined" and kind != "publicity":
            errors.append("多人合并公示只适用于推荐单位公示。")
        else:
            return _batch_response(apps, kind, mode)
    status = 400 if errors and request.method == "POST" else 200
    return render_template(
        "documents/batch.html",
        apps=apps,
        kind=kind,
        mode=mode,
        kinds=kinds,
        modes=BATCH_MODES,
        errors=errors,
        limit=BATCH_LIMIT,
        background=jobs.threshold(),
    ), status


def batch_kinds(apps: Sequence[Application]) -> dict[str, str]:
    """The documents offered for a batch: the built-in ones, then the campaigns' annexes."""
    kinds = dict(KIND_LABELS)
    for app in apps:
        kinds.update(document_kinds(app))
    return kinds


def _combined_name(apps: Sequence[Application]) -> str:
    """单位_推荐单位公示_N人.pdf."""
    unit = _UNSAFE.sub("", apps[0].unit.name if apps[0].unit else "")
    return f"{unit}_推荐单位公示_{len(apps)}人.pdf"


def _batch_response(apps: list[Application], kind: str, mode: str):
    """Render a small batch now, a large one in the background; or list what is missing."""
    if len(apps) > jobs.threshold():
        job = jobs.start_job(
            apps,
            kind,
            mode,
            current_user,
            file_name=file_name,
            combined_name=_combined_name(apps),
            label=batch_kinds(apps)[kind],
        )
        return redirect(url_for("documents.job", job_id=job.id), 303)
    if mode == "combined":
        try:
            data = render_combined_publicity_pdf(apps)
        except MissingData as exc:
            return _missing_page(COMBINED_TITLE, [(None, exc.missing)])
        except PdfError as exc:
            return _missing_page(COMBINED_TITLE, [(None, [str(exc)])])
        _record(kind, mode, apps)
        return _pdf_response(data, _combined_name(apps))
    documents: list[tuple[Application, bytes]] = []
    problems: list[tuple[Application | None, list[str]]] = []
    label = batch_kinds(apps)[kind]
    for app in apps:
        if not is_document_kind(app, kind):
            problems.append((app, [f"《{label}》不是本申报所属评审通知的文书"]))
            continue
        try:
            documents.append((app, render_pdf(app, kind)))
        except MissingData as exc:
            problems.append((app, exc.missing))
        except PdfError as exc:
            problems.append((app, [str(exc)]))
    if problems:
        return _missing_page(label, problems)
    _record(kind, mode, apps)
    if mode == "merged":
        return _pdf_response(merge_pdfs(d for _, d in documents), f"{label}_{len(apps)}人.pdf")
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for app, data in documents:
            name = file_name(app, kind)
            if name in used:  # two people of one unit with the same name
                name = name.removesuffix(".pdf") + f"_{app.id}.pdf"
            used.add(name)
            archive.writestr(name, data)
    out.seek(0)
    return send_file(
        out,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{label}_{len(apps)}人.zip",
        max_age=0,
    )


def combined_preview():
    """HTML preview of the combined publicity notice of the selected applications."""
    ids = _selected_ids(request.args.getlist("ids"))[:BATCH_LIMIT]
    apps = _load_selected(ids) if ids else []
    try:
        return render_combined_publicity_html(apps, preview=True)
    except MissingData as exc:
        return _missing_page(COMBINED_TITLE, [(None, exc.missing)])


def _own_job_or_404(job_id: str) -> jobs.BatchJob:
    """A background job of the current user; anyone else's, or an unknown one, is 404."""
    job = jobs.get_job(job_id)
    if job is None or job.owner_id != current_user.id:
        abort(404)
    return job


def job(job_id: str):
    """Progress of a background batch; the status part polls itself every second."""
    found = _own_job_or_404(job_id)
    template = "documents/_job_status.html" if request.htmx else "documents/job.html"
    return render_template(template, job=found, modes=BATCH_MODES)


def job_download(job_id: str):
    """The merged PDF or the ZIP of a finished background batch, for its owner."""
    found = _own_job_or_404(job_id)
    if found.status != "done" or found.path is None or not found.path.exists():
        abort(404)
    return send_file(
        found.path,
        mimetype=found.mimetype,
        as_attachment=True,
        download_name=found.download_name,
        max_age=0,
    )
