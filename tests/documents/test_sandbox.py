"""Tests of the template sandbox for official documents."""

from __future__ import annotations

import pytest

from portal.sandbox import (
    TemplateError,
    TemplateProblem,
    check_template,
    placeholders_in,
    render_paragraphs,
    render_template,
)

ALLOWED = ["姓名", "性别", "系列", "专业", "级别"]

# The publicity notice template of seeds/002 (附件1), with placeholders for its ××.
NOTICE = (
    "根据自治区职称评审工作的要求，现对{{ 姓名 }}同志申报{{ 系列 }}系列{{ 专业 }}专业"
    "{{ 级别 }}级专业技术任职资格进行公示。\n"
    "基本信息：{{ 性别 }}\n"
)
CONTEXT = {
    "姓名": "阿不都热合曼·阿不都热西提",
    "性别": "男",
    "系列": "文化",
    "专业": "群众文化",
    "级别": "中",
}


def messages(text: str, allowed: list[str] = ALLOWED) -> list[str]:
    """The messages of check_template."""
    return [problem.message for problem in check_template(text, allowed)]


def test_good_template_renders() -> None:
    assert check_template(NOTICE, ALLOWED) == []
    assert render_template(NOTICE, CONTEXT, ALLOWED) == (
        "根据自治区职称评审工作的要求，现对阿不都热合曼·阿不都热西提同志申报文化系列群众文化专业"
        "中级专业技术任职资格进行公示。\n基本信息：男\n"
    )
    assert render_paragraphs(NOTICE, CONTEXT, ALLOWED) == [
        "根据自治区职称评审工作的要求，现对阿不都热合曼·阿不都热西提同志申报文化系列群众文化专业"
        "中级专业技术任职资格进行公示。",
        "基本信息：男",
    ]


def test_placeholders_in_order_without_repeats() -> None:
    assert placeholders_in(NOTICE + "{{ 姓名 }}{{ 姓名.x }}") == [
        "姓名",
        "系列",
        "专业",
        "级别",
        "性别",
    ]


def test_unknown_placeholder_is_refused_with_line_and_the_allowed_names() -> None:
    assert messages("公示\n{{ config }}") == [
        "第2行：未知的占位符“{{ config }}”，可用的占位符：姓名、性别、系列、专业、级别"
    ]
    problem = check_template("公示\n{{ config }}", ALLOWED)[0]
    assert problem == TemplateProblem(2, problem.message)
    with pytest.raises(TemplateError) as caught:
        render_template("{{ config }}", {"config": "x"}, ALLOWED)
    assert caught.value.problems[0].line == 1


@pytest.mark.parametrize(
    "text",
    [
        "{{ 姓名.__class__ }}",
        "{{ 姓名|upper }}",
        "{{ 姓名[0] }}",
        "{{ 姓名() }}",
        "{{ 姓名 ~ 性别 }}",
        "{{ '常量' }}",
    ],
)
def test_expressions_are_refused(text: str) -> None:
    assert messages(text) == [f"第1行：只能使用 {{{{ 占位符 }}}}，不允许属性访问或表达式（{text}）"]
    with pytest.raises(TemplateError):
        render_template(text, CONTEXT, ALLOWED)


@pytest.mark.parametrize(
    "text",
    [
        "{% for x in 姓名 %}{{ 姓名 }}{% endfor %}",
        "{% for %}",
        "{% if 姓名 %}是{% endif %}",
        "{% raw %}{{ 姓名 }}{% endraw %}",
        "{% set 姓名 = 'x' %}",
    ],
)
def test_statements_are_refused(text: str) -> None:
    found = messages(text)
    assert found
    assert found[0].startswith("第1行：只能使用 {{ 占位符 }}，不允许使用 {% %} 语句（{%")
    with pytest.raises(TemplateError):
        render_template(text, CONTEXT, ALLOWED)


def test_comments_are_refused() -> None:
    assert messages("公示{# 备注 #}") == ["第1行：不允许使用 {# #} 注释（{# 备注 #}）"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一行\n现对{{ 姓名 同志", "第2行：模板语法错误：“{{”没有对应的“}}”"),
        ("{{ 姓名 }", "第1行：模板语法错误：多余或不成对的“}”，占位符要写成 {{ 名称 }}"),
        ("一\n二\n{{ 姓名（ }}", "第3行：模板语法错误：占位符中有不允许的字符“（”"),
        ("一\n{{ }}", "第2行：“{{ }}”中缺少占位符名称"),
        ("说明{# 备注", "第1行：模板语法错误：“{#”没有对应的“#}”"),
        ("{{ 姓名 }}\n{% if 姓名", "第2行：模板语法错误：“{%”没有对应的“%}”"),
    ],
)
def test_syntax_errors_are_reported_with_their_line(text: str, expected: str) -> None:
    assert messages(text) == [expected]
    with pytest.raises(TemplateError) as caught:
        render_template(text, CONTEXT, ALLOWED)
    assert caught.value.problems[0].message == expected
    assert str(caught.value) == expected


def test_full_width_braces_are_pointed_out() -> None:
    assert messages("现对｛｛姓名｝｝同志") == [
        "第1行：占位符要用半角花括号 {{ 名称 }}，不能用全角的“｛｛”"
    ]


def test_values_are_returned_as_typed_not_interpreted() -> None:
    values = {
        **CONTEXT,
        "姓名": "<script>alert(1)</script> & {{ 性别 }}",
        "性别": "<b>男</b>",
    }
    assert render_template("{{ 姓名 }}，{{ 性别 }}", values, ALLOWED) == (
        "<script>alert(1)</script> & {{ 性别 }}，<b>男</b>"
    )


def test_missing_values_are_problems_not_exceptions_from_jinja() -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(NOTICE, {**CONTEXT, "性别": None, "级别": None}, ALLOWED)
    assert [p.message for p in caught.value.problems] == [
        "第1行：占位符“{{ 级别 }}”没有对应的内容",
        "第2行：占位符“{{ 性别 }}”没有对应的内容",
    ]
    with pytest.raises(TemplateError):
        render_template(NOTICE, {"姓名": "甲"}, ALLOWED)


def test_allowed_defaults_to_the_context_keys() -> None:
    assert render_template("{{ 姓名 }}同志", {"姓名": "甲"}) == "甲同志"
    with pytest.raises(TemplateError):
        render_template("{{ 性别 }}", {"姓名": "甲"})


def test_paragraphs_drop_blank_lines_and_indentation() -> None:
    text = "　　第一段{{ 姓名 }}\r\n\r\n  第二段  \n\n"
    assert render_paragraphs(text, {"姓名": "甲"}) == ["第一段甲", "第二段"]


def test_plain_text_without_placeholders_is_fine() -> None:
    text = "本人承诺以上填报的内容和提交的材料完全真实有效。"
    assert check_template(text, []) == []
    assert render_template(text, {}, []) == text


def test_a_template_is_checked_and_compiled_once_per_text(monkeypatch) -> None:
    """A document fills the same template again and again: lexed, parsed, compiled once."""
    from portal import sandbox

    text = NOTICE + "缓存测试{{ 姓名 }}\n"  # a text no other test has rendered
    calls = {"lex": 0, "parse": 0, "compile": 0}
    env = sandbox._env
    for method, key in (("lex", "lex"), ("parse", "parse"), ("from_string", "compile")):
        original = getattr(env, method)

        def counted(*args, _original=original, _key=key, **kwargs):
            calls[_key] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(env, method, counted)
    first = render_template(text, CONTEXT, ALLOWED)
    once = {"lex": 2, "parse": 1, "compile": 1}  # lexed for the checks and the placeholders
    assert calls == once
    for _ in range(5):
        assert render_template(text, CONTEXT, ALLOWED) == first
    assert calls == once
    # The answer still depends on the names allowed and the values given.
    assert messages(text, ["姓名"])[0].startswith("第1行：未知的占位符")
    assert "买买提" in render_template(text, {**CONTEXT, "姓名": "买买提"}, ALLOWED)
    # A long text is not kept (the cache stays small whatever offices type).
    long_text = text + "长" * sandbox.CACHED_TEMPLATE_CHARS
    before = dict(calls)
    render_template(long_text, CONTEXT, ALLOWED)
    render_template(long_text, CONTEXT, ALLOWED)
    assert calls["compile"] - before["compile"] == 2
