"""User-editable document templates with named placeholders, e.g. {{ 姓名 }}.

Office staff edit the texts of the publicity notice, the publicity result and
the commitment (002's templates) with placeholders in them. A template may
contain text and plain placeholders only: no filters, attribute or item
access, calls, expressions, statements or comments, and only the names the
caller allows. Rendering does not escape: the caller puts the plain text it
gets back into HTML and escapes it there.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import jinja2
from jinja2 import StrictUndefined, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)
_env.globals.clear()

_T = TypeVar("_T")

#: Templates whose checks, placeholders and compiled form are kept, by text: a document fills
#: the same few templates (the notice's, an office's) line by line again and again, and
#: lexing, parsing and compiling one costs more than filling it. Each result depends on the
#: text (and the allowed names) alone. Only texts up to CACHED_TEMPLATE_CHARS are kept (a
#: notice's template is a few hundred characters, a compiled one ~25 times its text), so
#: the cache stays within a few MB whatever offices type into their templates.
CACHED_TEMPLATES = 128
CACHED_TEMPLATE_CHARS = 4000


def _cached_by_text(function: Callable[..., _T]) -> Callable[..., _T]:
    """function(text, ...) remembered for the last CACHED_TEMPLATES short texts."""
    cached = functools.lru_cache(maxsize=CACHED_TEMPLATES)(function)

    @functools.wraps(function)
    def call(text: str, *args: Any) -> _T:
        if len(text) > CACHED_TEMPLATE_CHARS:
            return function(text, *args)
        return cached(text, *args)

    return call


#: Full-width braces: a placeholder typed with a Chinese input method.
_FULL_WIDTH_BRACES = re.compile(r"[{｛]*[｛｝][}｝]*")


@dataclass(frozen=True)
class TemplateProblem:
    """One problem of a template, with a message in Chinese for the user."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


class TemplateError(Exception):
    """A template that cannot be used, with all its problems."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("\n".join(problem.message for problem in problems))
        self.problems = problems


@dataclass
class _Tag:
    """One {{ }}, {% %} or {# #} of a template, as the lexer saw it."""

    kind: str  # "variable", "block", "comment" or "raw"
    line: int
    source: str = ""
    tokens: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False

    @property
    def name(self) -> str | None:
        """The placeholder name if the tag is a plain {{ name }}, else None."""
        if self.kind == "variable" and len(self.tokens) == 1 and self.tokens[0][0] == "name":
            return self.tokens[0][1]
        return None


def _at(line: int | None) -> str:
    """The "第N行：" prefix of a message."""
    return f"第{line}行：" if line else ""


_UNCLOSED = {
    "variable": "“{{”没有对应的“}}”",
    "block": "“{%”没有对应的“%}”",
    "comment": "“{#”没有对应的“#}”",
    "raw": "“{% raw %}”没有对应的“{% endraw %}”",
}


def _syntax_problem(exc: jinja2.TemplateSyntaxError) -> TemplateProblem:
    """A Chinese message for a Jinja syntax error."""
    message = exc.message or ""
    if message.startswith("unexpected end of template"):
        detail = _UNCLOSED["variable"]
    elif message == "Missing end of comment tag":
        detail = _UNCLOSED["comment"]
    elif message == "unexpected '}'":
        detail = "多余或不成对的“}”，占位符要写成 {{ 名称 }}"
    elif match := re.match(r"unexpected char '(.+)' at \d+", message):
        detail = f"占位符中有不允许的字符“{match.group(1)}”"
    elif match := re.match(r"expected token 'end of print statement', got '(.+)'", message):
        detail = f"“{{{{”没有对应的“}}}}”，或占位符名称中有空格（在“{match.group(1)}”处）"
    elif message.startswith("Expected an expression, got 'end of print statement'"):
        detail = "“{{ }}”中缺少占位符名称"
    else:
        detail = message
    return TemplateProblem(exc.lineno, f"{_at(exc.lineno)}模板语法错误：{detail}")


_BEGIN = {
    "variable_begin": "variable",
    "block_begin": "block",
    "comment_begin": "comment",
    "raw_begin": "raw",
}
_END = {"variable_end", "block_end", "comment_end", "raw_end"}


def _scan(text: str) -> tuple[list[_Tag], TemplateProblem | None]:
    """The tags of a template, and the syntax error that stopped the lexer, if any."""
    tags: list[_Tag] = []
    current: _Tag | None = None
    tokens: Iterator[tuple[int, str, str]] = iter(_env.lex(text))
    while True:
        try:
            line, kind, value = next(tokens)
        except StopIteration:
            return tags, None
        except jinja2.TemplateSyntaxError as exc:
            return tags, _syntax_problem(exc)
        if kind in _BEGIN:
            current = _Tag(_BEGIN[kind], line, value)
            tags.append(current)
            if kind == "raw_begin":
                current.closed = True
                current = None
        elif current is not None:
            current.source += value
            if kind in _END:
                current.closed = True
                current = None
            elif kind not in {"whitespace", "comment"}:
                current.tokens.append((kind, value))


def _allowed_list(allowed: Iterable[str]) -> list[str]:
    """The allowed names in the caller's order, without repeats."""
    return list(dict.fromkeys(allowed))


def _unknown(line: int, name: str, allowed: list[str]) -> TemplateProblem:
    """The problem of a placeholder that is not allowed."""
    available = "、".join(allowed) if allowed else "（无）"
    return TemplateProblem(
        line, f"{_at(line)}未知的占位符“{{{{ {name} }}}}”，可用的占位符：{available}"
    )


def _check_ast(text: str, allowed: set[str]) -> list[TemplateProblem]:
    """Check the parsed template: only text and names that are allowed."""
    try:
        tree = _env.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [_syntax_problem(exc)]
    problems = []
    for node in tree.body:
        children = node.nodes if isinstance(node, nodes.Output) else [node]
        for child in children:
            if isinstance(child, nodes.TemplateData):
                continue
            if isinstance(child, nodes.Name) and child.ctx == "load" and child.name in allowed:
                continue
            problems.append(
                TemplateProblem(
                    child.lineno, f"{_at(child.lineno)}只能使用 {{{{ 占位符 }}}}，不允许其他写法"
                )
            )
    return problems


def check_template(text: str, allowed: Iterable[str]) -> list[TemplateProblem]:
    """All problems of a template; an empty list means it can be used."""
    return list(_problems(text, tuple(_allowed_list(allowed))))


@_cached_by_text
def _problems(text: str, allowed_list: tuple[str, ...]) -> tuple[TemplateProblem, ...]:
    """check_template's answer, once per text and allowed names (problems are immutable)."""
    allowed_set = set(allowed_list)
    problems: list[TemplateProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _FULL_WIDTH_BRACES.search(line):
            problems.append(
                TemplateProblem(
                    number,
                    f"{_at(number)}占位符要用半角花括号 {{{{ 名称 }}}}，"
                    f"不能用全角的“{match.group(0)}”",
                )
            )
    tags, syntax = _scan(text)
    for tag in tags:
        source = tag.source.strip()
        if not tag.closed:
            if syntax is None:
                problems.append(
                    TemplateProblem(tag.line, f"{_at(tag.line)}模板语法错误：{_UNCLOSED[tag.kind]}")
                )
            continue
        if tag.kind == "variable":
            if tag.name is not None:
                if tag.name not in allowed_set:
                    problems.append(_unknown(tag.line, tag.name, allowed_list))
            elif not tag.tokens:
                problems.append(
                    TemplateProblem(tag.line, f"{_at(tag.line)}“{{{{ }}}}”中缺少占位符名称")
                )
            else:
                problems.append(
                    TemplateProblem(
                        tag.line,
                        f"{_at(tag.line)}只能使用 {{{{ 占位符 }}}}，"
                        f"不允许属性访问或表达式（{source}）",
                    )
                )
        elif tag.kind == "comment":
            problems.append(
                TemplateProblem(tag.line, f"{_at(tag.line)}不允许使用 {{# #}} 注释（{source}）")
            )
        else:
            problems.append(
                TemplateProblem(
                    tag.line,
                    f"{_at(tag.line)}只能使用 {{{{ 占位符 }}}}，"
                    f"不允许使用 {{% %}} 语句（{source}）",
                )
            )
    if syntax is not None:
        problems.append(syntax)
    if not problems:
        problems.extend(_check_ast(text, allowed_set))
    return tuple(problems)


def _placeholder_lines(text: str) -> dict[str, int]:
    """Each plain placeholder of a template with the line it first appears on."""
    found: dict[str, int] = {}
    for name, line in _placeholder_uses(text):
        found.setdefault(name, line)
    return found


@_cached_by_text
def _placeholder_uses(text: str) -> tuple[tuple[str, int], ...]:
    """Every use of a plain placeholder, repeats included, with its line."""
    tags, _ = _scan(text)
    return tuple((tag.name, tag.line) for tag in tags if tag.closed and tag.name is not None)


@_cached_by_text
def _compiled(text: str) -> jinja2.Template:
    """The template compiled in the sandbox (a Template renders safely from several threads)."""
    return _env.from_string(text)


def placeholders_in(text: str) -> list[str]:
    """The plain placeholders of a template, in order of first use, without repeats."""
    return list(_placeholder_lines(text))


#: The longest document a template may produce, and its longest paragraph, in characters.
#: The PDF engine's time grows with the square of a paragraph's length (20,000 characters in
#: one paragraph take seconds, 100,000 minutes): a template repeating a long placeholder must
#: not hold a worker that long. A real notice is one or two pages.
MAX_RENDERED_CHARS = 30_000
MAX_PARAGRAPH_CHARS = 8_000


def _too_long(message: str) -> TemplateError:
    return TemplateError([TemplateProblem(None, message)])


def _check_size(text: str, values: Mapping[str, str], rendered: str | None = None) -> None:
    """Refuse a result longer than a document can be: estimated first, then measured."""
    if rendered is None:
        total = len(text) + sum(len(values.get(name, "")) for name, _ in _placeholder_uses(text))
    else:
        total = len(rendered)
    if total > MAX_RENDERED_CHARS:
        raise _too_long(
            f"按模板生成的文书有{total}字，超过{MAX_RENDERED_CHARS}字的上限，无法生成。"
            "请删去重复的占位符，或缩短填写的内容。"
        )
    if rendered is not None:
        for number, line in enumerate(rendered.split("\n"), start=1):
            if len(line) > MAX_PARAGRAPH_CHARS:
                raise _too_long(
                    f"按模板生成的第{number}行有{len(line)}字，超过每段{MAX_PARAGRAPH_CHARS}字"
                    "的上限，无法生成。请分段，或缩短填写的内容。"
                )


def render_template(
    text: str, context: Mapping[str, object], allowed: Iterable[str] | None = None
) -> str:
    """Fill a template's placeholders from context; raise TemplateError on any problem.

    Also refused: a result longer than MAX_RENDERED_CHARS or a line longer than
    MAX_PARAGRAPH_CHARS (checked on an estimate before rendering, then on the result).
    """
    allowed_names = list(context) if allowed is None else list(allowed)
    problems = check_template(text, allowed_names)
    if problems:
        raise TemplateError(problems)
    used = _placeholder_lines(text)
    missing = [
        TemplateProblem(line, f"{_at(line)}占位符“{{{{ {name} }}}}”没有对应的内容")
        for name, line in used.items()
        if context.get(name) is None
    ]
    if missing:
        raise TemplateError(missing)
    values = {name: str(context[name]) for name in used}
    _check_size(text, values)
    try:
        rendered = _compiled(text).render(values)
    except jinja2.TemplateError as exc:  # not expected after the checks above
        line = getattr(exc, "lineno", None)
        raise TemplateError([TemplateProblem(line, f"{_at(line)}模板无法生成：{exc}")]) from exc
    _check_size(text, values, rendered.replace("\r\n", "\n").replace("\r", "\n"))
    return rendered


def render_paragraphs(
    text: str, context: Mapping[str, object], allowed: Iterable[str] | None = None
) -> list[str]:
    """Render a template and return its non-empty lines, stripped, one per paragraph."""
    rendered = render_template(text, context, allowed)
    lines = rendered.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip()]
