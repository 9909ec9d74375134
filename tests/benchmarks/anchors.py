"""Anchors: the same output made by the plain library, to compare the portal's time with.

- a PDF: ReportLab's canvas drawing the document's text, line by line, with the same
  TrueType fonts embedded (what any PDF of that text must at least cost);
- a roster: openpyxl's write-only mode writing the same cells raw, or the csv module.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas


def pdf_lines(pdf: bytes) -> list[list[str]]:
    """The text of each page of a PDF, as lines."""
    return [(page.extract_text() or "").splitlines() for page in PdfReader(io.BytesIO(pdf)).pages]


def _font(path: str | None, name: str) -> str:
    if path is None:
        return "Helvetica"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    return name


def reportlab_draw(pages: list[list[str]], body: str | None, heading: str | None) -> bytes:
    """Draw the lines on A4 pages with the body font (title in the heading font), embedded."""
    body_font = _font(body, "anchor-body")
    heading_font = _font(heading, "anchor-heading")
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    for lines in pages:
        y = height - 105
        for i, line in enumerate(lines):
            c.setFont(heading_font if i == 0 else body_font, 16 if i == 0 else 14)
            c.drawString(80, y, line)
            y -= 24.5
        c.showPage()
    c.save()
    return out.getvalue()


def _rows(body: bytes, fmt: str) -> list[list[object]]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def sheet_shape(body: bytes, fmt: str) -> tuple[int, int]:
    """Rows and columns of an exported roster."""
    rows = _rows(body, fmt)
    return len(rows), max((len(r) for r in rows), default=0)


def write_rows(body: bytes, fmt: str) -> tuple[float, float]:
    """Seconds openpyxl write-only (xlsx) or the csv module takes to write the same cells, and
    the CPU seconds of this process meanwhile."""
    import time

    rows = _rows(body, fmt)
    t, cpu = time.perf_counter(), time.process_time()
    out = io.BytesIO()
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        out.write(text.getvalue().encode("utf-8-sig"))
    else:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        for r in rows:
            sheet.append(r)
        book.save(out)
    return time.perf_counter() - t, time.process_time() - cpu
