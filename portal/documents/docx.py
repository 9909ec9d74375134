"""Editable Word copies: the HTML a document's PDF is made from, written as .docx.

One template per document kind feeds the preview, the PDF and the Word copy, so the three
say the same. This module reads the small HTML vocabulary of templates/documents/ (headings,
paragraphs with the sign-off classes, labels, blanks, grids with colspan and rowspan; the
campaigns' sanitised annexes use the same) and writes it with python-docx: A4 with the
GB/T 9704 margins, fonts named as county offices have them (仿宋 body, 黑体 headings and
labels, 宋体 tables; configurable), the East Asian font set in every run so Word and WPS
use it, page numbers 「— N —」 on documents of more than one page, and the sign-off kept on
one page with the paragraph before it. Several documents go into one file as sections,
each numbered from 1.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import lxml.html
from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml.html import HtmlElement

from portal.documents.pdf import (
    MARGIN_BOTTOM_CM,
    MARGIN_LEFT_CM,
    MARGIN_RIGHT_CM,
    MARGIN_TOP_CM,
    PAGE_NUMBER_GAP_CM,
    PAGE_NUMBER_SIZE,
)
from portal.documents.xhtml2pdf_cjk import WORD_JOINER

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
TYPE_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM

#: GB/T 9704: 22 lines on the 225 mm type area, a fixed line pitch of about 29 pt.
BODY_SIZE = 16.0
LINE_PITCH = 29.0


@dataclass(frozen=True)
class DocxFonts:
    """Font names written into the .docx (DOCX_FONT_BODY / _HEADING / _TABLE)."""

    body: str = "仿宋"
    heading: str = "黑体"
    table: str = "宋体"


@dataclass(frozen=True)
class _Style:
    """What a run and its paragraph inherit from the HTML elements around them."""

    font: str
    size: float
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent: bool = True  # first line indented two characters
    right_ems: float = 0.0
    before_ems: float = 0.0
    pitch: float | None = LINE_PITCH
    keep: bool = False  # keep with the next paragraph (the sign-off block)


_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}
#: Paragraph classes of the templates: alignment, right indent and space before, in ems.
_SIGN_OFF = {
    "sign": (WD_ALIGN_PARAGRAPH.RIGHT, 7.0, 2.0),
    "seal": (WD_ALIGN_PARAGRAPH.RIGHT, 2.0, 1.2),
    "date": (WD_ALIGN_PARAGRAPH.RIGHT, 2.0, 0.3),
    "stamp": (WD_ALIGN_PARAGRAPH.RIGHT, 2.0, 0.0),
}
_HEADINGS = {"h1": 22.0, "h2": 16.0, "h3": 14.0, "h4": 14.0}
#: Cell heights of the form grids, in cm (the PDF's CSS).
_ROW_HEIGHTS = {"tall": 5.0, "review": 4.5}
_TABLE_ROW_HEIGHTS = {"form": 1.2, "info": 0.9}

_SPACES = re.compile(r"[ \t\r\n\f]+")
#: The end of a w:pPr's children, from w:autoSpaceDE on (ECMA-376 order).
_PPR_ORDER = (
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
#: What follows w:pgNumType in a w:sectPr (ECMA-376 order).
_AFTER_PAGE_NUMBERING = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def _classes(element: HtmlElement) -> set[str]:
    """The element's class names."""
    return set((element.get("class") or "").split())


def _set_run_font(run, name: str, size: float) -> None:
    """Name the font for Latin and East Asian text alike, at `size` points."""
    run.font.name = name
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def _set_default_font(document: Document, name: str, size: float) -> None:
    """The Normal style in `name` at `size`, East Asian font included."""
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def _no_autospace(properties) -> None:
    """No extra space between Chinese and Latin text or digits (a w:pPr), as in the PDF.

    Word and WPS honour it; LibreOffice 7.4 still spaces them a little when it lays out.
    """
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = properties.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            properties.insert_element_before(element, *_PPR_ORDER[_PPR_ORDER.index(tag) + 1 :])
        element.set(qn("w:val"), "0")


def _run_with(paragraph: Paragraph, tag: str, **attrs: str):
    """A run holding one element (w:fldChar, w:instrText …); returns the element."""
    run = paragraph.add_run()
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(key), value)
    run._element.append(element)
    return element


def _instruction(paragraph: Paragraph, code: str) -> None:
    """The code part of a field."""
    _run_with(paragraph, "w:instrText", **{"xml:space": "preserve"}).text = code


def _page_number(paragraph: Paragraph, fonts: DocxFonts) -> None:
    """「— PAGE —」 (GB/T 9704 7.5: 4号 Arabic numerals between 一字线)."""
    paragraph.add_run("— ")
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "begin"})
    _instruction(paragraph, " PAGE ")
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run("1")
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "end"})
    paragraph.add_run(" —")
    for run in paragraph.runs:
        _set_run_font(run, fonts.table, PAGE_NUMBER_SIZE)


class DocxWriter:
    """Builds one .docx from one or more documents' HTML, each in its own numbered section."""

    def __init__(self, fonts: DocxFonts | None = None) -> None:
        self.fonts = fonts or DocxFonts()
        self.document = new_document()
        self._sections = 0
        self._pages_of: list[int] = []
        _set_default_font(self.document, self.fonts.body, BODY_SIZE)
        _no_autospace(self.document.styles["Normal"].element.get_or_add_pPr())
        self.document.settings.odd_and_even_pages_header_footer = True
        self._setup_section(self.document.sections[0])

    # ------------------------------------------------------------------ page and sections

    def _setup_section(self, section) -> None:
        """A4, the GB/T 9704 margins, page numbers restarting at 1."""
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
        section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)
        # The number's line starts 7 mm under the type area; the footer ends at its baseline.
        section.footer_distance = Cm(MARGIN_BOTTOM_CM - PAGE_NUMBER_GAP_CM) - Pt(PAGE_NUMBER_SIZE)
        numbering = section._sectPr.find(qn("w:pgNumType"))
        if numbering is None:
            numbering = OxmlElement("w:pgNumType")
            section._sectPr.insert_element_before(numbering, *_AFTER_PAGE_NUMBERING)
        numbering.set(qn("w:start"), "1")

    def _number_pages(self, section) -> None:
        """Footers with 「— N —」: odd pages right, even pages left, one character in."""
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            paragraph = footer.paragraphs[0]
            fmt = paragraph.paragraph_format
            if odd:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                fmt.right_indent = Pt(PAGE_NUMBER_SIZE)
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                fmt.left_indent = Pt(PAGE_NUMBER_SIZE)
            _page_number(paragraph, self.fonts)

    def add(self, html: str, *, numbered: bool = True) -> None:
        """Append one document (the HTML of a document template) in a section of its own.

        `numbered`: print page numbers in this section's footer, for a document of more than
        one page (the caller knows from the PDF of the same HTML: an IF field on
        SECTIONPAGES would do it in Word, but LibreOffice drops such a field).
        """
        if self._sections:
            section = self.document.add_section(WD_SECTION.NEW_PAGE)
            self._setup_section(section)
        else:
            section = self.document.sections[0]
        self._sections += 1
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        if numbered:
            self._number_pages(section)
        root = lxml.html.document_fromstring(html)
        body = root.find("body")
        for sheet in body.find_class("sheet") if body is not None else []:
            body = sheet  # a preview's page
        for toolbar in root.find_class("no-print"):
            toolbar.drop_tree()
        base = _Style(self.fonts.body, BODY_SIZE)
        self._blocks(body if body is not None else root, base, container=self.document)

    def save(self) -> bytes:
        """The .docx file."""
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    # ------------------------------------------------------------------ blocks

    def _blocks(self, element: HtmlElement, style: _Style, container) -> None:
        """Write the block-level children of element into container (document or cell)."""
        inline: list = []  # loose text and inline elements between blocks

        def flush() -> None:
            if inline and any(
                (isinstance(i, str) and i.strip()) or not isinstance(i, str) for i in inline
            ):
                paragraph = container.add_paragraph()
                self._format(paragraph, style)
                for item in inline:
                    if isinstance(item, str):
                        self._text(paragraph, item, style)
                    else:
                        self._inline(paragraph, item, style)
            inline.clear()

        if element.text:
            inline.append(element.text)
        for child in element:
            if not isinstance(child.tag, str):  # a comment
                if child.tail:
                    inline.append(child.tail)
                continue
            tag = child.tag.lower()
            if tag in ("p", "h1", "h2", "h3", "h4", "div", "table", "ul", "ol", "li"):
                flush()
                self._block(child, tag, style, container)
            else:
                inline.append(child)
            if child.tail:
                inline.append(child.tail)
        flush()

    def _block(self, element: HtmlElement, tag: str, style: _Style, container) -> None:
        """One block element: heading, paragraph, list item, container or grid."""
        classes = _classes(element)
        if "page-break" in classes:
            container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if tag == "table":
            self._table(element, style, container)
            return
        own = self._style_of(element, tag, style)
        if tag in ("div", "ul", "ol"):
            if "signoff" in classes:
                self._signoff(element, own, container)
            else:
                self._blocks(element, own, container)
            return
        paragraph = container.add_paragraph()
        self._format(paragraph, own)
        if tag == "li":
            paragraph.add_run("· ")
        self._content(paragraph, element, own)

    def _content(self, paragraph: Paragraph, element: HtmlElement, style: _Style) -> None:
        """An element's text and inline children, into the paragraph."""
        if element.text:
            self._text(paragraph, element.text, style)
        for child in element:
            if isinstance(child.tag, str):
                self._inline(paragraph, child, style)
            if child.tail:
                self._text(paragraph, child.tail, style)

    def _signoff(self, element: HtmlElement, style: _Style, container) -> None:
        """The sign-off and the paragraph before it, kept on one page."""
        self._blocks(element, replace(style, keep=True), container)
        last = container.paragraphs[-1] if container.paragraphs else None
        if last is not None:
            last.paragraph_format.keep_with_next = False

    def _style_of(self, element: HtmlElement, tag: str, style: _Style) -> _Style:
        """The style of a block: the templates' CSS classes, as in BASE_CSS/DOCUMENT_CSS."""
        classes = _classes(element)
        if tag in _HEADINGS:
            return replace(
                style,
                font=self.fonts.heading,
                size=_HEADINGS[tag],
                align=WD_ALIGN_PARAGRAPH.CENTER if tag == "h1" else WD_ALIGN_PARAGRAPH.LEFT,
                indent=False,
                pitch=None,
                before_ems=0.0,
            )
        own = style
        if classes & {"notes", "note", "small"}:
            own = replace(own, size=10.5, pitch=None)
        if "big" in classes:
            own = replace(own, size=18.0)
        if "notes" in classes:
            own = replace(own, indent=False)
        if "attachment" in classes:
            own = replace(own, font=self.fonts.heading, size=14.0, indent=False)
        if "form-sentence" in classes:
            own = replace(own, before_ems=1.0)
        for name, align in _ALIGN.items():
            if name in classes:
                own = replace(own, align=align, indent=False)
        if "noindent" in classes:
            own = replace(own, indent=False)
        for name, (align, right, before) in _SIGN_OFF.items():
            if name in classes:
                own = replace(own, align=align, indent=False, right_ems=right, before_ems=before)
        if tag in ("p", "li") and style.align is None:
            own = replace(own, align=None)
        return own

    def _format(self, paragraph: Paragraph, style: _Style) -> None:
        """Alignment, indents, spacing and keeping of one paragraph."""
        fmt = paragraph.paragraph_format
        if style.align is not None:
            paragraph.alignment = style.align
        fmt.first_line_indent = Pt(2 * style.size) if style.indent else None
        fmt.right_indent = Pt(style.right_ems * style.size) if style.right_ems else None
        fmt.space_before = Pt(style.before_ems * style.size)
        fmt.space_after = Pt(0)
        if style.pitch is not None and style.size >= BODY_SIZE:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(style.pitch)
        else:
            fmt.line_spacing = 1.15
        fmt.keep_with_next = style.keep or None
        fmt.widow_control = True

    # ------------------------------------------------------------------ inline

    def _text(self, paragraph: Paragraph, text: str, style: _Style) -> None:
        """Text collapsed as HTML collapses it (U+3000 blanks kept), in the style's font."""
        text = _SPACES.sub(" ", text.replace(WORD_JOINER, ""))
        if not paragraph.runs or paragraph.runs[-1].text.endswith(("\n", " ")):
            text = text.lstrip(" ")
        if text:
            _set_run_font(paragraph.add_run(text), style.font, style.size)

    def _inline(self, paragraph: Paragraph, element: HtmlElement, style: _Style) -> None:
        """An inline element: a line break, a label or bold run, or a span."""
        tag = element.tag.lower()
        if tag == "br":
            paragraph.add_run().add_break()
        else:
            classes = _classes(element)
            own = style
            if tag in ("b", "strong") or "label" in classes:
                own = replace(own, font=self.fonts.heading)
            if classes & {"note", "small"}:
                own = replace(own, size=10.5)
            self._content(paragraph, element, own)

    # ------------------------------------------------------------------ grids

    def _table(self, element: HtmlElement, style: _Style, container) -> None:
        """A grid: borders, column widths from width="x%", merged cells, row heights."""
        rows = [r for r in element.iter("tr")]
        if not rows:
            return
        grid: list[list[HtmlElement | None]] = []
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        for r, row in enumerate(rows):
            while len(grid) <= r:
                grid.append([])
            c = 0
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                while c < len(grid[r]) and grid[r][c] is not None:
                    c += 1
                colspan = max(1, int(cell.get("colspan", "1") or 1))
                rowspan = max(1, int(cell.get("rowspan", "1") or 1))
                for rr in range(r, r + rowspan):
                    while len(grid) <= rr:
                        grid.append([])
                    while len(grid[rr]) < c + colspan:
                        grid[rr].append(None)
                    for cc in range(c, c + colspan):
                        grid[rr][cc] = cell
                spans[(r, c)] = (rowspan, colspan)
                c += colspan
        columns = max(len(r) for r in grid)
        table = container.add_table(rows=len(grid), cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.autofit = False  # the widths below, not the content, set the columns
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = self._column_widths(grid, spans, columns)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        table_classes = _classes(element)
        # In the sign-off block the rows keep with what follows, as its paragraphs do.
        cell_style = replace(style, font=self.fonts.table, size=12.0, indent=False, pitch=None)
        if element.get("repeat"):
            header = table.rows[0]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            header.append(repeat)
        for (r, c), (rowspan, colspan) in spans.items():
            cell = table.cell(r, c)
            if rowspan > 1 or colspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
            html_cell = grid[r][c]
            assert html_cell is not None
            self._cell(cell, html_cell, cell_style)
        for r, row in enumerate(table.rows):
            for c in range(columns):
                for cell in row.cells[c : c + 1]:
                    for width in widths[c : c + 1]:
                        cell.width = width
            height = max(
                [_TABLE_ROW_HEIGHTS.get(n, 0.0) for n in table_classes]
                + [
                    _ROW_HEIGHTS.get(n, 0.0)
                    for cell in grid[r]
                    if cell is not None
                    for n in _classes(cell)
                ]
            )
            if height:
                row.height = Cm(height)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST

    def _column_widths(
        self, grid: list[list[HtmlElement | None]], spans: dict, columns: int
    ) -> list[Emu]:
        """Widths from the single-column cells' width="x%"; the rest share what is left."""
        percents: list[float | None] = [None] * columns
        for (r, c), (_rowspan, colspan) in spans.items():
            value = (grid[r][c].get("width") or "").strip().rstrip("%")
            if colspan == 1 and percents[c] is None:
                try:
                    percents[c] = float(value)
                except ValueError:
                    pass
        known = sum(p for p in percents if p is not None)
        unknown = [i for i, p in enumerate(percents) if p is None]
        rest = max(100.0 - known, 0.0) / len(unknown) if unknown else 0.0
        shares = [p if p is not None else rest for p in percents]
        total = sum(shares) or 1.0
        return [Cm(TYPE_WIDTH_CM * share / total) for share in shares]

    def _cell(self, cell: _Cell, element: HtmlElement, style: _Style) -> None:
        """A cell's content: its text and paragraphs; th and key cells in the heading face."""
        classes = _classes(element)
        own = style
        if element.tag.lower() == "th" or "key" in classes:
            own = replace(own, font=self.fonts.heading, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif classes & {"num", "copies", "short"}:
            own = replace(own, align=WD_ALIGN_PARAGRAPH.CENTER)
        else:
            own = replace(own, align=WD_ALIGN_PARAGRAPH.LEFT)
        if "id" in classes:
            own = replace(own, size=10.0)
        if not classes & {"tall", "review"}:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        first = cell.paragraphs[0]
        self._blocks(element, own, container=cell)
        if len(cell.paragraphs) > 1 and not first.text:
            first._element.getparent().remove(first._element)


def html_to_docx(documents: Iterable[tuple[str, bool]], fonts: DocxFonts | None = None) -> bytes:
    """One .docx holding each (HTML, numbered) document in its own section."""
    writer = DocxWriter(fonts)
    for html, numbered in documents:
        writer.add(html, numbered=numbered)
    return writer.save()
