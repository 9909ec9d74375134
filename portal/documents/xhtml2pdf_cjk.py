"""CJK line breaking for xhtml2pdf: a patch of its internals, applied explicitly.

xhtml2pdf 0.2.x lays out paragraphs with -pdf-word-wrap: CJK badly in four ways:
- a paragraph split across pages gets a space appended to every line (ReportLab's
  word-based _split_blParaHard); the first part then needs one more line than the
  room it was cut for, and the build fails with "LayoutError: Splitting error";
- closing punctuation that does not fit hangs into the right margin, and
  full-width ，：；？！ and ” are not known as such and may start a line;
- numbers and Latin words (ID numbers, dates) are cut anywhere;
- text-align: justify stretches spaces only, which CJK text does not have.
So every CJK paragraph is broken by _cjk_lines (kind 1 lines, also for a single
fragment), split by joining its lines' fragments as they are, and justified by
character spacing. Paragraphs without -pdf-word-wrap: CJK are not affected.

It also parses the default stylesheet (xhtml2pdf's own rules and our BASE_CSS and
DOCUMENT_CSS, the same for every document) once per text instead of once per document:
that was a sixth of a one-page notice. Its at-rules (@page) set up the document being made,
so they are still parsed with each one. And it lets the caller finish a document's pages
before they are written (`finishing`): page numbers 「— N —」 are drawn there, in the same
run, once the number of pages is known.

This replaces two methods of xhtml2pdf's PmlParagraph, one function of its copy of
ReportLab's paragraph module, one method of its context and its canvas class, so it is tied
to the xhtml2pdf releases it was checked against (KNOWN_VERSIONS). Nothing happens on
import: create_app calls apply(), which refuses any other release with UnsupportedXhtml2pdf
before touching anything.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from importlib import metadata
from typing import Any

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.rl_settings import _FUZZ

#: xhtml2pdf releases whose internals this patch was checked against (the PDF tests
#: pass with them); pyproject.toml pins the same.
KNOWN_VERSIONS = frozenset({"0.2.28"})

#: What the patch reads or replaces, by module: each must exist in the release.
_REQUIRED = {
    "xhtml2pdf.reportlab_paragraph": (
        "ParaLines",
        "_handleBulletWidth",
        "_justifyDrawParaLineX",
        "_putFragLine",
        "cjkU",
        "makeCJKParaLine",
        "setXPos",
    ),
    "xhtml2pdf.xhtml2pdf_reportlab": ("MarkedCanvas", "PmlParagraph"),
    "xhtml2pdf.context": ("pisaContext",),
    "xhtml2pdf.parser": ("DEFAULT_CSS_SOURCE",),
}

#: Characters that must not start a line (closing punctuation, the full-width full stop of
#: 「1．」, ellipsis and the name dot), and must not end one (opening brackets and quotes).
CANNOT_START = frozenset(
    ALL_CANNOT_START + "，。、；：？！”’）》〉」』】〕〗〙〛］｝．…‥·～％‰℃﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"
)
CANNOT_END = frozenset(ALL_CANNOT_END + "“‘（《〈「『【〔〖〘〚［｛·﹙﹛﹝")

#: U+2060 WORD JOINER: no line break between the characters it stands between (the parts of
#: a unit's name, portal.documents.layout). The browser honours it too; the line breaker
#: below draws nothing for it.
WORD_JOINER = "\u2060"

#: The most space justification may add between two CJK characters, in points.
MAX_JUSTIFY_CHAR_SPACE = 3.0


def _not_about_the_word_joiner(record: logging.LogRecord) -> bool:
    """Drop xhtml2pdf's warning that no font draws U+2060: it is never drawn."""
    return "U+2060" not in record.getMessage()


#: Set on PmlParagraph once the patch is installed.
_MARKER = "_portal_cjk_wrap"

_lock = threading.Lock()
#: xhtml2pdf's copy of ReportLab's paragraph module, and its justification, once installed.
_rp: Any = None
_original_justify: Callable[..., None] | None = None


class UnsupportedXhtml2pdf(RuntimeError):
    """The installed xhtml2pdf is not a release the CJK patch was checked against."""


def installed_version() -> str:
    """The version of the installed xhtml2pdf distribution."""
    return metadata.version("xhtml2pdf")


def check_version(version: str) -> None:
    """Refuse an xhtml2pdf release the patch was not checked against."""
    if version not in KNOWN_VERSIONS:
        known = ", ".join(sorted(KNOWN_VERSIONS))
        raise UnsupportedXhtml2pdf(
            f"xhtml2pdf {version} 未经验证，PDF 中文排版补丁拒绝安装。"
            f"请安装 pyproject.toml 指定的版本（{known}）。\n"
            f"(portal/documents/xhtml2pdf_cjk.py patches xhtml2pdf internals and knows "
            f"releases {known} only; install one of them, or check the patch against "
            f"{version} with the PDF tests and add it to KNOWN_VERSIONS.)"
        )


def is_applied() -> bool:
    """Whether the CJK line breaking is installed in this process."""
    from xhtml2pdf.xhtml2pdf_reportlab import PmlParagraph

    return bool(getattr(PmlParagraph, _MARKER, False))


def apply(version: str | None = None) -> bool:
    """Check the xhtml2pdf release, then install the CJK layout once; True if installed now."""
    check_version(installed_version() if version is None else version)
    # Looked up only now: the version check comes before any internal is touched.
    modules = {name: importlib.import_module(name) for name in _REQUIRED}
    missing = [
        f"{name}.{attr}"
        for name, attrs in _REQUIRED.items()
        for attr in attrs
        if not hasattr(modules[name], attr)
    ]
    if missing:
        raise UnsupportedXhtml2pdf(
            f"xhtml2pdf 缺少 PDF 中文排版补丁所需的内部函数：{', '.join(missing)}"
        )
    with _lock:
        if is_applied():
            return False
        _install(modules["xhtml2pdf.reportlab_paragraph"], modules["xhtml2pdf.xhtml2pdf_reportlab"])
        _install_css_cache(modules["xhtml2pdf.context"], modules["xhtml2pdf.parser"])
        _install_finishing_canvas(modules["xhtml2pdf.xhtml2pdf_reportlab"])
        return True


def _install(reportlab_paragraph: Any, xhtml2pdf_reportlab: Any) -> None:
    """Replace the line breaking, page splitting and justification of CJK paragraphs."""
    global _rp, _original_justify
    paragraph = xhtml2pdf_reportlab.PmlParagraph
    original_split_func = paragraph._get_split_blParaFunc
    original_break = paragraph.breakLinesCJK

    def split_func(self: Any) -> Callable[..., list]:
        if self.blPara.kind == 1 and getattr(self.style, "wordWrap", None) == "CJK":
            return _split_cjk_lines
        return original_split_func(self)

    def break_lines_cjk(self: Any, width: float | list[float]) -> Any:
        if not self.frags:
            return original_break(self, width)
        max_widths = list(width) if isinstance(width, list | tuple) else [width]
        reportlab_paragraph._handleBulletWidth(
            self.bulletText, self.style, max_widths, rtl=self.dir == "rtl"
        )
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        calc_bounds = auto_leading not in {"", "off"}
        return _cjk_lines(self.frags, max_widths, calc_bounds, self.encoding)

    _rp = reportlab_paragraph
    logging.getLogger("xhtml2pdf.context").addFilter(_not_about_the_word_joiner)
    _original_justify = reportlab_paragraph._justifyDrawParaLineX
    reportlab_paragraph._justifyDrawParaLineX = _justify_cjk_line
    paragraph._get_split_blParaFunc = split_func
    paragraph.breakLinesCJK = break_lines_cjk
    setattr(paragraph, _MARKER, True)


#: CSS comments; quoted strings; an at-rule with its block (one level of nested braces: @page
#: with an @frame, @media with its rules) or up to its semicolon.
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_STRING = re.compile(r"\"[^\"]*\"|'[^']*'")
_AT_RULE = re.compile(r"@[\w-]+[^{};]*(?:;|\{(?:[^{}]|\{[^{}]*\})*\})")
#: Default stylesheets kept parsed (one per set of fonts and CSS the portal renders with).
_PARSED_DEFAULTS_KEPT = 8
_parsed_defaults: dict[str, Any] = {}


def split_stylesheet(text: str) -> tuple[str, str] | None:
    """(rules, at-rules) of a stylesheet, or None when it is not plain enough to split.

    Only rules can be parsed once for every document: an at-rule acts on the document being
    made (@page, @font-face), and so does a custom property of :root. Strings holding
    braces, semicolons or @, and an @ or brace left over, are not split (parsed as a whole).
    """
    text = _CSS_COMMENT.sub("", text)
    if "--" in text or "\\" in text:
        return None
    if any(c in m.group(0) for m in _CSS_STRING.finditer(text) for c in "{};@"):
        return None
    at_rules = "\n".join(m.group(0) for m in _AT_RULE.finditer(text))
    rules = _AT_RULE.sub("", text)
    if "@" in rules or rules.count("{") != rules.count("}"):
        return None
    return rules, at_rules


def _install_css_cache(context: Any, parser: Any) -> None:
    """Parse the rules of the default stylesheet once per text (see the module's doc)."""
    original = context.pisaContext._parseCSSSource
    default_source = parser.DEFAULT_CSS_SOURCE

    def parse_css_source(self: Any, text: str, source_name: str) -> Any:
        parts = split_stylesheet(text) if source_name == default_source else None
        if parts is None:
            return original(self, text, source_name)
        rules, at_rules = parts
        # Under xhtml2pdf's render lock: one document is parsed at a time.
        shared = _parsed_defaults.get(rules)
        if shared is None:
            shared = original(self, rules, source_name)
            if len(_parsed_defaults) >= _PARSED_DEFAULTS_KEPT:
                _parsed_defaults.clear()
            _parsed_defaults[rules] = shared
        if not at_rules:
            return shared
        # A new stylesheet of both: the shared one is only read, never changed.
        return self.cssBuilder.stylesheet([shared, original(self, at_rules, source_name)], [])

    context.pisaContext._parseCSSSource = parse_css_source


#: What the document being made does with its canvas before it is written (see finishing).
_before_save: ContextVar[Callable[[Any], None] | None] = ContextVar(
    "portal_pdf_before_save", default=None
)


@contextlib.contextmanager
def finishing(callback: Callable[[Any], None]) -> Iterator[None]:
    """Call callback(canvas) when a document made in this block has all its pages, before
    they are written: its ReportLab canvas, whose `_doc.Pages.pages` are the pages laid out.
    """
    token = _before_save.set(callback)
    try:
        yield
    finally:
        _before_save.reset(token)


def _install_finishing_canvas(xhtml2pdf_reportlab: Any) -> None:
    """Make xhtml2pdf draw on a canvas that calls the `finishing` callback before saving."""
    marked = xhtml2pdf_reportlab.MarkedCanvas

    class FinishingCanvas(marked):  # type: ignore[misc, valid-type]
        def save(self) -> None:
            callback = _before_save.get()
            if callback is not None:
                if len(self._code):  # the last page, as Canvas.save would close it
                    self.showPage()
                callback(self)
            super().save()

    # PmlBaseDoc._makeCanvas looks the class up by this name at each document.
    xhtml2pdf_reportlab.MarkedCanvas = FinishingCanvas


def _is_word_char(char: str) -> bool:
    """Whether a character belongs to a Latin word or number that is kept on one line."""
    return len(char) == 1 and char.isascii() and (char.isalnum() or char in "._-/")


def _break_point(units: list[str], start: int, stop: int) -> int:
    """Where to end the line start..stop (units[stop] did not fit), by CJK line rules."""
    if units[stop].isspace():
        return stop + 1  # a space that does not fit ends the line, invisibly
    point = stop
    if _is_word_char(units[point]) and _is_word_char(units[point - 1]):
        # Keep an ID number, a date or a Latin word whole, unless it fills the line.
        word_start = point - 1
        while word_start > start and _is_word_char(units[word_start - 1]):
            word_start -= 1
        if word_start > start:
            point = word_start
    # Keep a word of a unit name whole (its characters joined by U+2060), unless it fills
    # the line.
    word_start = point
    while word_start > start and getattr(units[word_start], "joined", False):
        word_start -= 1
    if word_start > start:
        point = word_start
    # Pull characters down rather than hang punctuation into the margin.
    for _ in range(4):
        if point - 1 <= start:
            break
        if units[point] in CANNOT_START or units[point - 1] in CANNOT_END:
            point -= 1
        else:
            break
    return point


def _cjk_lines(frags: list, max_widths: list, calc_bounds: bool, encoding: str) -> Any:
    """Break fragments into lines character by character, within the widths."""
    unit_of = _rp.cjkU
    units = []
    joined = False
    for frag in frags:
        text = frag.text if isinstance(frag.text, str) else frag.text.decode(encoding)
        if not text:
            units.append(unit_of(text, frag, encoding))
        for char in text:
            if char == WORD_JOINER:  # not drawn: the next character stays on this line
                joined = True
                continue
            unit = unit_of(char, frag, encoding)
            unit.joined = joined
            joined = False
            units.append(unit)
    lines = []
    start, count = 0, len(units)
    while start < count:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, index, forced = 0.0, start, False
        while index < count:
            unit = units[index]
            if hasattr(unit.frag, "lineBreak"):
                index += 1
                forced = True
                break
            if index > start and used + unit.width > max_width + _FUZZ:
                break
            used += unit.width
            index += 1
        end = index if forced or index >= count else _break_point(units, start, index)
        visible = units[start:end]
        while visible and visible[-1].isspace():
            visible = visible[:-1]
        extra = max_width - sum(unit.width for unit in visible)
        line = _rp.makeCJKParaLine(_runs(units[start:end]), extra, calc_bounds)
        line.cjkGlyphs = len(visible)
        line.lineBreak = forced
        lines.append(line)
        start = end
    return _rp.ParaLines(kind=1, lines=lines)


class _Run(str):
    """Characters of one fragment side by side, with that fragment (as a cjkU has its own)."""

    frag: Any


def _runs(units: list) -> list:
    """The units of a line with each fragment's characters joined into one run.

    makeCJKParaLine joins the characters of a fragment into one word anyway, after comparing
    every character's fragment with the last one and reading its font's ascent: once a run
    makes the same line. Inline images and line breaks stay one unit each, as it keeps them.
    """
    runs: list = []
    for _, group in itertools.groupby(units, key=lambda unit: id(unit.frag)):
        chars = list(group)
        frag = chars[0].frag
        if len(chars) == 1 or hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak"):
            runs.extend(chars)
        else:
            run = _Run("".join(chars))
            run.frag = frag
            runs.append(run)
    return runs


def _justify_cjk_line(tx: Any, offset: float, line: Any, last: int = 0) -> None:
    """Justify a CJK line by spacing its characters (it has no spaces to stretch)."""
    glyphs = getattr(line, "cjkGlyphs", 0)
    extra = line.extraSpace
    if (
        glyphs < 2
        or last
        or getattr(line, "lineBreak", False)
        or not 1e-8 < extra <= MAX_JUSTIFY_CHAR_SPACE * (glyphs - 1)
    ):
        _original_justify(tx, offset, line, last)
        return
    _rp.setXPos(tx, offset)
    tx.setCharSpace(extra / (glyphs - 1))
    _rp._putFragLine(offset, tx, line)
    tx.setCharSpace(0)
    _rp.setXPos(tx, -offset)


def _split_cjk_lines(para_lines: Any, start: int, stop: int) -> list:
    """The fragments of lines start..stop, joined without inserting spaces."""
    frags: list = []
    for line in para_lines.lines[start:stop]:
        frags.extend(line.words)
    return frags
