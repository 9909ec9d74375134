"""Loading campaign definitions: TOML file → validated ``CampaignDefinition``, and back to JSON.

The format itself is declared in ``portal.campaigns.schema``; this module reads files, turns
pydantic's and tomllib's errors into Chinese ones that name the file, the dotted key and the
reason, and gives the JSON form the app stores (``to_dict``/``from_dict``). Pure: no Flask,
no database.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import types
import typing
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from portal.campaigns.placeholders import (
    PLACEHOLDERS,
    TEMPLATE_LABELS,
    TEMPLATE_NAMES,
    TEMPLATE_PLACEHOLDERS,
)
from portal.campaigns.schema import CampaignDefinition, Material, Window

__all__ = [
    "PLACEHOLDERS",
    "TEMPLATE_LABELS",
    "TEMPLATE_NAMES",
    "TEMPLATE_PLACEHOLDERS",
    "CampaignDefinition",
    "CampaignDefinitionError",
    "Material",
    "Window",
    "definition_hash",
    "from_dict",
    "load_definition",
    "load_shipped",
    "loads_definition",
    "parse_definition",
    "shipped_definition_paths",
    "to_dict",
]

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

#: Largest definition file read (the shipped ones are about 15 KB).
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of tables and arrays a definition may have (the format needs 6).
MAX_DEPTH = 12

# --------------------------------------------------------------------------- errors


class CampaignDefinitionError(ValueError):
    """A definition file is invalid: names the file, the dotted key and the problem.

    ``problems`` lists every (key, message) found; ``key`` and ``message`` are the first.
    """

    def __init__(
        self, file: str, key: str, message: str, problems: list[tuple[str, str]] | None = None
    ) -> None:
        """Keep file, key and the Chinese message (and any further problems) as attributes."""
        self.file = file
        self.key = key
        self.message = message
        self.problems = problems or [(key, message)]
        super().__init__(str(self))

    def lines(self) -> list[str]:
        """One ``file: key: message`` line per problem."""
        return [f"{self.file}: {key}: {message}" for key, message in self.problems]

    def __str__(self) -> str:
        """Every problem, one ``file: key: message`` per line."""
        return "\n".join(self.lines())


def _type_name(value: Any) -> str:
    """A Chinese name for the TOML type of ``value``."""
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, datetime):
        return "日期时间"
    if isinstance(value, date):
        return "日期"
    if isinstance(value, time):
        return "时刻"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "表"
    if value is None:
        return "空值"
    return type(value).__name__


def _path(loc: Iterable[Any]) -> str:
    """A pydantic location as a dotted key: ("fees", 2, "level") → fees[2].level."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "（顶层）"


def _join(base: str, key: str) -> str:
    """Append a relative key (``end``, ``kinds[0]``) to a dotted path."""
    if base == "（顶层）":
        return key
    return f"{base}{key}" if key.startswith("[") else f"{base}.{key}"


def _original(data: Any, loc: Iterable[Any]) -> Any:
    """The value the file gave at ``loc`` (a dict key for a key error), or None."""
    value = data
    for part in loc:
        if part == "[key]":
            return value
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _unwrap(annotation: Any) -> Any:
    """The model class inside Optional[...], tuple[...], dict[..., ...] or Annotated[...]."""
    for _ in range(6):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if args else annotation
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            break
    return annotation


def _model_at(loc: Iterable[Any]) -> type[BaseModel] | None:
    """The table (model class) at a location, to list the keys it allows."""
    model: Any = CampaignDefinition
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get(part)
        if field is None:
            continue  # a dict key such as a level code
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _message(error: dict[str, Any], data: Any) -> str:
    """A Chinese reason for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error["loc"]
    given = _original(data, loc)
    actual = f"，实际为{_type_name(given)}"
    if kind in ("campaign", "campaign_many"):
        return str(ctx.get("message", error["msg"]))
    if kind == "missing":
        return "缺少必填的键"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = "、".join(model.model_fields) if model else ""
        return f"未知的键：{loc[-1]}（允许的键：{allowed}）"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return "应为整数" + actual
    if kind in ("string_type",):
        return "应为字符串" + actual
    if kind in ("bool_type", "bool_parsing"):
        return "应为布尔值（true 或 false）" + actual
    if kind.startswith("date") and "time" not in kind or kind.startswith("date_from_datetime"):
        shown = f"“{given}”" if isinstance(given, str) else _type_name(given)
        return f"应为日期，如 2025-08-01（不加引号），实际为{shown}"
    if kind.startswith("time"):
        return f'应为时刻，如 "18:00"{actual}'
    if kind in ("tuple_type", "list_type", "iterable_type"):
        return "应为数组" + actual
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return "应为表（table）" + actual
    if kind == "greater_than_equal":
        limit = ctx.get("ge")
        return "不能为负数" if limit == 0 else f"不能小于{limit}"
    if kind == "too_short":
        return "不能为空，至少写一项"
    if kind in ("too_long", "string_too_long"):
        return f"太长：最多{ctx.get('max_length')}个字符"
    return f"值无效（{error['msg']}）"


def _problems(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """Every (dotted key, Chinese reason) of a pydantic ValidationError."""
    out: list[tuple[str, str]] = []
    errors = exc.errors(include_url=False)
    # A mistyped key explains the required key that then seems missing: name it first.
    first_of_table: dict[tuple, int] = {}
    for i, error in enumerate(errors):
        first_of_table.setdefault(tuple(error["loc"][:-1]), i)
    rank = {"extra_forbidden": 0, "missing": 1}
    errors = sorted(
        errors,
        key=lambda e: (first_of_table[tuple(e["loc"][:-1])], rank.get(e["type"], 1)),
    )
    for error in errors:
        base = _path(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "campaign_many":
            out.extend((_join(base, key), message) for key, message in ctx["problems"])
            continue
        key = _join(base, ctx["key"]) if ctx.get("key") else base
        out.append((key, _message(error, data)))
    return list(dict.fromkeys(out))


def _refusal(file: str, found: list[tuple[str, str]]) -> CampaignDefinitionError:
    """The error for a non-empty list of problems."""
    key, message = found[0]
    return CampaignDefinitionError(file, key, message, found)


# --------------------------------------------------------------------------- validation


def _too_deep(data: Any) -> str | None:
    """The dotted key where ``data`` nests deeper than MAX_DEPTH, or None (no recursion)."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return path or "（顶层）"
        if isinstance(value, dict):
            stack.extend(
                (v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in value.items()
            )
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def _json_default(value: Any) -> str:
    """TOML dates and times as the ISO strings the JSON form uses."""
    if isinstance(value, (date, time)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _validate(data: Any, file: str) -> CampaignDefinition:
    """Validate a TOML- or JSON-shaped value, raising CampaignDefinitionError in Chinese."""
    if not isinstance(data, dict):
        raise CampaignDefinitionError(
            file, "（顶层）", f"应为表（table），实际为{_type_name(data)}"
        )
    deep = _too_deep(data)
    if deep is not None:
        raise CampaignDefinitionError(
            file, deep, f"嵌套层数过多（超过 {MAX_DEPTH} 层），评审通知不需要这样的结构"
        )
    # Dates of a TOML file become ISO strings: one strict path for files and stored JSON.
    text = json.dumps(data, default=_json_default, ensure_ascii=False)
    try:
        return CampaignDefinition.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise _refusal(file, _problems(exc, data)) from None


def parse_definition(data: dict[str, Any], file: str) -> CampaignDefinition:
    """Validate a TOML-shaped dict and build the CampaignDefinition."""
    return _validate(data, file)


_TOML_MESSAGES: dict[str, str] = {
    "Invalid date or datetime": "无效的日期或时间",
    "Invalid value": "无效的值",
    "Invalid statement": "无效的语句",
    "Cannot overwrite a value": "重复定义了同一个键",
    "Cannot declare": "重复声明了同一个表",
    "Unclosed array": "数组没有闭合",
    "Unclosed inline table": "内联表没有闭合",
    "Unterminated string": "字符串没有闭合",
    "Illegal character": "非法字符（字符串没有闭合？）",
    "Expected '=' after a key in a key/value pair": "键后面缺少“=”",
    "Invalid initial character for a key part": "键的首字符无效（中文键名须加引号）",
    "Expected newline or end of document after a statement": (
        "值无效或后面有多余内容（日期写错了？）"
    ),
}


def _toml_error(file: str, text: str, exc: tomllib.TOMLDecodeError) -> CampaignDefinitionError:
    """Turn a TOML syntax error into a CampaignDefinitionError naming the line's key."""
    raw = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", raw)
    reason = raw.split(" (at ")[0]
    message = next((zh for en, zh in _TOML_MESSAGES.items() if reason.startswith(en)), reason)
    if not match:
        return CampaignDefinitionError(file, "（TOML）", f"TOML 语法错误：{message}")
    line_no, column = int(match.group(1)), int(match.group(2))
    lines = text.splitlines()
    key = f"第 {line_no} 行"
    if 0 < line_no <= len(lines) and "=" in lines[line_no - 1]:
        key = f"{lines[line_no - 1].split('=', 1)[0].strip()[:40]}（第 {line_no} 行）"
    return CampaignDefinitionError(
        file, key, f"TOML 语法错误（第 {line_no} 行第 {column} 列）：{message}"
    )


def loads_definition(text: str, file: str, stem: str | None = None) -> CampaignDefinition:
    """Parse and validate the text of a definition file named ``file`` in messages.

    When ``stem`` is given the campaign code must equal it (the file name without .toml).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(file, text, exc) from None
    except RecursionError:
        raise CampaignDefinitionError(
            file, "（TOML）", "嵌套层数过多，文件无法读取；评审通知不需要这样的结构"
        ) from None
    definition = _validate(data, file)
    if stem is not None and definition.code != stem:
        raise CampaignDefinitionError(
            file, "code", f"代码 {definition.code!r} 与文件名 {stem!r} 不一致"
        )
    return definition


def load_definition(path: str | Path, name: str | None = None) -> CampaignDefinition:
    """Read and validate one definition file; its code must match the file name.

    ``name`` is the name shown in messages and checked against the code (an uploaded file's
    own name, not the temporary path it was saved under); by default the path itself.
    """
    path = Path(path)
    file = name or str(path)
    stem = Path(name).stem if name else path.stem
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CampaignDefinitionError(
                file, "（文件）", f"文件太大（{size // 1024} KB），评审通知文件不超过 1 MB"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignDefinitionError(file, "（文件）", f"无法读取文件：{exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignDefinitionError(
            file, "（文件）", "文件不是 UTF-8 编码（请用记事本“另存为”UTF-8）"
        ) from None
    return loads_definition(text, file, stem)


def shipped_definition_paths() -> list[Path]:
    """The definition files shipped with the portal, sorted by name."""
    return sorted(DEFINITIONS_DIR.glob("*.toml"))


def load_shipped() -> list[CampaignDefinition]:
    """Load every shipped definition; codes must be distinct."""
    definitions: list[CampaignDefinition] = []
    seen: dict[str, Path] = {}
    for path in shipped_definition_paths():
        definition = load_definition(path)
        if definition.code in seen:
            raise CampaignDefinitionError(
                str(path), "code", f"代码 {definition.code!r} 与 {seen[definition.code]} 重复"
            )
        seen[definition.code] = path
        definitions.append(definition)
    return definitions


# --------------------------------------------------------------------------- JSON form


def to_dict(definition: CampaignDefinition) -> dict[str, Any]:
    """The JSON-serialisable form of ``definition`` (dates as ISO strings)."""
    return definition.model_dump(mode="json")


def from_dict(data: dict[str, Any], file: str = "<json>") -> CampaignDefinition:
    """Rebuild (and re-validate) a definition from the output of ``to_dict``."""
    return _validate(data, file)


def definition_hash(data: dict[str, Any]) -> str:
    """A fingerprint of a stored definition (SHA-256 of its canonical JSON)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
