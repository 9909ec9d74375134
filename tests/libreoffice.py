"""LibreOffice headless and poppler for tests: convert a file as an office would open it.

Tests that need them call `require_libreoffice()`: without `soffice` (Debian packages
libreoffice-calc-nogui, libreoffice-writer-nogui) or `pdftotext` (poppler-utils) they are
skipped with the reason, and fail instead where PORTAL_REQUIRE_LIBREOFFICE is set (CI).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest


def require_libreoffice() -> str:
    """The path of `soffice`, or skip (fail in CI) saying what is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    missing = []
    if soffice is None:
        missing.append("LibreOffice (apt-get install libreoffice-calc-nogui)")
    if shutil.which("pdftotext") is None:
        missing.append("pdftotext (apt-get install poppler-utils)")
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("PORTAL_REQUIRE_LIBREOFFICE"):
            pytest.fail(f"LibreOffice tests are required here but this machine {reason}")
        pytest.skip(reason)
    return soffice


def convert(source: Path, fmt: str, *, infilter: str | None = None, timeout: int = 240) -> Path:
    """Convert `source` with LibreOffice headless into `fmt` (pdf, xlsx …) beside it.

    Each call has its own LibreOffice profile, so conversions running at the same time (other
    tests, other users of the machine) do not wait on each other's lock.
    """
    soffice = require_libreoffice()
    outdir = source.parent
    profile = outdir / f".lo-profile-{source.stem}"
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
    ]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", fmt, "--outdir", str(outdir), str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    target = outdir / f"{source.stem}.{fmt.split(':')[0]}"
    assert target.is_file(), f"LibreOffice did not convert {source.name}: {done.stderr}"
    return target


@dataclass(frozen=True)
class Word:
    """A word of a PDF page as pdftotext -bbox finds it (points, origin top left)."""

    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def height(self) -> float:
        """The word's box height: the font's ascent to descent at its printed size."""
        return self.y_max - self.y_min

    @property
    def em(self) -> float | None:
        """The printed font size of a word of CJK characters (each is one em wide), else None."""
        if not self.text or not all(
            unicodedata.east_asian_width(ch) in ("W", "F") for ch in self.text
        ):
            return None
        return (self.x_max - self.x_min) / len(self.text)


@dataclass(frozen=True)
class Page:
    """A PDF page's size in points and its words."""

    width: float
    height: float
    words: list[Word]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with the box of each word (poppler's pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for n, (width, height, body) in enumerate(_PAGE.findall(out), start=1):
        words = [
            Word(n, html.unescape(text), float(a), float(b), float(c), float(d))
            for a, b, c, d, text in _WORD.findall(body)
        ]
        pages.append(Page(float(width), float(height), words))
    return pages
