"""What a batch of documents holds and how it is written: one function for the request and
for the background job.

A batch is a selection of applications and one or more document kinds, printed person by
person in the order the kinds were chosen (公示 then 承诺书 for each), as one merged file or
a ZIP, as PDF or as Word. `plan_batch` says which documents can be made and which cannot,
with the reasons; the clerk may skip those and print the rest. `write_batch` writes the
file, one document at a time (a merged PDF is appended MERGE_CHUNK documents at a time,
made in one run of the PDF engine; a ZIP member by member), calling `step` after each so a
job can report progress.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from pypdf import PdfReader, PdfWriter

from portal import audit
from portal.applications.models import Application
from portal.auth.models import User
from portal.documents.context import (
    KIND_LABELS,
    build_context,
    document_kinds,
    document_label,
    is_document_kind,
)
from portal.documents.docx import DOCX_MIMETYPE, DocxWriter
from portal.documents.pdf import PdfError
from portal.documents.render import (
    COMBINED_TITLE,
    MissingData,
    docx_fonts,
    docx_part,
    pdf_in_one_run,
    pdf_of_html,
    render_combined_publicity_docx,
    render_combined_publicity_pdf,
    render_docx,
    render_html,
    render_pdf,
)

BATCH_MODES = {
    "merged": "合并为一个文件（每份文书另起一页）",
    "zip": "ZIP 压缩包（每人每种文书一个文件）",
    "combined": "同一单位多人合并公示（仅推荐单位公示）",
}
FORMATS = {"pdf": "PDF（打印）", "docx": "Word .docx（可在 WPS、Word 中修改后盖章）"}
SUFFIX = {"pdf": ".pdf", "docx": ".docx"}
MIMETYPE = {"pdf": "application/pdf", "docx": DOCX_MIMETYPE}

#: Documents of a merged PDF made in one run of the PDF engine (each font embedded once).
MERGE_CHUNK = 25

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class BatchSpec:
    """What the clerk asked for, as plain data (a job carries it as its parameters)."""

    ids: tuple[int, ...]
    kinds: tuple[str, ...]
    mode: str = "merged"
    fmt: str = "pdf"
    skip: bool = False  # leave out the documents that cannot be made

    def params(self) -> dict[str, Any]:
        """JSON data for a background job."""
        return {
            "ids": list(self.ids),
            "kinds": list(self.kinds),
            "mode": self.mode,
            "format": self.fmt,
            "skip": self.skip,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> BatchSpec:
        """The spec back from a job's parameters."""
        return cls(
            tuple(params["ids"]),
            tuple(params["kinds"]),
            params["mode"],
            params["format"],
            bool(params["skip"]),
        )


@dataclass(frozen=True)
class Skipped:
    """A document that cannot be made, and why."""

    application: Application
    kind: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """单位 · 姓名 · 《文书》."""
        unit = self.application.unit.name if self.application.unit else ""
        title = document_label(self.application, self.kind)
        return f"{unit} · {self.application.name} · 《{title}》"


@dataclass
class Plan:
    """The documents of a batch that can be made, in print order, and those that cannot."""

    items: list[tuple[Application, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def people(self) -> int:
        """How many applicants have at least one document in the batch."""
        return len({app.id for app, _ in self.items})


def batch_kinds(apps: Sequence[Application]) -> dict[str, str]:
    """The documents offered for a batch: the built-in ones, then the campaigns' annexes."""
    kinds = dict(KIND_LABELS)
    for app in apps:
        kinds.update(document_kinds(app))
    return kinds


def plan_batch(apps: Sequence[Application], kinds: Sequence[str]) -> Plan:
    """Each applicant's documents of `kinds`, in that order; the incomplete ones set apart."""
    plan = Plan()
    for app in apps:
        for kind in kinds:
            if not is_document_kind(app, kind):  # another campaign's annex
                plan.skipped.append(Skipped(app, kind, ("本申报所属评审通知没有这种文书",)))
                continue
            missing = build_context(app, kind).missing
            if missing:
                plan.skipped.append(Skipped(app, kind, tuple(f"缺少{m}" for m in missing)))
            else:
                plan.items.append((app, kind))
    return plan


def batch_title(kinds: Sequence[str], apps: Sequence[Application]) -> str:
    """推荐单位公示、个人承诺书 (a campaign's annex by its own title)."""
    labels = batch_kinds(apps)
    return "、".join(labels.get(k, k) for k in kinds)


def file_name(app: Application, kind: str, fmt: str = "pdf") -> str:
    """单位_姓名_文书.pdf (or .docx), without characters a file system refuses."""
    parts = [app.unit.name if app.unit else "", app.name, document_label(app, kind)]
    return "_".join(_UNSAFE.sub("", p) for p in parts if p) + SUFFIX[fmt]


def combined_name(apps: Sequence[Application], fmt: str = "pdf") -> str:
    """单位_推荐单位公示_N人.pdf."""
    unit = _UNSAFE.sub("", apps[0].unit.name if apps and apps[0].unit else "")
    return f"{unit}_推荐单位公示_{len(apps)}人{SUFFIX[fmt]}"


def download_name(plan: Plan, spec: BatchSpec) -> str:
    """The name the finished batch downloads as."""
    if spec.mode == "combined":
        return combined_name([app for app, _ in plan.items], spec.fmt)
    suffix = ".zip" if spec.mode == "zip" else SUFFIX[spec.fmt]
    apps = list(dict.fromkeys(app for app, _ in plan.items))
    return f"{batch_title(spec.kinds, apps)}_{plan.people}人{suffix}"


def mimetype(spec: BatchSpec) -> str:
    """The finished batch's media type."""
    return "application/zip" if spec.mode == "zip" else MIMETYPE[spec.fmt]


class BatchFailed(Exception):
    """A document of the batch could not be made after all (data changed, engine error)."""

    def __init__(self, problems: list[tuple[str, list[str]]]) -> None:
        super().__init__("；".join(f"{label}：{'，'.join(m)}" for label, m in problems))
        self.problems = problems


def write_batch(
    plan: Plan, spec: BatchSpec, out: IO[bytes], step: Callable[[], None] = lambda: None
) -> None:
    """Write the batch's file to `out`; `step` is called after each document.

    Raises BatchFailed when a planned document cannot be made after all.
    """
    if spec.mode == "combined":
        apps = [app for app, _ in plan.items]
        try:
            if spec.fmt == "docx":
                out.write(render_combined_publicity_docx(apps))
            else:
                out.write(render_combined_publicity_pdf(apps))
        except (MissingData, PdfError) as exc:
            raise BatchFailed([(COMBINED_TITLE, _reasons(exc))]) from exc
        step()
        return
    if spec.mode == "zip":
        used: set[str] = set()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for app, kind in plan.items:
                name = file_name(app, kind, spec.fmt)
                if name in used:  # two people of one unit with the same name
                    stem, suffix = name.rsplit(".", 1)
                    name = f"{stem}_{app.id}.{suffix}"
                used.add(name)
                archive.writestr(name, _render(app, kind, spec.fmt))
                step()
        return
    if spec.fmt == "docx":
        writer = DocxWriter(docx_fonts())
        for app, kind in plan.items:
            html, numbered = _docx_html(app, kind)
            writer.add(html, numbered=numbered)
            step()
        out.write(writer.save())
        return
    _merged_pdf(plan, out, step)


def _merged_pdf(plan: Plan, out: IO[bytes], step: Callable[[], None]) -> None:
    """The merged PDF, MERGE_CHUNK documents at a time: the documents of one kind in a chunk
    are made in one run of the engine (their fonts embedded once) while each takes one page;
    a kind whose documents run to several pages is made document by document, so each is
    numbered on its own. The pages are put back in the plan's order."""
    merged = PdfWriter()
    alone: set[str] = set()  # kinds made one document per run in this batch
    for start in range(0, len(plan.items), MERGE_CHUNK):
        chunk = plan.items[start : start + MERGE_CHUNK]
        made: dict[int, tuple[PdfReader, list[int]]] = {}
        for kind in dict.fromkeys(kind for _, kind in chunk):
            places = [i for i, (_, k) in enumerate(chunk) if k == kind]
            htmls = [_html(*chunk[i]) for i in places]
            if kind not in alone and len(places) > 1:
                together = PdfReader(io.BytesIO(_pdf(pdf_in_one_run, htmls, chunk, places)))
                if len(together.pages) == len(places):  # one page each: nothing to number
                    made.update((i, (together, [n])) for n, i in enumerate(places))
                    continue
                alone.add(kind)
            for i, html in zip(places, htmls, strict=True):
                reader = PdfReader(io.BytesIO(_pdf(pdf_of_html, html, chunk, [i])))
                made[i] = (reader, list(range(len(reader.pages))))
        for i in range(len(chunk)):
            reader, pages = made[i]
            merged.append(reader, pages=pages)
            step()
    merged.write(out)


def _pdf(render: Callable[[Any], bytes], html: Any, chunk: list, places: list[int]) -> bytes:
    """render(html), or BatchFailed naming the documents of `places` in the chunk."""
    try:
        return render(html)
    except PdfError as exc:
        label = "、".join(_label(*chunk[i]) for i in places)
        raise BatchFailed([(label, [str(exc)])]) from exc


def _reasons(exc: Exception) -> list[str]:
    """What a MissingData or PdfError says."""
    return list(exc.missing) if isinstance(exc, MissingData) else [str(exc)]


def _label(app: Application, kind: str) -> str:
    return Skipped(app, kind, ()).label


def _render(app: Application, kind: str, fmt: str) -> bytes:
    """One document as PDF or .docx, or BatchFailed."""
    try:
        return render_docx(app, kind) if fmt == "docx" else render_pdf(app, kind)
    except (MissingData, PdfError) as exc:
        raise BatchFailed([(_label(app, kind), _reasons(exc))]) from exc


def _html(app: Application, kind: str) -> str:
    """A document's HTML for print, or BatchFailed."""
    try:
        return render_html(app, kind, preview=False)
    except (MissingData, PdfError) as exc:
        raise BatchFailed([(_label(app, kind), _reasons(exc))]) from exc


#: How documents were made, as the audit log says it.
MODE_WORDS = {
    "single": "单份",
    "merged": "合并为一个文件",
    "zip": "ZIP压缩包",
    "combined": "同一单位多人合并公示",
    "cli": "命令行",
}


def audit_detail(kind: str, mode: str, apps: Sequence[Application], **more: object) -> dict:
    """What the audit log keeps of one export or preview: titles and names, not codes or ids."""
    first = apps[0] if apps else None
    return {
        "文书": "、".join(document_label(first, k) for k in kind.split(",") if k),
        "方式": MODE_WORDS.get(mode, mode),
        "申报人": [a.name for a in apps],
        **more,
    }


def _docx_html(app: Application, kind: str) -> tuple[str, bool]:
    """A document's HTML for Word, and whether it runs to several pages."""
    return docx_part(_html(app, kind))


def record_export(user: User | None, plan: Plan, spec: BatchSpec, *, background: bool) -> None:
    """Audit a batch: the documents, how they were written, and what was left out."""
    apps = list(dict.fromkeys(app for app, _ in plan.items))
    offices = {a.office_id for a in apps}
    more: dict[str, object] = {"格式": spec.fmt}
    if background:
        more["后台生成"] = True
    if plan.skipped:
        more["跳过"] = [s.label for s in plan.skipped]
    audit.record(
        "document_export",
        user,
        audit_detail(",".join(spec.kinds), spec.mode, apps, **more),
        rows=len(apps),
        office_id=offices.pop() if len(offices) == 1 else None,
    )
