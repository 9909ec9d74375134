"""Campaign definitions: one TOML file per notice, loaded and validated strictly.

A campaign (评审通知) is data, not code: its series, levels, kinds, windows, fees,
rule values, exemption grounds, materials list and template texts all come from a
definition file in ``portal/campaigns/definitions/``. This module is pure: no Flask,
no database. ``to_dict``/``from_dict`` give the JSON form the app stores.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from portal.vocabulary import (
    ASSESSMENT_RESULTS,
    COMMITMENT_MODES,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    LEVELS,
    PAPER_SCOPES,
    UNIT_NATURES,
    WINDOW_KIND_LABELS,
    WINDOW_KINDS,
)

TEMPLATE_NAMES: tuple[str, ...] = ("publicity", "publicity_result", "commitment", "recommendation")
TEMPLATE_LABELS: dict[str, str] = {
    "publicity": "推荐单位公示",
    "publicity_result": "推荐单位公示结果",
    "commitment": "个人承诺书",
    "recommendation": "推荐意见",
}

PLACEHOLDERS: dict[str, str] = {
    "姓名": "申报人姓名",
    "性别": "性别",
    "族别": "族别（民族）",
    "政治面貌": "政治面貌",
    "身份证号": "公民身份号码（18位）",
    "现任资格": "现任专业技术职务任职资格",
    "系列": "系列名称，不含“系列”二字（如“文化”），模板中写作“{{ 系列 }}系列”",
    "专业": "专业名称，不含“专业”二字（如“群众文化”），模板中写作“{{ 专业 }}专业”",
    "级别": "申报级别，如“中级”",
    "思想政治表现": "思想政治表现",
    "业绩成果": "近五年的实践能力和业绩成果及本人的实际贡献",
    "公示开始": "公示开始日期，已格式化，如“2024年8月1日”",
    "公示结束": "公示结束日期，已格式化，如“2024年8月7日”",
    "公示天数": "公示天数",
    "受理办公室": "受理异议的办公室名称，不含“办公室”三字（如“人事”）",
    "监督电话": "监督电话",
    "单位负责人": "推荐单位负责人姓名",
    "推荐单位": "推荐单位名称",
    "日期": "落款日期，已格式化，如“2024年8月8日”",
}

TEMPLATE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "publicity": frozenset(PLACEHOLDERS),
    "publicity_result": frozenset(
        {
            "姓名",
            "系列",
            "专业",
            "级别",
            "公示开始",
            "公示结束",
            "公示天数",
            "单位负责人",
            "推荐单位",
            "日期",
        }
    ),
    "commitment": frozenset(
        {"姓名", "性别", "族别", "身份证号", "现任资格", "系列", "专业", "级别", "推荐单位", "日期"}
    ),
    "recommendation": frozenset({"推荐单位", "单位负责人", "日期"}),
}

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

_TEMPLATE_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SOURCE_RE = re.compile(r"^[0-9]{3}$")
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenMap(Mapping[K, V]):
    """Immutable, hashable mapping used inside the frozen dataclasses."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        """Copy ``data`` into a private dict."""
        self._data: dict[K, V] = dict(data or {})

    def __getitem__(self, key: K) -> V:
        """Return the value for ``key``."""
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        """Iterate over the keys in insertion order."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return the number of entries."""
        return len(self._data)

    def __hash__(self) -> int:
        """Hash the entries, so that frozen dataclasses holding a FrozenMap stay hashable."""
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        """Show the entries like a dict."""
        return f"FrozenMap({self._data!r})"


# --------------------------------------------------------------------------- errors


class CampaignDefinitionError(ValueError):
    """A definition file is invalid; names the file, the dotted key and the problem."""

    def __init__(self, file: str, key: str, message: str) -> None:
        """Keep file, key and the Chinese message as attributes."""
        self.file = file
        self.key = key
        self.message = message
        super().__init__(f"{file}: {key}: {message}")

    def __str__(self) -> str:
        """Return ``file: key: message``."""
        return f"{self.file}: {self.key}: {self.message}"


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Series:
    """A series (系列) with its specialties (专业) and the levels it is open for."""

    code: str
    name: str
    specialties: tuple[str, ...]
    levels: tuple[str, ...]

    @property
    def short_name(self) -> str:
        """Return the name without a trailing 系列, as the {{ 系列 }} placeholder wants."""
        return self.name[: -len("系列")] if self.name.endswith("系列") else self.name

    @property
    def open_specialty(self) -> bool:
        """Return True when the notice names no specialty, so it is entered as free text."""
        return not self.specialties


@dataclass(frozen=True)
class Window:
    """A dated window of the campaign; ``end`` is None when the notice gives a single day."""

    kind: str
    label: str
    start: date
    end: date | None
    note: str

    @property
    def last_day(self) -> date:
        """Return the last day of the window (``start`` for a single-day window)."""
        return self.end if self.end is not None else self.start

    def contains(self, day: date) -> bool:
        """Return True when ``day`` falls inside the window, both ends included."""
        return self.start <= day <= self.last_day


@dataclass(frozen=True)
class Fee:
    """The evaluation fee in yuan for one kind and level."""

    kind: str
    level: str
    yuan: int


@dataclass(frozen=True)
class CEYears:
    """Continuing-education years checked: the last N years including the campaign year."""

    public_years: int
    professional_years: int


@dataclass(frozen=True)
class CERule:
    """Continuing-education hours per year and, per level, how many years are checked."""

    min_total_hours: int
    min_public_hours: int
    min_professional_hours: int
    by_level: FrozenMap[str, CEYears]


@dataclass(frozen=True)
class AssessmentRule:
    """Annual assessment years to hand in and the delay in years caused by each result."""

    years: tuple[int, ...]
    delay_years: FrozenMap[str, int]


@dataclass(frozen=True)
class PaperRule:
    """Papers or representative works required at one level."""

    applies_to: str
    min_works: int
    alt_regional_papers: int
    required: bool


@dataclass(frozen=True)
class Rules:
    """Rule values the notice states."""

    publicity_min_workdays: int
    max_submissions: int
    resubmit_hours: int | None
    blank_marker: str
    continuing_education: CERule
    assessment: AssessmentRule
    papers: FrozenMap[str, PaperRule]


@dataclass(frozen=True)
class Ground:
    """An exemption ground (e.g. “访惠聚”驻村) with a stable code."""

    code: str
    label: str


@dataclass(frozen=True)
class DefenseExemption:
    """Who is exempt from the defense (免于答辩)."""

    grounds: tuple[Ground, ...]
    exempt_counties: tuple[str, ...]
    below_county_level: bool
    junior_level: bool
    non_public_natures: tuple[str, ...]
    source_clause: str


@dataclass(frozen=True)
class Material:
    """One item of the paper materials list; ``kinds`` empty means every kind."""

    name: str
    copies: int | None
    note: str
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Commitment:
    """The personal commitment: how it is given, the ban in years and its text."""

    mode: str
    ban_years: int
    text: str


@dataclass(frozen=True)
class Templates:
    """Jinja texts of the documents the recommending unit issues."""

    publicity: str
    publicity_result: str
    commitment: str
    recommendation: str


@dataclass(frozen=True)
class Contact:
    """A contact of the issuing office."""

    name: str
    phones: tuple[str, ...]
    address: str


@dataclass(frozen=True)
class CampaignDefinition:
    """One notice as data."""

    code: str
    title: str
    notice_title: str
    issuer: str
    document_number: str | None
    year: int
    issued_on: date
    prefecture: str
    source: str
    seniority_cutoff: date
    series: tuple[Series, ...]
    levels: tuple[str, ...]
    kinds: tuple[str, ...]
    windows: tuple[Window, ...]
    fees: tuple[Fee, ...]
    rules: Rules
    defense_exemption: DefenseExemption
    ce_exemption_grounds: tuple[Ground, ...]
    materials: tuple[Material, ...]
    commitment: Commitment
    templates: Templates
    contacts: tuple[Contact, ...]

    def fee(self, kind: str, level: str) -> int | None:
        """Return the fee in yuan for ``kind`` and ``level``, or None if the notice sets none."""
        for fee in self.fees:
            if fee.kind == kind and fee.level == level:
                return fee.yuan
        return None

    def window(self, kind: str) -> Window | None:
        """Return the window of ``kind`` (online, paper, fee, defense), or None."""
        for window in self.windows:
            if window.kind == kind:
                return window
        return None

    def series_by_code(self, code: str) -> Series | None:
        """Return the series with ``code``, or None."""
        for series in self.series:
            if series.code == code:
                return series
        return None

    @staticmethod
    def level_label(level: str) -> str:
        """Return the Chinese label of ``level`` (e.g. 中级)."""
        return LEVEL_LABELS[level]

    @staticmethod
    def kind_label(kind: str) -> str:
        """Return the Chinese label of ``kind`` (e.g. 初次确定)."""
        return KIND_LABELS[kind]

    def ce_years(self, level: str) -> CEYears | None:
        """Return the continuing-education years checked at ``level``, or None."""
        return self.rules.continuing_education.by_level.get(level)

    def paper_rule(self, level: str) -> PaperRule | None:
        """Return the paper rule at ``level``, or None when the notice states none."""
        return self.rules.papers.get(level)

    def render(self, template: str, values: Mapping[str, Any]) -> str:
        """Render one of ``templates`` (publicity, publicity_result, commitment, recommendation)."""
        if template not in TEMPLATE_NAMES:
            raise KeyError(template)
        return render_template(getattr(self.templates, template), values)


def render_template(text: str, values: Mapping[str, Any]) -> str:
    """Render a template text in the sandbox; a missing placeholder value raises."""
    return _TEMPLATE_ENV.from_string(text).render(dict(values))


# --------------------------------------------------------------------------- parsing

_MISSING = object()


def _type_name(value: Any) -> str:
    """Return a Chinese name for the TOML type of ``value``."""
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
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "表"
    if value is None:
        return "空值"
    return type(value).__name__


class _Parser:
    """Walks the raw dict and builds the dataclasses, raising on the first problem."""

    def __init__(self, file: str, iso_dates: bool) -> None:
        """Remember the file name and whether ISO date strings are accepted (JSON form)."""
        self.file = file
        self.iso_dates = iso_dates

    # -- helpers ---------------------------------------------------------------------

    def fail(self, key: str, message: str) -> NoReturn:
        """Raise a CampaignDefinitionError for ``key``."""
        raise CampaignDefinitionError(self.file, key or "（顶层）", message)

    @staticmethod
    def join(path: str, key: str) -> str:
        """Join a dotted path and a key."""
        return f"{path}.{key}" if path else key

    def table(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Check that ``value`` is a table with exactly the allowed keys."""
        if not isinstance(value, dict):
            self.fail(path, f"应为表（table），实际为{_type_name(value)}")
        allowed = set(required) | set(optional)
        unknown = [k for k in value if k not in allowed]
        if unknown:
            names = "、".join(str(k) for k in unknown)
            self.fail(
                self.join(path, str(unknown[0])),
                f"未知的键：{names}（允许的键：{'、'.join(required + optional)}）",
            )
        for key in required:
            if key not in value or value[key] is None:
                self.fail(self.join(path, key), "缺少必填的键")
        return value

    def get(self, data: dict[str, Any], key: str, default: Any = _MISSING) -> Any:
        """Return ``data[key]``, or ``default`` when absent or None."""
        value = data.get(key)
        if value is None:
            return default
        return value

    def string(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: Any = _MISSING,
        allow_empty: bool = False,
    ) -> Any:
        """Read a string; empty strings are refused unless ``allow_empty``."""
        full = self.join(path, key)
        value = self.get(data, key, default)
        if value is _MISSING:
            self.fail(full, "缺少必填的键")
        if value is None:
            return None
        return self.check_string(value, full, allow_empty=allow_empty)

    def check_string(self, value: Any, full: str, *, allow_empty: bool = False) -> str:
        """Check that ``value`` is a (non-empty) string."""
        if not isinstance(value, str):
            self.fail(full, f"应为字符串，实际为{_type_name(value)}")
        if not allow_empty and not value.strip():
            self.fail(full, "不能为空字符串")
        return value

    def integer(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        minimum: int | None = 0,
        default: Any = _MISSING,
    ) -> Any:
        """Read an integer not below ``minimum``."""
        full = self.join(path, key)
        value = self.get(data, key, default)
        if value is _MISSING:
            self.fail(full, "缺少必填的键")
        if value is None:
            return None
        return self.check_integer(value, full, minimum=minimum)

    def check_integer(self, value: Any, full: str, *, minimum: int | None = 0) -> int:
        """Check that ``value`` is an integer not below ``minimum``."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(full, f"应为整数，实际为{_type_name(value)}")
        if minimum is not None and value < minimum:
            if minimum == 0:
                self.fail(full, f"不能为负数（当前为 {value}）")
            self.fail(full, f"不能小于 {minimum}（当前为 {value}）")
        return value

    def boolean(self, data: dict[str, Any], key: str, path: str) -> bool:
        """Read a boolean."""
        full = self.join(path, key)
        value = self.get(data, key)
        if not isinstance(value, bool):
            self.fail(full, f"应为布尔值（true 或 false），实际为{_type_name(value)}")
        return value

    def day(self, data: dict[str, Any], key: str, path: str, *, default: Any = _MISSING) -> Any:
        """Read a date (a TOML local date; an ISO string only in the JSON form)."""
        full = self.join(path, key)
        value = self.get(data, key, default)
        if value is _MISSING:
            self.fail(full, "缺少必填的键")
        if value is None:
            return None
        if isinstance(value, datetime):
            self.fail(full, f"应为日期（如 2021-08-20），不能带时间：{value.isoformat()}")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            if self.iso_dates and _ISO_DATE_RE.match(value):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    self.fail(full, f"不是有效的日期：{value!r}")
            if self.iso_dates:
                self.fail(full, f"不是有效的日期（应为 YYYY-MM-DD）：{value!r}")
            self.fail(
                full,
                f"应为 TOML 日期（不加引号，如 2021-08-20），实际为字符串 {value!r}",
            )
        self.fail(full, f"应为日期（如 2021-08-20），实际为{_type_name(value)}")

    def array(self, data: dict[str, Any], key: str, path: str, *, nonempty: bool) -> list[Any]:
        """Read an array, optionally refusing an empty one."""
        full = self.join(path, key)
        value = self.get(data, key)
        if not isinstance(value, list):
            self.fail(full, f"应为数组，实际为{_type_name(value)}")
        if nonempty and not value:
            self.fail(full, "不能为空数组")
        return value

    def strings(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        nonempty: bool,
        choices: tuple[str, ...] | None = None,
        choice_what: str = "",
    ) -> tuple[str, ...]:
        """Read an array of distinct non-empty strings, optionally from ``choices``."""
        full = self.join(path, key)
        items = self.array(data, key, path, nonempty=nonempty)
        seen: set[str] = set()
        for i, item in enumerate(items):
            item_key = f"{full}[{i}]"
            self.check_string(item, item_key)
            if choices is not None and item not in choices:
                self.fail(item_key, f"未知的{choice_what}：{item!r}（可选：{'、'.join(choices)}）")
            if item in seen:
                self.fail(item_key, f"重复的值：{item!r}")
            seen.add(item)
        return tuple(items)

    def records(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        nonempty: bool,
        build: Callable[[Any, str], T],
    ) -> tuple[T, ...]:
        """Read an array of tables, building each with ``build(item, item_path)``."""
        full = self.join(path, key)
        items = self.array(data, key, path, nonempty=nonempty)
        return tuple(build(item, f"{full}[{i}]") for i, item in enumerate(items))

    def choice(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        choices: tuple[str, ...],
        what: str,
        *,
        allowed: tuple[str, ...] | None = None,
        allowed_what: str = "",
    ) -> str:
        """Read a string from ``choices``; ``allowed`` narrows it to the campaign's own."""
        full = self.join(path, key)
        value = self.string(data, key, path)
        if value not in choices:
            self.fail(full, f"未知的{what}：{value!r}（可选：{'、'.join(choices)}）")
        if allowed is not None and value not in allowed:
            self.fail(
                full,
                f"{what} {value!r} 不在本次评审的{allowed_what}中（{'、'.join(allowed) or '无'}）",
            )
        return value

    # -- parts -----------------------------------------------------------------------

    def ground(self, item: Any, path: str) -> Ground:
        """Build a Ground."""
        data = self.table(item, path, ("code", "label"))
        code = self.string(data, "code", path)
        if not _CODE_RE.match(code):
            self.fail(self.join(path, "code"), f"代码只能由小写字母、数字、-、_ 组成：{code!r}")
        return Ground(code=code, label=self.string(data, "label", path))

    def grounds(self, data: dict[str, Any], key: str, path: str) -> tuple[Ground, ...]:
        """Read an array of grounds with distinct codes."""
        grounds = self.records(data, key, path, nonempty=False, build=self.ground)
        self.unique([g.code for g in grounds], self.join(path, key), "code", "依据代码")
        return grounds

    def unique(self, values: list[Any], full: str, field: str, what: str) -> None:
        """Refuse a repeated value among the items of an array."""
        seen: set[Any] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.fail(f"{full}[{i}].{field}", f"重复的{what}：{value!r}")
            seen.add(value)

    def series(self, item: Any, path: str, levels: tuple[str, ...]) -> Series:
        """Build a Series whose levels must be among the campaign levels."""
        data = self.table(item, path, ("code", "name", "specialties", "levels"))
        code = self.string(data, "code", path)
        if not _CODE_RE.match(code):
            self.fail(self.join(path, "code"), f"代码只能由小写字母、数字、-、_ 组成：{code!r}")
        series_levels = self.strings(
            data, "levels", path, nonempty=True, choices=LEVELS, choice_what="级别"
        )
        for i, level in enumerate(series_levels):
            if level not in levels:
                self.fail(
                    f"{path}.levels[{i}]",
                    f"级别 {level!r} 不在本次评审的级别（levels）中（{'、'.join(levels)}）",
                )
        return Series(
            code=code,
            name=self.string(data, "name", path),
            specialties=self.strings(data, "specialties", path, nonempty=False),
            levels=series_levels,
        )

    def window(self, item: Any, path: str) -> Window:
        """Build a Window; the end may not come before the start."""
        data = self.table(item, path, ("kind", "start"), ("label", "end", "note"))
        kind = self.choice(data, "kind", path, WINDOW_KINDS, "时间段类型")
        start = self.day(data, "start", path)
        end = self.day(data, "end", path, default=None)
        if end is not None and end < start:
            self.fail(
                self.join(path, "end"),
                f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
            )
        return Window(
            kind=kind,
            label=self.string(data, "label", path, default=WINDOW_KIND_LABELS[kind]),
            start=start,
            end=end,
            note=self.string(data, "note", path, default="", allow_empty=True),
        )

    def fee(self, item: Any, path: str, kinds: tuple[str, ...], levels: tuple[str, ...]) -> Fee:
        """Build a Fee for a kind and level of this campaign."""
        data = self.table(item, path, ("kind", "level", "yuan"))
        return Fee(
            kind=self.choice(
                data, "kind", path, KINDS, "类别", allowed=kinds, allowed_what="类别（kinds）"
            ),
            level=self.choice(
                data, "level", path, LEVELS, "级别", allowed=levels, allowed_what="级别（levels）"
            ),
            yuan=self.integer(data, "yuan", path),
        )

    def ce_rule(self, value: Any, path: str, levels: tuple[str, ...]) -> CERule:
        """Build the continuing-education rule."""
        data = self.table(
            value,
            path,
            ("min_total_hours", "min_public_hours", "min_professional_hours", "by_level"),
        )
        total = self.integer(data, "min_total_hours", path)
        public = self.integer(data, "min_public_hours", path)
        professional = self.integer(data, "min_professional_hours", path)
        if public + professional > total:
            self.fail(
                self.join(path, "min_total_hours"),
                f"每年总学时 {total} 少于公需科目 {public} 与专业科目 {professional} 之和",
            )
        by_level_path = self.join(path, "by_level")
        by_level_data = self.table(data["by_level"], by_level_path, (), LEVELS)
        by_level: dict[str, CEYears] = {}
        for level in levels:
            if level not in by_level_data:
                self.fail(
                    self.join(by_level_path, level),
                    f"缺少级别 {level}（{LEVEL_LABELS[level]}）的继续教育年限",
                )
        for level, years in by_level_data.items():
            level_path = self.join(by_level_path, level)
            if level not in levels:
                self.fail(level_path, f"级别 {level!r} 不在本次评审的级别（levels）中")
            years_data = self.table(years, level_path, ("public_years", "professional_years"))
            by_level[level] = CEYears(
                public_years=self.integer(years_data, "public_years", level_path),
                professional_years=self.integer(years_data, "professional_years", level_path),
            )
        return CERule(
            min_total_hours=total,
            min_public_hours=public,
            min_professional_hours=professional,
            by_level=FrozenMap(by_level),
        )

    def assessment(self, value: Any, path: str, year: int) -> AssessmentRule:
        """Build the annual-assessment rule."""
        data = self.table(value, path, ("years", "delay_years"))
        years_path = self.join(path, "years")
        raw_years = self.array(data, "years", path, nonempty=True)
        years: list[int] = []
        for i, item in enumerate(raw_years):
            y = self.check_integer(item, f"{years_path}[{i}]", minimum=1900)
            if y > year:
                self.fail(f"{years_path}[{i}]", f"考核年度 {y} 晚于评审年度 {year}")
            if y in years:
                self.fail(f"{years_path}[{i}]", f"重复的年度：{y}")
            years.append(y)
        delay_path = self.join(path, "delay_years")
        delay_data = self.table(data["delay_years"], delay_path, (), ASSESSMENT_RESULTS)
        delays = {result: self.integer(delay_data, result, delay_path) for result in delay_data}
        return AssessmentRule(years=tuple(years), delay_years=FrozenMap(delays))

    def papers(self, value: Any, path: str, levels: tuple[str, ...]) -> FrozenMap[str, PaperRule]:
        """Build the per-level paper rules."""
        data = self.table(value, path, (), LEVELS)
        rules: dict[str, PaperRule] = {}
        for level, item in data.items():
            level_path = self.join(path, level)
            if level not in levels:
                self.fail(level_path, f"级别 {level!r} 不在本次评审的级别（levels）中")
            rule = self.table(
                item, level_path, ("applies_to", "min_works", "required"), ("alt_regional_papers",)
            )
            rules[level] = PaperRule(
                applies_to=self.choice(rule, "applies_to", level_path, PAPER_SCOPES, "适用范围"),
                min_works=self.integer(rule, "min_works", level_path),
                alt_regional_papers=self.integer(
                    rule, "alt_regional_papers", level_path, default=0
                ),
                required=self.boolean(rule, "required", level_path),
            )
        return FrozenMap(rules)

    def rules(self, value: Any, path: str, levels: tuple[str, ...], year: int) -> Rules:
        """Build the Rules."""
        data = self.table(
            value,
            path,
            (
                "publicity_min_workdays",
                "max_submissions",
                "blank_marker",
                "continuing_education",
                "assessment",
                "papers",
            ),
            ("resubmit_hours",),
        )
        return Rules(
            publicity_min_workdays=self.integer(data, "publicity_min_workdays", path, minimum=1),
            max_submissions=self.integer(data, "max_submissions", path, minimum=1),
            resubmit_hours=self.integer(data, "resubmit_hours", path, minimum=1, default=None),
            blank_marker=self.string(data, "blank_marker", path),
            continuing_education=self.ce_rule(
                data["continuing_education"], self.join(path, "continuing_education"), levels
            ),
            assessment=self.assessment(data["assessment"], self.join(path, "assessment"), year),
            papers=self.papers(data["papers"], self.join(path, "papers"), levels),
        )

    def defense_exemption(self, value: Any, path: str) -> DefenseExemption:
        """Build the defense exemption."""
        data = self.table(
            value,
            path,
            (
                "grounds",
                "exempt_counties",
                "below_county_level",
                "junior_level",
                "non_public_natures",
                "source_clause",
            ),
        )
        return DefenseExemption(
            grounds=self.grounds(data, "grounds", path),
            exempt_counties=self.strings(data, "exempt_counties", path, nonempty=False),
            below_county_level=self.boolean(data, "below_county_level", path),
            junior_level=self.boolean(data, "junior_level", path),
            non_public_natures=self.strings(
                data,
                "non_public_natures",
                path,
                nonempty=False,
                choices=UNIT_NATURES,
                choice_what="单位性质",
            ),
            source_clause=self.string(data, "source_clause", path),
        )

    def material(self, item: Any, path: str, kinds: tuple[str, ...]) -> Material:
        """Build a Material; its kinds must be among the campaign kinds."""
        data = self.table(item, path, ("name",), ("copies", "note", "kinds"))
        material_kinds: tuple[str, ...] = ()
        if data.get("kinds") is not None:
            material_kinds = self.strings(
                data, "kinds", path, nonempty=False, choices=KINDS, choice_what="类别"
            )
            for i, kind in enumerate(material_kinds):
                if kind not in kinds:
                    self.fail(
                        f"{path}.kinds[{i}]",
                        f"类别 {kind!r} 不在本次评审的类别（kinds）中（{'、'.join(kinds)}）",
                    )
        return Material(
            name=self.string(data, "name", path),
            copies=self.integer(data, "copies", path, minimum=1, default=None),
            note=self.string(data, "note", path, default="", allow_empty=True),
            kinds=material_kinds,
        )

    def commitment(self, value: Any, path: str) -> Commitment:
        """Build the Commitment."""
        data = self.table(value, path, ("mode", "ban_years", "text"))
        return Commitment(
            mode=self.choice(data, "mode", path, COMMITMENT_MODES, "承诺方式"),
            ban_years=self.integer(data, "ban_years", path, minimum=1),
            text=self.string(data, "text", path),
        )

    def template(self, data: dict[str, Any], name: str, path: str) -> str:
        """Read one template text, compile it and check its placeholders."""
        full = self.join(path, name)
        text = self.string(data, name, path)
        try:
            parsed = _TEMPLATE_ENV.parse(text)
        except TemplateSyntaxError as exc:
            self.fail(full, f"模板语法错误（模板第 {exc.lineno} 行）：{exc.message}")
        allowed = TEMPLATE_PLACEHOLDERS[name]
        for placeholder in sorted(meta.find_undeclared_variables(parsed)):
            if placeholder not in PLACEHOLDERS:
                self.fail(
                    full,
                    f"未知的占位符 {{{{ {placeholder} }}}}（可用：{'、'.join(PLACEHOLDERS)}）",
                )
            if placeholder not in allowed:
                self.fail(
                    full,
                    f"占位符 {{{{ {placeholder} }}}} 不能用于{TEMPLATE_LABELS[name]}模板"
                    f"（可用：{'、'.join(p for p in PLACEHOLDERS if p in allowed)}）",
                )
        return text

    def templates(self, value: Any, path: str) -> Templates:
        """Build the Templates."""
        data = self.table(value, path, TEMPLATE_NAMES)
        texts = {name: self.template(data, name, path) for name in TEMPLATE_NAMES}
        return Templates(**texts)

    def contact(self, item: Any, path: str) -> Contact:
        """Build a Contact."""
        data = self.table(item, path, ("name", "phones", "address"))
        return Contact(
            name=self.string(data, "name", path),
            phones=self.strings(data, "phones", path, nonempty=True),
            address=self.string(data, "address", path),
        )

    # -- whole -----------------------------------------------------------------------

    def definition(self, value: Any) -> CampaignDefinition:
        """Build the CampaignDefinition from the top-level table."""
        data = self.table(
            value,
            "",
            (
                "code",
                "title",
                "notice_title",
                "issuer",
                "year",
                "issued_on",
                "prefecture",
                "source",
                "seniority_cutoff",
                "series",
                "levels",
                "kinds",
                "windows",
                "fees",
                "rules",
                "defense_exemption",
                "ce_exemption_grounds",
                "materials",
                "commitment",
                "templates",
                "contacts",
            ),
            ("document_number",),
        )
        code = self.string(data, "code", "")
        if not _CODE_RE.match(code):
            self.fail("code", f"代码只能由小写字母、数字、-、_ 组成：{code!r}")
        source = self.string(data, "source", "")
        if not _SOURCE_RE.match(source):
            self.fail("source", f'应为三位数字的通知编号（如 "000"）：{source!r}')
        year = self.integer(data, "year", "", minimum=1900)
        if year > 2999:
            self.fail("year", f"年度不合理：{year}")
        levels = self.strings(data, "levels", "", nonempty=True, choices=LEVELS, choice_what="级别")
        kinds = self.strings(data, "kinds", "", nonempty=True, choices=KINDS, choice_what="类别")

        series = self.records(
            data, "series", "", nonempty=True, build=lambda v, p: self.series(v, p, levels)
        )
        self.unique([s.code for s in series], "series", "code", "系列代码")
        self.unique([s.name for s in series], "series", "name", "系列名称")

        windows = self.records(data, "windows", "", nonempty=True, build=self.window)
        self.unique([w.kind for w in windows], "windows", "kind", "时间段类型")

        fees = self.records(
            data, "fees", "", nonempty=False, build=lambda v, p: self.fee(v, p, kinds, levels)
        )
        self.unique([(f.kind, f.level) for f in fees], "fees", "level", "类别与级别组合")

        commitment = self.commitment(data["commitment"], "commitment")
        templates = self.templates(data["templates"], "templates")
        if commitment.text not in templates.commitment:
            self.fail("templates.commitment", "承诺书模板中没有原样包含 commitment.text 的承诺语")

        contacts = self.records(data, "contacts", "", nonempty=True, build=self.contact)
        materials = self.records(
            data, "materials", "", nonempty=True, build=lambda v, p: self.material(v, p, kinds)
        )
        return CampaignDefinition(
            code=code,
            title=self.string(data, "title", ""),
            notice_title=self.string(data, "notice_title", ""),
            issuer=self.string(data, "issuer", ""),
            document_number=self.string(data, "document_number", "", default=None),
            year=year,
            issued_on=self.day(data, "issued_on", ""),
            prefecture=self.string(data, "prefecture", ""),
            source=source,
            seniority_cutoff=self.day(data, "seniority_cutoff", ""),
            series=series,
            levels=levels,
            kinds=kinds,
            windows=windows,
            fees=fees,
            rules=self.rules(data["rules"], "rules", levels, year),
            defense_exemption=self.defense_exemption(
                data["defense_exemption"], "defense_exemption"
            ),
            ce_exemption_grounds=self.grounds(data, "ce_exemption_grounds", ""),
            materials=materials,
            commitment=commitment,
            templates=templates,
            contacts=contacts,
        )


# --------------------------------------------------------------------------- public API

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
    "Invalid initial character for a key part": "键的首字符无效",
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
        key = f"{lines[line_no - 1].split('=', 1)[0].strip()}（第 {line_no} 行）"
    return CampaignDefinitionError(
        file, key, f"TOML 语法错误（第 {line_no} 行第 {column} 列）：{message}"
    )


def parse_definition(data: dict[str, Any], file: str) -> CampaignDefinition:
    """Validate a TOML-shaped dict and build the CampaignDefinition."""
    return _Parser(file, iso_dates=False).definition(data)


def load_definition(path: str | Path) -> CampaignDefinition:
    """Read, validate and return one definition file; its code must match the file name."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CampaignDefinitionError(file, "（文件）", f"无法读取文件：{exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CampaignDefinitionError(file, "（文件）", "文件不是 UTF-8 编码") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(file, text, exc) from exc
    definition = parse_definition(data, file)
    if definition.code != path.stem:
        raise CampaignDefinitionError(
            file, "code", f"代码 {definition.code!r} 与文件名 {path.stem!r} 不一致"
        )
    return definition


def shipped_definition_paths() -> list[Path]:
    """Return the definition files shipped with the portal, sorted by name."""
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


def _plain(value: Any) -> Any:
    """Convert dataclasses, maps, tuples and dates to JSON-serialisable values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_dict(definition: CampaignDefinition) -> dict[str, Any]:
    """Return the JSON-serialisable form of ``definition`` (dates as ISO strings)."""
    return _plain(definition)


def from_dict(data: dict[str, Any], file: str = "<json>") -> CampaignDefinition:
    """Rebuild (and re-validate) a definition from the output of ``to_dict``."""
    return _Parser(file, iso_dates=True).definition(data)
