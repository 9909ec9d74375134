"""Documents as HTML (print preview) and A4 PDF, from one template per kind.

The wording of the publicity notice, the publicity result and the commitment is the
campaign's (002 附件 推荐单位公示（模板）, 推荐单位公示结果（模板）, 个人承诺书; the
form sentence of 000 and 003), filled in the sandbox; the layout is ours. User text is
escaped by Jinja's autoescape, so a name typed as <b>x</b> prints as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from markupsafe import Markup

from portal.applications.models import Application
from portal.campaigns.placeholders import ANNEX_FIELDS, ANNEX_TABLES, TEMPLATE_PLACEHOLDERS
from portal.documents.context import (
    KIND_LABELS,
    KINDS,
    TEMPLATE_OF_KIND,
    DocumentContext,
    MissingData,
    build_context,
    document_label,
)
from portal.documents.docx import DocxFonts, html_to_docx
from portal.documents.layout import Block, arrange, keep_blanks, layout_template
from portal.documents.models import template_text
from portal.documents.pdf import (
    BASE_CSS,
    BODY_FAMILY,
    HEADING_FAMILY,
    FontChoice,
    find_cjk_fonts,
    html_to_pdf,
    page_count,
)
from portal.htmlsafe import clean_html
from portal.sandbox import TemplateError
from portal.sandbox import render_template as render_text

__all__ = [
    "COMBINED_TITLE",
    "KINDS",
    "KIND_LABELS",
    "MissingData",
    "render_combined_publicity_html",
    "render_combined_publicity_pdf",
    "render_html",
    "render_pdf",
]

#: Extra layout of the documents, on top of BASE_CSS (shared by the PDF and the preview).
DOCUMENT_CSS = f"""
.label {{ font-family: {HEADING_FAMILY}; }}
.form-sentence {{ margin-top: 1em; }}
.intro {{ margin-bottom: 0.6em; }}
.person {{ margin-top: 0.6em; }}
.person h3 {{ margin-top: 0.6em; }}
table.grid.roster td, table.grid.roster th {{
    font-size: 10.5pt;
    padding: 2pt 2pt 0pt 2pt;
    text-align: center;
}}
table.grid.roster td.id {{ font-size: 10pt; }}
table.grid.form td {{ height: 1.2cm; font-size: 11pt; }}
table.grid.form td.key {{ text-align: center; font-family: {HEADING_FAMILY}; }}
table.grid.form td.tall {{ height: 5cm; vertical-align: top; }}
table.grid.form td.review {{ height: 4.5cm; vertical-align: top; }}
table.grid.catalog td {{ vertical-align: top; }}
table.grid.catalog td.num, table.grid.catalog td.copies {{ text-align: center; }}
table.grid.catalog {{ margin-bottom: 0; }}
table.grid.continued {{ margin-top: 0; }}
table.grid.continued td {{ border-top: none; }}
table.grid.info td {{ height: 0.9cm; }}
table.grid.info td.key {{ text-align: center; font-family: {HEADING_FAMILY}; }}
table.grid.annex th, table.grid.annex td.short {{ text-align: center; }}
table.grid.annex td {{ text-align: left; }}
.annex .center {{ text-align: center; text-indent: 0; }}
.annex .right {{ text-align: right; text-indent: 0; }}
.annex .left {{ text-align: left; text-indent: 0; }}
.annex .big {{ font-size: 18pt; }}
.annex .small {{ font-size: 10.5pt; }}
.note {{ font-size: 10.5pt; line-height: 1.5; }}
.notes {{ font-size: 10.5pt; line-height: 1.5; text-indent: 0; margin-top: 0.4em; }}
.notes p {{ text-indent: 0; }}
.attachment {{ font-family: {HEADING_FAMILY}; text-indent: 0; font-size: 14pt; }}
.stamp {{ text-align: right; text-indent: 0; padding-right: 2em; }}
"""

#: The browser has no portal-song / portal-hei: map them to the usual system faces.
_BROWSER_SONG = "'SimSun', 'Songti SC', 'AR PL UMing CN', 'Noto Serif CJK SC', serif"
_BROWSER_HEI = "'SimHei', 'Heiti SC', 'WenQuanYi Zen Hei', 'Noto Sans CJK SC', sans-serif"

PREVIEW_CSS = (
    (BASE_CSS + DOCUMENT_CSS)
    .replace(f"{BODY_FAMILY}, {HEADING_FAMILY}", _BROWSER_SONG)
    .replace(HEADING_FAMILY, _BROWSER_HEI)
    + """
@media screen {
    body { background: #e5e5e5; margin: 0; padding: 1em 0; }
    .sheet { background: #fff; width: 21cm; min-height: 29.7cm; margin: 0 auto 1em auto;
             padding: 3.7cm 2.6cm 3.5cm 2.8cm; box-sizing: border-box;
             box-shadow: 0 0 6px rgba(0,0,0,.3); }
    .toolbar { width: 21cm; margin: 0 auto 0.8em auto; font-family: sans-serif; font-size: 14px; }
    .toolbar a, .toolbar button { margin-right: 1em; }
    .warning { color: #a30000; }
}
@media print { .no-print { display: none; } .sheet { padding: 0; } }
p, td, th, div { line-break: strict; overflow-wrap: anywhere; }
"""
)


def adapt_template(text: str, values: dict[str, str], raw: dict[str, str]) -> str:
    """Keep “{{ 专业 }}专业” and “{{ 受理办公室 }}办公室” reading right for any value."""
    specialty = re.compile(r"\{\{\s*专业\s*\}\}\s*专业")
    if not raw.get("专业"):
        text = specialty.sub("", text)  # a series the notice does not divide: 党干校教师系列中级
    office = raw.get("受理办公室", "")
    if office and not office.endswith("办公室"):
        # e.g. 瓦石峡镇党政办: print it as it is, not “党政办办公室”.
        values["受理办公室"] = office
        text = re.sub(r"\{\{\s*受理办公室\s*\}\}\s*办公室", "{{ 受理办公室 }}", text)
    return text


def _template_blocks(app: Application, kind: str, ctx: DocumentContext) -> list[Block]:
    """The campaign template of kind filled with ctx and laid out."""
    name = TEMPLATE_OF_KIND[kind]
    assert name is not None
    text = template_text(app, name)  # the office's unit template, else the notice's
    values = dict(ctx.values)
    text = adapt_template(text, values, ctx.raw)
    try:
        return layout_template(
            text, values, TEMPLATE_PLACEHOLDERS[name], labels=kind == "publicity"
        )
    except TemplateError as exc:
        raise MissingData([p.message for p in exc.problems], KIND_LABELS[kind]) from exc


def render_annex(ctx: DocumentContext) -> Markup:
    """An annex's HTML template filled in the sandbox, then sanitised (nh3)."""
    annex = ctx.fields["annex"]
    try:
        html = render_text(annex.template, ctx.fields["context"], [*ANNEX_FIELDS, *ANNEX_TABLES])
    except TemplateError as exc:
        raise MissingData([p.message for p in exc.problems], annex.title) from exc
    return keep_blanks(clean_html(html))


def document_names(app: Application) -> list[str]:
    """The names a document prints that wrap only between their words (unit, office)."""
    unit = app.unit
    names = [unit.name, unit.objection_office] if unit else []
    return [n for n in [*names, app.office.name if app.office else ""] if n]


def _document(app: Application, kind: str) -> tuple[str, dict[str, Any]]:
    """The template name and its variables for one application's document."""
    ctx = build_context(app, kind)  # raises ValueError for an unknown kind
    if ctx.missing:
        raise MissingData(ctx.missing, document_label(app, kind))
    variables: dict[str, Any] = {
        "title": document_label(app, kind),
        "kind": kind,
        "application": app,
        "values": ctx.values,
        "fields": ctx.fields,
        "names": document_names(app),
    }
    if kind == "commitment" and ctx.fields.get("form_sentence"):
        definition = app.campaign.definition
        variables["sentence"] = definition.commitment.text
        variables["ban_years"] = definition.commitment.ban_years
        return "documents/commitment_sentence.html", variables
    if kind in ("publicity", "publicity-result", "commitment"):
        blocks = _template_blocks(app, kind, ctx)
        if not any(b.kind == "title" for b in blocks):
            blocks.insert(0, Block("title", KIND_LABELS[kind]))
        variables["page"] = arrange(blocks)
        return "documents/notice.html", variables
    if kind == "ce-exemption":
        return "documents/ce_exemption.html", variables
    if kind == "catalog":
        return "documents/catalog.html", variables
    variables["body"] = render_annex(ctx)
    return "documents/annex.html", variables


def _html(template: str, variables: dict[str, Any], preview: bool, **extra: Any) -> str:
    """Render a document template for the PDF engine or as a browser preview."""
    # A preview served to a browser loads portal.js (its 打印 button; no inline script).
    script = url_for("static", filename="portal.js") if preview and has_request_context() else ""
    return render_template(
        template,
        preview=preview,
        preview_css=PREVIEW_CSS if preview else "",
        preview_script=script,
        **variables,
        **extra,
    )


def render_html(app: Application, kind: str, *, preview: bool = True, **extra: Any) -> str:
    """The document as HTML; raises MissingData listing what the application lacks."""
    template, variables = _document(app, kind)
    return _html(template, variables, preview, **extra)


def document_fonts(*, load: bool = True) -> FontChoice:
    """The fonts of the app's configuration (PDF_FONT_BODY / PDF_FONT_HEADING), cached.

    Loaded at the first PDF, once per process; pages that only warn about the fonts ask
    with load=False, which reads no more than the font files' headers.
    """
    config = current_app.config
    key = (config.get("PDF_FONT_BODY") or "", config.get("PDF_FONT_HEADING") or "")
    cache: dict[tuple[str, str, bool], FontChoice] = current_app.extensions.setdefault(
        "portal_document_fonts", {}
    )
    if (*key, True) in cache:
        return cache[(*key, True)]
    if (*key, load) not in cache:
        cache[(*key, load)] = find_cjk_fonts({"body": key[0], "heading": key[1]}, load=load)
    return cache[(*key, load)]


def _pdf(html: str) -> bytes:
    """HTML to PDF with the configured fonts and the document CSS."""
    fonts = document_fonts()
    return html_to_pdf(html, BASE_CSS + DOCUMENT_CSS, fonts=fonts, numbered=True)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def pdf_of_html(html: str) -> bytes:
    """One document's HTML (render_html, preview=False) as PDF, numbered if it has pages."""
    return _pdf(html)


def pdf_in_one_run(htmls: Sequence[str]) -> bytes:
    """Several documents' HTML as one PDF, each from a new page, without page numbers.

    One run of the engine: each font's subset is embedded once for all of them, not once per
    document (20 publicity notices: 115 KB instead of 1.4 MB, and 4× faster), and the pages
    are those each makes alone. Page numbers are counted per document, which one run cannot
    tell apart: the caller keeps the result only when each document took one page.
    """
    bodies = [m.group(1) if (m := _BODY.search(h)) else h for h in htmls]
    head = htmls[0][: htmls[0].index("<body")] if "<body" in htmls[0] else ""
    html = f"{head}<body>{'<pdf:nextpage />'.join(bodies)}</body></html>"
    return html_to_pdf(html, BASE_CSS + DOCUMENT_CSS, fonts=document_fonts())


def render_pdf(app: Application, kind: str) -> bytes:
    """The document as A4 PDF bytes; raises MissingData listing what the application lacks."""
    return _pdf(render_html(app, kind, preview=False))


def docx_fonts() -> DocxFonts:
    """The font names of the Word copies (DOCX_FONT_BODY / _HEADING / _TABLE)."""
    config = current_app.config
    default = DocxFonts()
    return DocxFonts(
        body=config.get("DOCX_FONT_BODY") or default.body,
        heading=config.get("DOCX_FONT_HEADING") or default.heading,
        table=config.get("DOCX_FONT_TABLE") or default.table,
    )


def docx_part(html: str) -> tuple[str, bool]:
    """A document's HTML for the Word copy, and whether it runs to several pages (numbered)."""
    return html, page_count(_pdf(html)) > 1


def render_docx(app: Application, kind: str) -> bytes:
    """The document as an editable .docx; raises MissingData like render_pdf."""
    return html_to_docx([docx_part(render_html(app, kind, preview=False))], docx_fonts())


# --------------------------------------------------------------------------- combined notice


COMBINED_TITLE = "推荐单位公示（多人合并）"
#: The combined notice's line where the list of people stands.
_LIST_LINE = re.compile(r"\s*\{\{\s*名单\s*\}\}\s*")


def _combined(apps: Sequence[Application]) -> dict[str, Any]:
    """Variables of one publicity notice listing several applicants of one unit."""
    if not apps:
        raise MissingData(["没有选择申报人"], COMBINED_TITLE)
    units = {a.unit_id for a in apps}
    if len(units) > 1:
        raise MissingData(
            ["合并公示只能包含同一推荐单位的申报人，请按单位分别生成"], COMBINED_TITLE
        )
    campaigns = {a.campaign_id for a in apps}
    if len(campaigns) > 1:
        raise MissingData(
            ["合并公示只能包含同一评审通知的申报人，请按评审通知分别生成"], COMBINED_TITLE
        )
    wording = apps[0].campaign.definition.templates.publicity_combined
    if wording is None:
        raise MissingData(
            ["本评审通知没有多人合并公示的措辞，请逐人生成推荐单位公示"], COMBINED_TITLE
        )
    people = []
    missing: list[str] = []
    for a in apps:
        ctx = build_context(a, "publicity")
        missing.extend(f"{ctx.values['姓名'] or a.name}：{m}" for m in ctx.missing)
        target = f"{ctx.values['系列']}系列" if ctx.values["系列"] else ""
        if ctx.raw.get("专业"):
            target += f"{ctx.values['专业']}专业"
        people.append(
            {"v": ctx.values, "target": target + ctx.values["级别"], "period": ctx.period}
        )
    periods = {(p["period"].start, p["period"].end) for p in people if p["period"]}
    if len(periods) > 1:
        missing.append("所选申报人的公示时间不一致，合并公示要求同一公示时间，请按公示时间分别生成")
    if missing:
        raise MissingData(missing, COMBINED_TITLE)
    first = build_context(apps[0], "publicity")
    values = dict(first.values)
    values.update(
        {
            "姓名列表": "、".join(p["v"]["姓名"] for p in people),
            "人数": str(len(people)),
            "名单": "",
        }
    )
    text = adapt_template(wording, values, first.raw)
    # The list stands where the template's own line {{ 名单 }} is (the schema checks it).
    lines = text.splitlines()
    split = next(i for i, line in enumerate(lines) if _LIST_LINE.fullmatch(line))
    allowed = TEMPLATE_PLACEHOLDERS["publicity_combined"]
    try:
        before = layout_template("\n".join(lines[:split]), values, allowed)
        after = layout_template("\n".join(lines[split + 1 :]), values, allowed)
    except TemplateError as exc:
        raise MissingData([p.message for p in exc.problems], COMBINED_TITLE) from exc
    if not any(b.kind == "title" for b in before):
        before.insert(0, Block("title", "推荐单位公示"))
    return {
        "title": "推荐单位公示",
        "kind": "publicity",
        "people": people,
        "before": before,
        "page": arrange(after),
        "names": document_names(apps[0]),
    }


def render_combined_publicity_html(apps: Sequence[Application], *, preview: bool = True) -> str:
    """One publicity notice for several applicants of one unit, as HTML."""
    return _html("documents/publicity_combined.html", _combined(apps), preview)


def render_combined_publicity_pdf(apps: Sequence[Application]) -> bytes:
    """One publicity notice for several applicants of one unit, as PDF."""
    return _pdf(render_combined_publicity_html(apps, preview=False))


def render_combined_publicity_docx(apps: Sequence[Application]) -> bytes:
    """One publicity notice for several applicants of one unit, as .docx."""
    html = render_combined_publicity_html(apps, preview=False)
    return html_to_docx([docx_part(html)], docx_fonts())
