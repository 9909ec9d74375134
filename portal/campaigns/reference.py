"""The campaign format reference (docs/campaign-format.md), generated from the schema.

Every key of ``portal.campaigns.schema`` with its type, whether it may be left out, its
description and its TOML example; then the placeholders of the templates and the fields and
tables of annex documents. ``flask --app wsgi campaigns reference`` prints it; a test keeps
the committed file equal to this output and parses every example against its key's type.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from portal.campaigns import schema
from portal.campaigns.placeholders import (
    ANNEX_FIELDS,
    ANNEX_TABLES,
    COMBINED_PLACEHOLDERS,
    PLACEHOLDERS,
    TEMPLATE_LABELS,
    TEMPLATE_PLACEHOLDERS,
)
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    MANDARIN_GRADES,
    REGION_WIDE,
    SANCTIONS,
    UNIT_NATURES,
    WINDOW_KIND_LABELS,
)

_CHOICES: list[tuple[Any, str]] = [
    (schema.Level, "级别代码：" + "、".join(f"{k}（{v}）" for k, v in LEVEL_LABELS.items())),
    (schema.Kind, "申报类型代码：" + "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items())),
    (schema.UnitNature, "单位性质：" + "、".join(UNIT_NATURES)),
    (
        schema.AssessmentResult,
        "考核结果代码：" + "、".join(f"{k}（{v}）" for k, v in ASSESSMENT_RESULT_LABELS.items()),
    ),
    (schema.Sanction, "处分：" + "、".join(SANCTIONS)),
    (schema.MandarinGrade, "普通话等级：" + "、".join(MANDARIN_GRADES)),
    (
        schema.WindowKind,
        "时间段类型：" + "、".join(f"{k}（{v}）" for k, v in WINDOW_KIND_LABELS.items()),
    ),
    (schema.Code, "代码（小写字母、数字、-、_）"),
    (schema.Text, "字符串（不能为空）"),
    (schema.Count, "整数（≥0）"),
    (schema.Positive, "整数（≥1）"),
    (schema.Years, '年数（如 2）或年份范围（如 "2021-2024"）'),
    (schema.ClockTime, '时刻（如 "18:00"）'),
]


def _is_model(annotation: Any) -> bool:
    """True for a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def type_text(annotation: Any) -> str:
    """The Chinese name of a key's type."""
    for alias, text in _CHOICES:
        if annotation is alias:
            return text
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return type_text(args[0])
    if origin is tuple:
        inner = typing.get_args(annotation)[0]
        return "表的数组" if _is_model(inner) else f"数组，每项为{type_text(inner)}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        what = "表" if _is_model(value) else type_text(value)
        return f"表：键为{type_text(key)}，值为{what}"
    if _is_model(annotation):
        return "表"
    names = {
        str: "字符串",
        int: "整数",
        bool: "布尔值（true 或 false）",
        date: "日期（如 2025-08-01，不加引号）",
    }
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


@dataclass(frozen=True)
class Key:
    """One key of the format: where it is, its field and the model it belongs to."""

    table: str  # "" for the top level, else "rules.continuing_education" …
    name: str
    field: FieldInfo
    model: type[BaseModel]

    @property
    def path(self) -> str:
        """The dotted path of the key."""
        return f"{self.table}.{self.name}" if self.table else self.name

    @property
    def example(self) -> str:
        """The key's TOML example."""
        extra = self.field.json_schema_extra
        return extra.get("example", "") if isinstance(extra, dict) else ""


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The model a key holds and how: ("table" | "array" | "map" | "")."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _inner_model(args[0])
    if _is_model(annotation) and annotation is not schema.YearSpan:
        return annotation, "table"
    if origin is tuple and _is_model(typing.get_args(annotation)[0]):
        return typing.get_args(annotation)[0], "array"
    if origin is dict and _is_model(typing.get_args(annotation)[1]):
        return typing.get_args(annotation)[1], "map"
    return None, ""


def walk(model: type[BaseModel] = schema.CampaignDefinition, table: str = "") -> Iterator[Key]:
    """Every key of the format, depth first, in declaration order."""
    for name, field in model.model_fields.items():
        yield Key(table, name, field, model)
        inner, how = _inner_model(field.annotation)
        if inner is not None:
            path = f"{table}.{name}" if table else name
            if how == "map":
                path += ".<级别>"
            yield from walk(inner, path)


def _heading(table: str, how: str) -> str:
    """The TOML header of a table: [rules], [[windows]], [rules.papers.<级别>]."""
    return f"[[{table}]]" if how == "array" else f"[{table}]"


def _required(key: Key) -> str:
    """“必填” or the default."""
    if key.field.is_required():
        return "必填"
    default = key.field.get_default(call_default_factory=True)
    if default in (None, "", (), {}) or isinstance(default, BaseModel):
        return "可不写"
    if isinstance(default, bool):
        return f"可不写（默认 {str(default).lower()}）"
    return f"可不写（默认 {default}）"


def format_reference() -> str:
    """The whole reference in Markdown."""
    out: list[str] = [
        "# 评审通知文件格式（campaign format）",
        "",
        "<!-- Generated by `flask --app wsgi campaigns reference` from portal/campaigns/schema.py;"
        " tests/campaigns/test_reference.py keeps it current. Do not edit by hand. -->",
        "",
        "每份评审通知是一个 UTF-8 编码的 TOML 文件，文件名为 `代码.toml`。"
        "写好后先运行 `flask --app wsgi campaigns check 文件` 查看系统将如何执行，"
        "再用 `flask --app wsgi campaigns load 文件` 或“评审通知 → 导入评审通知”导入。"
        "文件有错时，系统给出“文件: 键: 原因”，逐条改正即可。",
        "",
        '- 日期直接写 `2025-08-01`，不加引号；时刻写 `"18:00"`。',
        "- 中文键名（如表名）须加引号；本格式的键名都是英文。",
        f'- `prefecture` 写 `"{REGION_WIDE}"` 表示全自治区适用（只有系统管理员能导入）；'
        "写地州名称时只有该地州的主管部门能看到。",
        "- 通知没有规定的规则不要写：不写就不检查，也不会借用别的通知的条款。",
        "- 检查结果的“依据”写作“通知简称 条款”：简称见 `short_title`，条款见 `[clauses]`。",
        "",
    ]
    tables: dict[str, list[Key]] = {}
    for key in walk():
        tables.setdefault(key.table, []).append(key)
    holders: dict[str, Key] = {}
    for k in walk():
        how = _inner_model(k.field.annotation)[1]
        holders[k.path + (".<级别>" if how == "map" else "")] = k
    for table, keys in tables.items():
        if table:
            holder = holders[table]
            how = _inner_model(holder.field.annotation)[1]
            out += [f"## `{_heading(table, how)}`", "", holder.field.description or "", ""]
        else:
            out += ["## 顶层的键", ""]
        for key in keys:
            out += [
                f"### `{key.path}`",
                "",
                f"{type_text(key.field.annotation)}；{_required(key)}。{key.field.description}",
                "",
                "```toml",
                key.example,
                "```",
                "",
            ]
    out += ["## 模板占位符", ""]
    out += ["模板只能写文字和 `{{ 占位符 }}`，不能用其他写法。各文书可用的占位符：", ""]
    all_names = {**PLACEHOLDERS, **COMBINED_PLACEHOLDERS}
    for name, allowed in TEMPLATE_PLACEHOLDERS.items():
        names = [n for n in all_names if n in allowed]
        out.append(f"- `templates.{name}`（{TEMPLATE_LABELS[name]}）：{'、'.join(names)}")
    out += ["", "| 占位符 | 含义 |", "| --- | --- |"]
    out += [f"| `{{{{ {name} }}}}` | {text} |" for name, text in all_names.items()]
    out += ["", "## 附件文书的字段和表格", ""]
    out += [
        "附件文书（`[[annexes]]`）的模板是 HTML，可用的标签和字段如下；"
        "表格占位符须单独占一行，列在 `[[annexes.tables]]` 中选择，未知的列名印成空白列供手填。",
        "",
        "| 字段 | 含义 |",
        "| --- | --- |",
    ]
    out += [f"| `{{{{ {name} }}}}` | {text} |" for name, text in ANNEX_FIELDS.items()]
    out += ["", "| 表格 | 可用的列 |", "| --- | --- |"]
    out += [
        f"| `{{{{ {name} }}}}` | {'；'.join(f'{c}：{t}' for c, t in columns.items())} |"
        for name, columns in ANNEX_TABLES.items()
    ]
    out.append("")
    return "\n".join(out)
