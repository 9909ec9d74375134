"""PDF engine for official documents: CJK fonts, HTML to A4 PDF, merging."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.fonts import addMapping
from reportlab.lib.units import cm as CM
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from xhtml2pdf import default as pisa_default
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from portal import memory
from portal.documents import xhtml2pdf_cjk

log = logging.getLogger(__name__)

#: CSS family names the stylesheets use; each render maps them to the chosen fonts.
BODY_FAMILY = "portal-song"
HEADING_FAMILY = "portal-hei"

#: ReportLab's built-in Adobe-GB1 face: always available, never embedded.
BUILTIN_CJK_FONT = "STSong-Light"

FALLBACK_WARNING = (
    "未找到可嵌入的中文字体，PDF 依赖阅读器的字体（STSong-Light），在其他电脑上可能显示不正确"
)

_WINDOWS_FONTS = Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"

#: Body faces by family name, best first: 仿宋 as GB/T 9704 asks, then 宋 (Song/Ming).
#: Found through fontconfig wherever they are installed; TrueType outlines only (the PDF
#: engine cannot embed the PostScript/CFF outlines of FandolSong or Source Han Serif).
BODY_FAMILIES: tuple[str, ...] = (
    "仿宋_GB2312",
    "FangSong_GB2312",
    "方正仿宋_GBK",
    "FZFangSong-Z02",
    "仿宋",
    "FangSong",
    "华文仿宋",
    "STFangsong",
    "宋体",
    "SimSun",
    "AR PL UMing CN",
    "AR PL SungtiL GB",
)
#: Heading faces by family name, best first: 小标宋 and its likes, then a heavy sans.
HEADING_FAMILIES: tuple[str, ...] = (
    "方正小标宋简体",
    "方正小标宋_GBK",
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "华文中宋",
    "STZhongsong",
    "黑体",
    "SimHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)

#: Song/Ming faces for body text by file, after the families: (path, subfont index of a TTC).
BODY_CANDIDATES: tuple[tuple[Path, int], ...] = (
    (_WINDOWS_FONTS / "simfang.ttf", 0),  # FangSong
    (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),  # AR PL UMing CN
    (Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"), 0),  # AR PL SungtiL GB
    (_WINDOWS_FONTS / "simsun.ttc", 0),  # SimSun
)

#: Heavy faces for headings by file, after the families.
HEADING_CANDIDATES: tuple[tuple[Path, int], ...] = (
    (_WINDOWS_FONTS / "FZXBSJW.TTF", 0),  # 方正小标宋简体
    (_WINDOWS_FONTS / "STZHONGS.TTF", 0),  # 华文中宋
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),  # WenQuanYi Zen Hei
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),  # WenQuanYi Micro Hei
    (_WINDOWS_FONTS / "simhei.ttf", 0),  # SimHei
)


@functools.cache
def _installed_fonts() -> tuple[tuple[str, int, frozenset[str]], ...]:
    """Every TrueType font fontconfig knows: (file, index, family names); () without it."""
    if shutil.which("fc-list") is None:
        return ()
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}|%{index}|%{family}|%{fontformat}\\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in listing.splitlines():
        parts = line.split("|")
        if len(parts) == 4 and parts[3] == "TrueType" and parts[1].isdigit():
            found.append((parts[0], int(parts[1]), frozenset(parts[2].split(","))))
    return tuple(found)


def installed_candidates(families: Iterable[str]) -> list[tuple[Path, int]]:
    """The installed TrueType fonts of these families, in the order the families are given."""
    fonts = _installed_fonts()
    out: list[tuple[Path, int]] = []
    for family in families:
        for path, index, names in fonts:
            if family in names and (Path(path), index) not in out:
                out.append((Path(path), index))
    return out


# GB/T 9704-2012: 37 mm top, 28 mm binding (left) margin, 156 x 225 mm type area.
MARGIN_TOP_CM = 3.7
MARGIN_RIGHT_CM = 2.6
MARGIN_BOTTOM_CM = 3.5
MARGIN_LEFT_CM = 2.8

BASE_CSS = f"""
@page {{
    size: a4 portrait;
    margin: {MARGIN_TOP_CM}cm {MARGIN_RIGHT_CM}cm {MARGIN_BOTTOM_CM}cm {MARGIN_LEFT_CM}cm;
}}
html, body {{
    /* GB/T 9704: body 三号 (16 pt) 仿宋 or 宋, about 22 lines of 28 characters a page */
    font-family: {BODY_FAMILY}, {HEADING_FAMILY};
    font-size: 16pt;
    line-height: 1.8;
    color: #000000;
}}
p, div, li, td, th, span, h1, h2, h3, h4 {{
    -pdf-word-wrap: CJK;
}}
p {{
    margin: 0;
    text-indent: 2em;
    text-align: justify;
}}
h1, .title {{
    font-family: {HEADING_FAMILY};
    font-size: 22pt;
    font-weight: normal;
    line-height: 1.5;
    text-align: center;
    text-indent: 0;
    margin: 0 0 0.8em 0;
}}
h2, .subtitle {{
    font-family: {HEADING_FAMILY};
    font-size: 16pt;
    font-weight: normal;
    line-height: 1.6;
    text-indent: 0;
    margin: 0.6em 0 0.3em 0;
}}
h3 {{
    font-family: {HEADING_FAMILY};
    font-size: 14pt;
    font-weight: normal;
    text-indent: 0;
    margin: 0.4em 0 0.2em 0;
}}
b, strong {{
    font-family: {HEADING_FAMILY};
    font-weight: normal;
}}
.noindent {{ text-indent: 0; }}
.center {{ text-align: center; text-indent: 0; }}
.right {{ text-align: right; text-indent: 0; }}
.sign, .seal, .date {{
    text-align: right;
    text-indent: 0;
    padding-right: 2em;
}}
.sign {{
    margin-top: 2em;
    padding-right: 7em;  /* room for the handwritten signature */
}}
.seal {{ margin-top: 1.2em; }}
.date {{ margin-top: 0.3em; }}
.signoff {{ page-break-inside: avoid; }}
.blank {{ white-space: pre; }}  /* U+3000 blanks for handwriting keep their width */
.page-break {{ page-break-before: always; }}
table.grid {{
    width: 100%;
    border-collapse: collapse;
    margin: 0.5em 0;
}}
table.grid td, table.grid th {{
    border: 0.75pt solid #000000;
    padding: 3pt 4pt 1pt 4pt;
    font-size: 12pt;
    line-height: 1.4;
    text-indent: 0;
    text-align: left;
    vertical-align: middle;
}}
table.grid th {{
    font-family: {HEADING_FAMILY};
    font-weight: normal;
    text-align: center;
}}
"""


class PdfError(RuntimeError):
    """Raised when an HTML document cannot be rendered to PDF."""


@dataclass(frozen=True)
class FontChoice:
    """The fonts a document is drawn with, and what to tell the user about them."""

    body_path: str | None
    heading_path: str | None
    body_name: str
    heading_name: str
    builtin_fallback: bool
    warning: str | None = None


_registry_lock = threading.Lock()
_registered: dict[tuple[str, int], str | None] = {}


def _register_ttf(path: Path, index: int) -> str | None:
    """Register a TrueType font or collection member once; return its name or None."""
    key = (str(path), index)
    with _registry_lock:
        if key in _registered:
            return _registered[key]
        name: str | None = None
        if path.is_file():
            digest = hashlib.sha1(str(path).encode()).hexdigest()[:6]
            name = f"CJK-{path.stem}-{index}-{digest}"
            if name not in pdfmetrics.getRegisteredFontNames():
                try:
                    font = TTFont(name, str(path), subfontIndex=index)
                except Exception as exc:  # any font ReportLab cannot read is skipped
                    log.warning("Cannot use font %s#%d: %s", path, index, exc)
                    name = None
                else:
                    pdfmetrics.registerFont(font)
        _registered[key] = name
        return name


def _register_builtin() -> str:
    """Register ReportLab's STSong-Light CID font once; return its name."""
    with _registry_lock:
        if BUILTIN_CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CJK_FONT))
    return BUILTIN_CJK_FONT


#: The first bytes of the font files ReportLab's TTFont reads (TrueType, a collection).
_TRUETYPE_MAGIC = (b"\x00\x01\x00\x00", b"true", b"ttcf")


def _peek_ttf(path: Path, index: int) -> str | None:
    """The name `_register_ttf` would give, judged by the file's header alone (no loading)."""
    try:
        with path.open("rb") as f:
            if f.read(4) not in _TRUETYPE_MAGIC:
                return None
    except OSError:
        return None
    return f"CJK-{path.stem}-{index}"


def _first_usable(
    candidates: Iterable[tuple[Path, int]], use=_register_ttf
) -> tuple[str, str] | None:
    """Return (path, registered name) of the first candidate that loads."""
    for path, index in candidates:
        name = use(path, index)
        if name is not None:
            return str(path), name
    return None


def find_cjk_fonts(
    configured: Mapping[str, object] | None = None,
    *,
    search_system: bool = True,
    load: bool = True,
) -> FontChoice:
    """Find and register the body (Song) and heading (Hei) fonts, or fall back.

    With load=False nothing is read but the files' headers (a font takes tens of MB once
    loaded): enough to warn a page about missing fonts before any PDF is made.
    """
    # configured may name "body" and "heading" font files (.ttf or .ttc, with
    # "body_index" / "heading_index" for a collection member); they are tried
    # before the Debian and Windows fonts, which search_system=False skips.
    configured = configured or {}
    use = _register_ttf if load else _peek_ttf
    candidates: dict[str, list[tuple[Path, int]]] = {"body": [], "heading": []}
    problems: list[str] = []
    for key, found in candidates.items():
        value = configured.get(key)
        if not value:
            continue
        path = Path(str(value)).expanduser()
        if not path.is_file():
            problems.append(f"配置的中文字体文件不存在：{path}")
            continue
        index = int(str(configured.get(f"{key}_index", 0)))
        if use(path, index) is None:
            problems.append(f"配置的中文字体无法使用（需要 TrueType 字体）：{path}")
            continue
        found.append((path, index))
    if search_system:
        candidates["body"].extend(installed_candidates(BODY_FAMILIES))
        candidates["body"].extend(BODY_CANDIDATES)
        candidates["heading"].extend(installed_candidates(HEADING_FAMILIES))
        candidates["heading"].extend(HEADING_CANDIDATES)

    body = _first_usable(candidates["body"], use)
    heading = _first_usable(candidates["heading"], use)
    body, heading = body or heading, heading or body  # one face serves for both
    if body is None or heading is None:
        name = _register_builtin() if load else BUILTIN_CJK_FONT
        return FontChoice(None, None, name, name, True, "；".join([*problems, FALLBACK_WARNING]))
    body_path, body_name = body
    heading_path, heading_name = heading
    if problems:
        used = body_path if heading_path == body_path else f"{body_path} 和 {heading_path}"
        problems.append(f"已改用 {used}")
    return FontChoice(
        body_path, heading_path, body_name, heading_name, False, "，".join(problems) or None
    )


_default_fonts: FontChoice | None = None
_render_lock = threading.Lock()


def configure_fonts(
    configured: Mapping[str, object] | None = None, *, search_system: bool = True
) -> FontChoice:
    """Choose the fonts html_to_pdf uses by default (e.g. from app config); return them."""
    global _default_fonts
    _default_fonts = find_cjk_fonts(configured, search_system=search_system)
    if _default_fonts.warning:
        log.warning(_default_fonts.warning)
    return _default_fonts


def default_fonts() -> FontChoice:
    """The fonts html_to_pdf uses by default: configured ones, or found on this machine."""
    return _default_fonts or configure_fonts(None)


def _map_families(fonts: FontChoice) -> None:
    """Point the CSS families at the chosen fonts; bold means the heavy face."""
    pisa_default.DEFAULT_FONT[BODY_FAMILY] = fonts.body_name
    pisa_default.DEFAULT_FONT[HEADING_FAMILY] = fonts.heading_name
    # There is no synthetic bold or italic: bold is the heading face, italic upright.
    for name in (fonts.body_name, fonts.heading_name):
        addMapping(name, 1, 1, fonts.heading_name)
        addMapping(name, 1, 0, fonts.heading_name)
        addMapping(name, 0, 1, name)
    for name in (fonts.body_name, fonts.heading_name):
        addMapping(name, 0, 0, name)  # last, so that each face maps back to itself


def html_to_pdf(
    html: str,
    base_css: str | None = None,
    *,
    fonts: FontChoice | None = None,
    numbered: bool = False,
) -> bytes:
    """Render an HTML document to A4 PDF bytes with embedded CJK fonts.

    numbered: print 「— N —」 on every page if the document has more than one (GB/T 9704).
    """
    if not xhtml2pdf_cjk.is_applied():
        raise RuntimeError(
            "xhtml2pdf's CJK line breaking is not installed: call "
            "portal.documents.xhtml2pdf_cjk.apply() first (create_app does)"
        )
    fonts = fonts or default_fonts()
    css = pisa_default.DEFAULT_CSS + "\n" + (BASE_CSS if base_css is None else base_css)
    # Official documents fetch nothing: no network, no local files.
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=None)
    out = io.BytesIO()
    finish = functools.partial(_number_pages, font=fonts.body_name) if numbered else _as_laid_out
    with _render_lock, xhtml2pdf_cjk.finishing(finish):
        _map_families(fonts)
        try:
            result = pisa.CreatePDF(
                html,
                dest=out,
                default_css=css,
                encoding="utf-8",
                resource_policy=policy,
            )
        except Exception as exc:
            raise PdfError(f"PDF 生成失败：{exc}") from exc
        finally:
            memory.release_when_idle()  # its objects are freed: keep the worker small
    if result.err:
        details = "；".join(str(entry[2]) for entry in result.log if entry[0] == "error")
        raise PdfError(f"PDF 生成失败（{result.err} 个错误）：{details or '未知错误'}")
    data = out.getvalue()
    if not data.startswith(b"%PDF"):
        raise PdfError("PDF 生成失败：没有得到 PDF 数据")
    return data


#: GB/T 9704-2012 7.5: page numbers in 4号 (14 pt) Arabic numerals with a 一字线 each side,
#: the line's top 7 mm below the type area; odd pages right, even pages left, one em in.
PAGE_NUMBER_SIZE = 14.0
PAGE_NUMBER_GAP_CM = 0.7


def page_number_text(number: int) -> str:
    """「— 1 —」."""
    return f"— {number} —"


def _as_laid_out(canvas: Canvas) -> None:
    """Pages as the engine laid them out (no page numbers)."""


def _number_pages(canvas: Canvas, font: str) -> None:
    """Print 「— N —」 on every page of a document of more than one page (GB/T 9704).

    Called with the document's canvas once all its pages are laid out and before they are
    written: each page's drawing is wrapped in q/Q, so the number is drawn in the page's
    initial state, in the body font already embedded (one run, no second pass over the PDF).
    """
    pages = canvas._doc.Pages.pages
    if len(pages) < 2:
        return
    top = (MARGIN_BOTTOM_CM - PAGE_NUMBER_GAP_CM) * CM
    baseline = top - PAGE_NUMBER_SIZE * 0.88
    for number, page in enumerate(pages, start=1):
        label = page_number_text(number)
        if number % 2:
            right = page.pagewidth - MARGIN_RIGHT_CM * CM - PAGE_NUMBER_SIZE
            x = right - canvas.stringWidth(label, font, PAGE_NUMBER_SIZE)
        else:
            x = MARGIN_LEFT_CM * CM + PAGE_NUMBER_SIZE
        text = canvas.beginText(x, baseline)
        text.setFont(font, PAGE_NUMBER_SIZE)
        text.textLine(label)
        page.setStream(["q", page.stream, "Q", text.getCode()])


def merge_pdfs(documents: Iterable[bytes]) -> bytes:
    """Concatenate PDFs; each document starts on a new page."""
    writer = PdfWriter()
    for data in documents:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF's pages refer to, by base name, and whether its file is embedded."""
    embedded: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])
            ]
            embedded[str(font["/BaseFont"]).lstrip("/")] = any(
                d is not None
                and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
    return embedded


def pdf_text(pdf: bytes) -> str:
    """Extract the text of every page, pages separated by form feeds."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\f".join(page.extract_text() or "" for page in reader.pages)
