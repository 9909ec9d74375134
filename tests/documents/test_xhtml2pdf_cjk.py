"""The xhtml2pdf patch: explicit, applied once, refused on an unknown xhtml2pdf release."""

from __future__ import annotations

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
