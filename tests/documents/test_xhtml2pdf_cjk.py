"""The xhtml2pdf patch: explicit, applied once, refused on an unknown xhtml2pdf release."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portal import create_app
from portal.documents import xhtml2pdf_cjk
from tests.conftest import TestConfig

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(code: str) -> subprocess.CompletedProcess:
    """Run code in a new interpreter, where nothing has been patched yet."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_importing_the_portal_patches_nothing_and_apply_installs_once() -> None:
    result = run_fresh(
        """
        from xhtml2pdf.xhtml2pdf_reportlab import PmlParagraph
        from portal.documents import pdf, xhtml2pdf_cjk
        import portal

        original = PmlParagraph.breakLinesCJK
        assert not xhtml2pdf_cjk.is_applied()
        try:
            pdf.html_to_pdf("<p>公示</p>")
        except RuntimeError as exc:
            assert "xhtml2pdf_cjk.apply()" in str(exc), exc
        else:
            raise AssertionError("rendered without the CJK line breaking")
        assert xhtml2pdf_cjk.apply() is True
        patched = PmlParagraph.breakLinesCJK
        assert patched is not original
        assert xhtml2pdf_cjk.apply() is False
        portal.create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert PmlParagraph.breakLinesCJK is patched  # not wrapped a second time
        assert pdf.html_to_pdf("<p>公示</p>").startswith(b"%PDF")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_an_unknown_xhtml2pdf_release_is_refused_before_anything_is_patched() -> None:
    result = run_fresh(
        """
        from portal.documents import xhtml2pdf_cjk
        import portal

        xhtml2pdf_cjk.installed_version = lambda: "0.2.99"
        try:
            portal.create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        except xhtml2pdf_cjk.UnsupportedXhtml2pdf as exc:
            print(exc)
        assert not xhtml2pdf_cjk.is_applied()
        """
    )
    assert result.returncode == 0, result.stderr
    assert "xhtml2pdf 0.2.99 未经验证" in result.stdout
    assert "KNOWN_VERSIONS" in result.stdout and "0.2.28" in result.stdout


def test_the_installed_release_is_a_known_one() -> None:
    # pyproject.toml pins xhtml2pdf to a release the patch knows; a newer one is refused.
    assert xhtml2pdf_cjk.installed_version() in xhtml2pdf_cjk.KNOWN_VERSIONS
    with pytest.raises(xhtml2pdf_cjk.UnsupportedXhtml2pdf, match="0.3.0"):
        xhtml2pdf_cjk.apply(version="0.3.0")


def test_create_app_refuses_an_unknown_release(monkeypatch) -> None:
    monkeypatch.setattr(xhtml2pdf_cjk, "installed_version", lambda: "1.0.0")
    with pytest.raises(xhtml2pdf_cjk.UnsupportedXhtml2pdf, match="xhtml2pdf 1.0.0"):
        create_app(TestConfig)


def test_the_default_stylesheet_is_split_into_rules_and_at_rules() -> None:
    css = "/* a {comment} @page */ p { margin: 0; }\n@page { size: a4; @frame f { top: 1cm; } }\n"
    rules, at_rules = xhtml2pdf_cjk.split_stylesheet(css + "h1 { font-family: 'A B'; }")
    assert at_rules == "@page { size: a4; @frame f { top: 1cm; } }"
    assert "p { margin: 0; }" in rules and "h1 { font-family: 'A B'; }" in rules
    assert "@" not in rules and "comment" not in rules
    # What cannot be told apart safely is parsed whole, with each document.
    assert xhtml2pdf_cjk.split_stylesheet("p { content: '{'; }") is None
    assert xhtml2pdf_cjk.split_stylesheet(":root { --gap: 1em; } p { margin: var(--gap); }") is None
    assert xhtml2pdf_cjk.split_stylesheet("p { margin: 0; } }") is None


def test_the_default_rules_are_parsed_once_and_at_rules_with_each_document(monkeypatch) -> None:
    from pypdf import PdfReader
    from xhtml2pdf.w3c import cssParser

    from portal.documents.pdf import BASE_CSS, html_to_pdf

    xhtml2pdf_cjk.apply()
    parsed: list[str] = []
    original = cssParser.CSSParser.parse

    def counted(self, src):
        parsed.append(src)
        return original(self, src)

    monkeypatch.setattr(cssParser.CSSParser, "parse", counted)
    css = BASE_CSS + "\n.parse-once-test { margin: 0; }"  # rules no other test renders with
    sizes = []
    for size in ("a4 portrait", "a4 landscape", "a4 portrait"):
        pdf = html_to_pdf("<p>公示</p>", css.replace("a4 portrait", size))
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        sizes.append(float(box.width) > float(box.height))
    assert sizes == [False, True, False]  # each document's @page still counts
    with_rules = [src for src in parsed if ".parse-once-test" in src]
    with_page = [src for src in parsed if "@page" in src]
    assert len(with_rules) == 1 and len(with_page) == 3


def test_a_line_made_from_runs_is_the_line_made_from_characters() -> None:
    # makeCJKParaLine is given each fragment's characters as one run: the same words, font
    # sizes and extents as from one unit per character, line breaks and images kept apart.
    from reportlab.lib.colors import black, red
    from reportlab.platypus.paraparser import ParaFrag
    from xhtml2pdf import reportlab_paragraph as rp

    xhtml2pdf_cjk.apply()

    def frag(text: str, size: float = 16, color=black, **extra) -> ParaFrag:
        return ParaFrag(
            text=text, fontName="Helvetica", fontSize=size, textColor=color, rise=0, **extra
        )

    plain, other = frag("公示期间如有异议"), frag("请反映", 12, red)
    alike = frag("至办公室")  # a fragment of its own that looks the same as the first
    image = frag("", cbDefn=ParaFrag(width=20, height=10, valign="middle"))
    units = [
        rp.cjkU(char, f, "utf8")
        for f in (plain, other, alike, frag("", lineBreak=True), image, plain)
        for char in (f.text or [""])
    ]

    def shape(line) -> list:
        words = [(w.text, w.fontSize, getattr(w, "textColor", None)) for w in line.words]
        return [words, line.fontSize, line.ascent, line.descent, line.extraSpace]

    for bounds in (False, True):
        expected = rp.makeCJKParaLine(units, 7.5, bounds)
        runs = xhtml2pdf_cjk._runs(units)
        assert len(runs) < len(units)
        assert shape(rp.makeCJKParaLine(runs, 7.5, bounds)) == shape(expected)
