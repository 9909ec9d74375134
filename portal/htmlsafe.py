"""The little HTML a campaign's annex documents may contain, checked and sanitised.

An annex template (a materials-bag cover, a recommendation form …) is written by a bureau
and uploaded by a prefecture user, then shown in the browser's print preview and turned into
a PDF. It may use layout tags only: headings, paragraphs, tables and lists, with a few
attributes and no scripts, styles, links, images or event handlers. ``html_problems`` names
what is not allowed, with its line, so a file is refused at loading; ``clean_html`` (nh3, the
Ammonia sanitiser) strips anything else from the rendered output all the same.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nh3

#: Tags an annex may use.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "h1", "h2", "h3", "h4", "p", "br", "div", "span", "b", "strong", "i", "em", "u",
        "table", "thead", "tbody", "tr", "th", "td", "col", "colgroup", "ol", "ul", "li", "hr",
    }
)  # fmt: skip
#: Attributes an annex may use, by tag ("*" for every tag).
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "align"}),
    "td": frozenset({"colspan", "rowspan", "width", "height", "valign"}),
    "th": frozenset({"colspan", "rowspan", "width", "height", "valign"}),
    "col": frozenset({"width", "span"}),
    "table": frozenset({"width"}),
}
#: Tags whose content is dropped with them (their text must not show as the document's).
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object"})


def _allowed(tag: str, attribute: str) -> bool:
    """Tell whether ``attribute`` may stand on ``tag``."""
    return attribute in ALLOWED_ATTRIBUTES["*"] or attribute in ALLOWED_ATTRIBUTES.get(
        tag, frozenset()
    )


class _Scanner(HTMLParser):
    """Collects the first problems of a template's tags and attributes, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag not in ALLOWED_TAGS:
            self.problems.append((line, f"不允许使用 <{tag}> 标签"))
            return
        for name, _ in attrs:
            if not _allowed(tag, name):
                self.problems.append((line, f"<{tag}> 标签不允许使用 {name} 属性"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append((self.getpos()[0], "不允许使用 <!-- --> 注释"))

    def handle_decl(self, decl: str) -> None:
        self.problems.append((self.getpos()[0], f"不允许使用 <!{decl}>"))

    def handle_pi(self, data: str) -> None:
        self.problems.append((self.getpos()[0], "不允许使用 <? ?> 指令"))


def html_problems(text: str) -> list[str]:
    """What the HTML of ``text`` uses that an annex may not, as Chinese messages with lines."""
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    allowed = "、".join(sorted(ALLOWED_TAGS))
    out = [f"第{line}行：{message}（可用的标签：{allowed}）" for line, message in scanner.problems]
    return list(dict.fromkeys(out))


def clean_html(html: str) -> str:
    """The HTML with every tag and attribute outside the allow-lists removed (nh3)."""
    attributes = {
        tag: set(ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset()))
        for tag in ALLOWED_TAGS
    }
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=attributes,
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        link_rel=None,
    )
