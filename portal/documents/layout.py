"""A document template laid out by its structure: title, paragraphs and the sign-off.

Which line is the title and which lines are the sign-off (签字, 公章, the date) is read from
the template text, where the campaign or the unit put them, never from the values filled
in: a line of the applicant's 业绩成果 that mentions 盖章 or looks like a date stays in the
body. The template's literal text is also cleaned of the spaces a notice's text extraction
leaves between Chinese characters (「下一年起 3 年内」); the applicant's own text is not
touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.documents.xhtml2pdf_cjk import WORD_JOINER
from portal.sandbox import render_template

#: Placeholders a sign-off line may hold: who signs, the unit that stamps, the date.
SIGNOFF_PLACEHOLDERS = frozenset({"日期", "推荐单位", "单位负责人"})
#: A template line ending with one of these is a sentence or a clause, so body text.
_SENTENCE_END = "。；！？，…;!?,"
#: A title or a sign-off line is short; longer literal text is a paragraph.
_SHORT = 30

_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_LABEL = re.compile(r"^([\u4e00-\u9fff]{2,8}[：:])(?=.)")

# Spaces (not U+3000, which a notice uses on purpose for blanks) next to a Chinese
# character or full-width punctuation are left over from extraction.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3001-\u303f\u201c\u201d\u2018\u2019\u2014\u2026"
_EXTRACTION_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")

#: A run of ideographic spaces: a blank the notice leaves for handwriting.
_BLANK = re.compile("\u3000+")

#: The words a unit or office name ends its parts with: places, then organisations. A long
#: name wraps only after one of them (若羌县|水文水资源勘测分站), never inside a place name
#: (瓦石峡镇, 巴润哈尔莫敦镇) or a word. A dictionary segmenter (jieba) was tried and
#: rejected: it cuts transliterated Uyghur and Mongolian place names (瓦|石峡, 巴润|哈尔|莫敦)
#: that no dictionary holds, and costs about 90 MB of memory and 2 s to load.
UNIT_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            # places
            *("自治区", "自治州", "自治县", "地区", "兵团", "街道", "社区", "开发区", "园区"),
            *("省", "市", "州", "县", "区", "旗", "盟", "镇", "乡", "村", "师", "团"),
            # offices and bodies
            *("人民政府", "政府", "委员会", "管委会", "办公室", "办事处", "党委", "县委", "州委"),
            *("管理局", "管理处", "管理站", "管理所", "联合会", "协会", "学会", "工会", "商会"),
            *("局", "厅", "委", "办", "部", "院", "所", "站", "馆", "队", "校", "厂"),
            *("中心", "公司", "集团", "基地", "中学", "小学", "大学", "学院", "幼儿园"),
            *("报社", "合作社", "出版社", "旅行社", "电视台", "广播电视台", "气象台"),
            *("农场", "林场", "牧场", "公园", "产业园", "工业园", "科技园"),
        },
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True)
class Block:
    """One line of a document as laid out: title, paragraph or a line of the sign-off."""

    kind: str  # "title", "para", "sign", "seal" or "date"
    text: str
    label: str = ""  # a leading 基本信息： set in the heavy face

    @property
    def signoff(self) -> bool:
        """Whether the line belongs to the sign-off block."""
        return self.kind in ("sign", "seal", "date")


@dataclass(frozen=True)
class TemplateLine:
    """One line of a template and the part it plays, read from the template alone."""

    source: str
    kind: str
    label: str = ""


def normalise_spaces(text: str) -> str:
    """Drop extraction spaces beside Chinese text in a template's literal parts."""
    parts = []
    last = 0
    for match in _TAG.finditer(text):
        parts.append(_EXTRACTION_SPACE.sub("", text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_EXTRACTION_SPACE.sub("", text[last:]))
    return "".join(parts)


def _names(line: str) -> set[str]:
    """The placeholders of one template line."""
    return set(_NAME.findall(line))


def _literal(line: str) -> str:
    """A template line without its placeholders."""
    return _NAME.sub("", line).strip()


def _one_line_tags(text: str) -> str:
    """Placeholders written over several lines, put on one (“{{\\n姓名 }}” → “{{ 姓名 }}”)."""
    return _TAG.sub(lambda m: "{{ " + " ".join(m.group(1).split()) + " }}", text)


def _is_title(line: str) -> bool:
    """A first line without placeholders that is short and not a sentence."""
    literal = _literal(line)
    return (
        not _names(line) and 0 < len(literal) <= _SHORT and literal[-1] not in _SENTENCE_END + "：:"
    )


def _may_sign_off(line: str) -> bool:
    """A short line holding no placeholder but who signs, the unit or the date."""
    literal = _literal(line)
    return (
        _names(line) <= SIGNOFF_PLACEHOLDERS
        and len(literal) <= _SHORT
        and not (literal and literal[-1] in _SENTENCE_END)
    )


def _signoff_kind(line: str) -> str:
    """Date, signature or seal, for a line of the sign-off block."""
    if "日期" in _names(line):
        return "date"
    literal = _literal(line)
    return "sign" if "签" in literal else "seal"


def template_structure(text: str, *, labels: bool = False) -> list[TemplateLine]:
    """The template's lines with the part each plays: title, paragraph or sign-off.

    The sign-off is the run of short lines at the end of the template that hold no
    placeholder but {{ 日期 }}, {{ 推荐单位 }} or {{ 单位负责人 }} and end no sentence, and
    it counts only if one of those placeholders stands in it (the date line of the notices'
    templates). `labels` sets a leading 「基本信息：」 of a paragraph apart.
    """
    lines = [line.strip() for line in _one_line_tags(normalise_spaces(text)).splitlines()]
    lines = [line for line in lines if line]
    first_body = 1 if lines and _is_title(lines[0]) else 0
    start = len(lines)
    while start > first_body and _may_sign_off(lines[start - 1]):
        start -= 1
    if not any(_names(line) for line in lines[start:]):
        start = len(lines)
    out: list[TemplateLine] = []
    for index, line in enumerate(lines):
        if index < first_body:
            out.append(TemplateLine(line, "title"))
        elif index >= start:
            out.append(TemplateLine(line, _signoff_kind(line)))
        elif labels and (match := _LABEL.match(line)):
            out.append(TemplateLine(line[match.end() :], "para", match.group(1)))
        else:
            out.append(TemplateLine(line, "para"))
    return out


def layout_template(
    text: str,
    values: Mapping[str, object],
    allowed: Iterable[str],
    *,
    labels: bool = False,
) -> list[Block]:
    """Fill a template line by line and lay it out by the template's own structure.

    Raises the sandbox's TemplateError for a bad template or a missing value. A value that
    holds several lines (业绩成果 typed as a list) gives several paragraphs of the part its
    placeholder stands in.
    """
    allowed = list(allowed)
    render_template(text, values, allowed)  # the whole text checked, problems by line
    blocks: list[Block] = []
    for line in template_structure(text, labels=labels):
        rendered = render_template(line.source, values, allowed)
        pieces = [p.strip() for p in rendered.replace("\r\n", "\n").split("\n")]
        pieces = [p for p in pieces if p]
        if line.label and not pieces:
            pieces = [""]
        for number, piece in enumerate(pieces):
            blocks.append(Block(line.kind, piece, line.label if number == 0 else ""))
    return blocks


def keep_blanks(html: str) -> Markup:
    """Safe HTML (a campaign's sanitised annex) with its U+3000 blanks kept, as typeset does."""
    parts = re.split(r"(<[^>]*>)", html)
    return Markup(
        "".join(part if part.startswith("<") else _BLANK.sub(_blank_span, part) for part in parts)
    )


def _blank_span(match: re.Match[str]) -> str:
    """A run of ideographic spaces that keeps its width in the PDF."""
    return f'<span class="blank">{match.group(0)}</span>'


def unit_words(name: str) -> list[str]:
    """A unit or office name cut after each place or body it names, for line breaking.

    A part is at least two characters and never leaves a single character behind it.
    """
    words: list[str] = []
    start = 0
    for end in range(2, len(name) - 1):
        part = name[start:end]
        if len(part) >= 2 and part.endswith(UNIT_SUFFIXES):
            words.append(part)
            start = end
    words.append(name[start:])
    return [w for w in words if w]


def join_words(name: str) -> str:
    """The name with a word joiner between the characters of each of its words."""
    return "".join(WORD_JOINER.join(word) for word in unit_words(name))


def typeset(text: object, names: Iterable[str] = ()) -> Markup:
    """Escape text for a document: blanks keep their width, names break between words.

    The PDF engine collapses runs of U+3000 like ordinary spaces; inside a span with
    ``white-space: pre`` they keep their width, so 「2023年　　月　　日」 leaves room to write.
    Each of `names` (the unit's, the office's) found in the text wraps only between its
    words (see unit_words).
    """
    plain = "" if text is None else str(text)
    for name in sorted({n for n in names if n and len(n) >= 4}, key=len, reverse=True):
        plain = plain.replace(name, join_words(name))
    return Markup(_BLANK.sub(_blank_span, str(escape(plain))))


@dataclass(frozen=True)
class Arrangement:
    """Blocks as printed: the body, its last paragraph, and the sign-off kept with it."""

    body: list[Block]
    last: Block | None
    signoff: list[Block]


def arrange(blocks: list[Block]) -> Arrangement:
    """Set the last paragraph apart, to print it with the sign-off on one page."""
    body = [b for b in blocks if not b.signoff]
    signoff = [b for b in blocks if b.signoff]
    last = body[-1] if signoff and body and body[-1].kind == "para" else None
    return Arrangement(body[:-1] if last else body, last, signoff)
