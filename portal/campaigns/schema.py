"""The campaign format: one pydantic model per table of a notice's TOML file.

Every key a notice may state is one declaration here, with its type, its default, a Chinese
description and a TOML example; ``portal.campaigns.reference`` turns them into the format
reference and ``portal.campaigns.definition`` loads files against them. Values a rule needs
that only the whole file knows (the campaign's levels, kinds, year) are checked by
``CampaignDefinition``'s own validator, which names the key at fault.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from portal.campaigns.placeholders import (
    ANNEX_FIELDS,
    ANNEX_TABLES,
    TEMPLATE_LABELS,
    TEMPLATE_PLACEHOLDERS,
)
from portal.htmlsafe import html_problems
from portal.sandbox import check_template, render_template
from portal.textutil import format_date_cn, format_years_cn
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    ASSESSMENT_RESULTS,
    BUILTIN_DOCUMENT_KINDS,
    COMMITMENT_MODES,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    LEVELS,
    MANDARIN_GRADES,
    PAPER_SCOPES,
    REGION_WIDE,
    SANCTIONS,
    STATUS_LABELS,
    UNIT_NATURES,
    WINDOW_KIND_LABELS,
    WINDOW_KINDS,
)

# --------------------------------------------------------------------------- errors


def fail(message: str, key: str | None = None) -> PydanticCustomError:
    """An error with a Chinese message; ``key`` names the sub-key at fault, if any."""
    ctx: dict[str, Any] = {"message": message}
    if key:
        ctx["key"] = key
    return PydanticCustomError("campaign", "{message}", ctx)


def problems(found: list[tuple[str, str]]) -> PydanticCustomError:
    """Several (key, message) problems found by one validator, reported together."""
    return PydanticCustomError(
        "campaign_many", "{message}", {"message": found[0][1], "problems": found}
    )


# --------------------------------------------------------------------------- value types


def _choice(vocabulary: tuple[str, ...], what: str, labels: Mapping[str, str] | None = None):
    """A validator accepting one value of ``vocabulary`` (named ``what`` in messages)."""

    def check(value: str) -> str:
        if value not in vocabulary:
            shown = "、".join(f"{v}（{labels[v]}）" if labels else v for v in vocabulary)
            raise fail(f"未知的{what} {value!r}（可用：{shown}）")
        return value

    return AfterValidator(check)


def _nonblank(value: str) -> str:
    """Refuse an empty or whitespace-only string."""
    if not value.strip():
        raise fail("不能为空字符串")
    return value


_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _code(value: str) -> str:
    """A code of lower-case letters, digits, - and _."""
    if not _CODE_RE.match(value):
        raise fail(f"代码只能由小写字母、数字、-、_ 组成，且以字母或数字开头：{value!r}")
    return value


Text = Annotated[str, AfterValidator(_nonblank)]
Code = Annotated[str, AfterValidator(_code)]
Level = Annotated[str, _choice(LEVELS, "级别", LEVEL_LABELS)]
Kind = Annotated[str, _choice(KINDS, "类别", KIND_LABELS)]
UnitNature = Annotated[str, _choice(UNIT_NATURES, "单位性质")]
AssessmentResult = Annotated[str, _choice(ASSESSMENT_RESULTS, "考核结果", ASSESSMENT_RESULT_LABELS)]
Sanction = Annotated[str, _choice(SANCTIONS, "处分")]
MandarinGrade = Annotated[str, _choice(MANDARIN_GRADES, "普通话等级")]
WindowKind = Annotated[str, _choice(WINDOW_KINDS, "时间段类型", WINDOW_KIND_LABELS)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


_TIME_RE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?\s*$")


def _time(value: Any) -> Any:
    """A time of day from "18:00" (or "18:00:00", or a TOML local time)."""
    if isinstance(value, str):
        match = _TIME_RE.match(value)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise fail(f'应为时刻，如 "18:00"：{value!r}')
        return time(int(match.group(1)), int(match.group(2)))
    return value


ClockTime = Annotated[time, BeforeValidator(_time), PlainSerializer(lambda t: t.strftime("%H:%M"))]


class YearSpan(BaseModel):
    """Years stated as a count (“近2年”: the last N years, the campaign year included) or as
    a range of calendar years (“2021-2024年”)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int | None = None
    first: int | None = None
    last: int | None = None

    def years(self, campaign_year: int) -> list[int]:
        """The years meant, oldest first."""
        if self.count is not None:
            return list(range(campaign_year - self.count + 1, campaign_year + 1))
        assert self.first is not None and self.last is not None
        return list(range(self.first, self.last + 1))

    def text(self) -> str:
        """As a notice writes it: 近2年 or 2021—2024年."""
        if self.count is not None:
            return "当年" if self.count == 1 else f"近{self.count}年"
        return f"{self.first}—{self.last}年"


_RANGE_RE = re.compile(r"^\s*(\d{4})\s*年?\s*[-—–~～至到]\s*(\d{4})\s*年?\s*$")


def _year_span(value: Any) -> YearSpan:
    """A YearSpan from 3 or "2021-2024"."""
    if isinstance(value, YearSpan):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise fail("年数至少为1")
        return YearSpan(count=value)
    if isinstance(value, str):
        match = _RANGE_RE.match(value)
        if not match:
            raise fail(f'应为年数（如 2）或年份范围（如 "2021-2024"）：{value!r}')
        first, last = int(match.group(1)), int(match.group(2))
        if first > last:
            raise fail(f"起始年份 {first} 晚于结束年份 {last}")
        return YearSpan(first=first, last=last)
    raise fail('应为年数（如 2）或年份范围（如 "2021-2024"）')


def _dump_year_span(span: YearSpan) -> int | str:
    """The YearSpan as it is written in a file."""
    return span.count if span.count is not None else f"{span.first}-{span.last}"


Years = Annotated[YearSpan, BeforeValidator(_year_span), PlainSerializer(_dump_year_span)]


def doc(description: str, example: str, **kw: Any) -> Any:
    """A Field with its Chinese description and a TOML example (for the format reference)."""
    return Field(description=description, json_schema_extra={"example": example}, **kw)


class Model(BaseModel):
    """Base of every table: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- tables


class Series(Model):
    """A series (系列) with its specialties (专业) and the levels it is open for."""

    code: Code = doc("系列代码（小写字母、数字、-、_），申报记录用它区分系列", 'code = "culture"')
    name: Text = doc("系列名称，须以“系列”结尾时模板才会读作“××系列”", 'name = "文化系列"')
    specialties: tuple[Text, ...] = doc(
        "专业名称；为空表示通知不分专业，申报时自由填写",
        'specialties = ["艺术", "群众文化"]',
        default=(),
    )
    levels: tuple[Level, ...] = doc(
        "本系列开放的级别，须在顶层 levels 之中",
        'levels = ["junior", "intermediate"]',
        min_length=1,
    )

    @property
    def short_name(self) -> str:
        """The name without a trailing 系列, as the {{ 系列 }} placeholder wants."""
        return self.name[: -len("系列")] if self.name.endswith("系列") else self.name

    @property
    def open_specialty(self) -> bool:
        """True when the notice names no specialty, so it is entered as free text."""
        return not self.specialties


class Window(Model):
    """A period of the campaign: dated, a deadline only, or a date still to be announced."""

    kind: WindowKind | None = doc(
        "时间段类型：online（网上申报，用于检查是否逾期）、paper（纸质材料报送）、fee（缴费）、"
        "defense（答辩）；其他事项（审核、评审会……）不写 kind，只写 label",
        'kind = "online"',
        default=None,
    )
    label: str = doc(
        "显示名称；不写时按 kind 显示（如“网上申报”）", 'label = "资格审核"', default=""
    )
    start: date | None = doc(
        "开始日期；只写 end 表示“截止日期”，start、end 都不写表示“另行通知”",
        "start = 2025-08-01",
        default=None,
    )
    end: date | None = doc(
        "结束日期（含当天）；只写 start 表示只有这一天", "end = 2025-08-31", default=None
    )
    start_time: ClockTime | None = doc("开始时刻", 'start_time = "09:00"', default=None)
    end_time: ClockTime | None = doc("截止时刻", 'end_time = "18:00"', default=None)
    note: str = doc("说明，如地点或“地点另行通知”", 'note = "逾期不予受理"', default="")

    @model_validator(mode="after")
    def _consistent(self) -> Window:
        """A label or a kind; the end not before the start; times only with their dates."""
        if self.kind is None and not self.label.strip():
            raise fail("请写 kind（时间段类型）或 label（显示名称）", "label")
        if self.start and self.end and self.end < self.start:
            raise fail(f"结束日期 {self.end} 早于开始日期 {self.start}", "end")
        if self.start_time and self.start is None:
            raise fail("写了开始时刻却没有开始日期（start）", "start_time")
        if self.end_time and self.end is None and self.start is None:
            raise fail("写了截止时刻却没有日期（end 或 start）", "end_time")
        return self

    @property
    def title(self) -> str:
        """The label shown: the window's own, else its kind's."""
        return self.label.strip() or WINDOW_KIND_LABELS.get(self.kind or "", "")

    @property
    def undated(self) -> bool:
        """True when the notice says the date will be announced later (另行通知)."""
        return self.start is None and self.end is None

    @property
    def deadline_only(self) -> bool:
        """True when only the last day is given."""
        return self.start is None and self.end is not None

    @property
    def last_day(self) -> date | None:
        """The last day of the window (``start`` for a single-day window), or None."""
        return self.end if self.end is not None else self.start

    def _moment(self, day: date | None, at: time | None) -> str:
        """A day (and time) as the notice writes it: 2025年9月30日 18:00."""
        return format_date_cn(day) + (f" {at:%H:%M}" if at is not None else "")

    def close_text(self) -> str:
        """When the window closes: 2025年9月30日 18:00 (the start for a single day)."""
        return self._moment(self.last_day, self.end_time)

    def span_text(self) -> str:
        """The window's dates in words: 另行通知, 截止于…, one day, or 从…至….."""
        if self.undated:
            return "时间另行通知"
        start = self._moment(self.start, self.start_time)
        if self.start is None:
            return f"{self.close_text()}前"
        if self.end is None or self.end == self.start:
            return start + (f"至{self.end_time:%H:%M}" if self.end_time else "")
        return f"{start}至{self.close_text()}"

    def closed_at(self, moment: datetime) -> bool:
        """True once the last day (and its closing time, if the notice gives one) has passed.

        ``moment`` is local (Beijing) time; without a closing time the whole last day counts.
        """
        last = self.last_day
        if last is None:
            return False
        if self.end_time is None:
            return moment.date() > last
        return moment > datetime.combine(last, self.end_time)

    def not_started_at(self, moment: datetime) -> bool:
        """True before the first day (and its opening time, if the notice gives one)."""
        if self.start is None:
            return False
        if self.start_time is None:
            return moment.date() < self.start
        return moment < datetime.combine(self.start, self.start_time)

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside the window, both ends included."""
        last = self.last_day
        if last is None:
            return False
        return (self.start is None or self.start <= day) and day <= last


class Fee(Model):
    """The evaluation fee in yuan for one kind and level."""

    kind: Kind = doc(
        "申报类型：evaluation（评审）、first_determination（初次确定）、conferment（授予）",
        'kind = "evaluation"',
    )
    level: Level = doc(
        "级别：junior、intermediate、deputy_senior、senior", 'level = "intermediate"'
    )
    yuan: Count = doc("金额（元）", "yuan = 380")


class CEYears(Model):
    """Which years of continuing education are checked at one level."""

    public_years: Years | None = doc(
        '公需科目要查的年度：年数（含评审年度，如 2 即近两年）或年份范围（如 "2019-2023"）',
        'public_years = "2019-2023"',
        default=None,
    )
    professional_years: Years | None = doc(
        "专业科目要查的年度，写法同 public_years", "professional_years = 3", default=None
    )


class CERule(Model):
    """Continuing-education hours per year and, per level, the years checked."""

    min_total_hours: Count | None = doc(
        "每年合计学时下限；不写则不查合计", "min_total_hours = 90", default=None
    )
    min_public_hours: Count | None = doc(
        "每年公需科目学时下限；不写则不查", "min_public_hours = 30", default=None
    )
    min_professional_hours: Count | None = doc(
        "每年专业科目学时下限；不写则不查", "min_professional_hours = 60", default=None
    )
    by_level: dict[Level, CEYears] = doc(
        "按级别写要查的年度（表名为级别代码）；没写的级别不查继续教育",
        "[by_level.junior]\npublic_years = 1\nprofessional_years = 1",
        default_factory=dict,
    )


class AssessmentRule(Model):
    """Annual assessment years to hand in and the delay in years caused by each result."""

    years: tuple[int, ...] = doc(
        "须提供年度考核结果的年度；不写或写空数组表示通知不要求年度考核",
        "years = [2022, 2023, 2024]",
        default=(),
    )
    delay_years: dict[AssessmentResult, Positive] = doc(
        "每出现一次该考核结果顺延申报的年数；通知没有顺延规定时不写",
        "delay_years = { basically_competent = 1, incompetent = 2 }",
        default_factory=dict,
    )


class PaperRule(Model):
    """Papers or representative works required at one level."""

    applies_to: str = doc(
        "适用范围：county_and_below（在县及县以下单位工作的人员）或 all（全部申报人）",
        'applies_to = "county_and_below"',
    )
    min_works: Count = doc("代表著作或业务总结的最少篇数", "min_works = 2")
    alt_regional_papers: Count = doc(
        "或在自治区级以上刊物发表论文的篇数（0 表示没有此替代）",
        "alt_regional_papers = 1",
        default=0,
    )
    required: bool = doc("是否必备（如“初级不作为必备条件”写 false）", "required = true")

    @field_validator("applies_to")
    @classmethod
    def _scope(cls, value: str) -> str:
        """One of PAPER_SCOPES."""
        if value not in PAPER_SCOPES:
            raise fail(f"未知的适用范围 {value!r}（可用：{'、'.join(PAPER_SCOPES)}）")
        return value


class LanguageCase(Model):
    """A minimum that differs for some applicants (by series, specialty, level, unit …)."""

    series: tuple[Code, ...] = doc("适用的系列代码", 'series = ["culture"]', default=())
    specialties: tuple[Text, ...] = doc("适用的专业", 'specialties = ["播音员主持人"]', default=())
    levels: tuple[Level, ...] = doc("适用的级别", 'levels = ["intermediate"]', default=())
    unit_natures: tuple[UnitNature, ...] = doc(
        "适用的单位性质", 'unit_natures = ["事业单位"]', default=()
    )
    teaching_languages: tuple[Text, ...] = doc(
        "适用的授课语言（须在 teaching_languages 之中）",
        'teaching_languages = ["少数民族语言"]',
        default=(),
    )
    minimum: MandarinGrade | None = doc(
        "这些人员须达到的最低等级", 'minimum = "一级乙等"', default=None
    )
    exempt: bool = doc("这些人员不作要求", "exempt = false", default=False)

    @model_validator(mode="after")
    def _what(self) -> LanguageCase:
        """A condition, and either a minimum or an exemption."""
        if not (
            self.series
            or self.specialties
            or self.levels
            or self.unit_natures
            or self.teaching_languages
        ):
            raise fail(
                "请写适用条件（series、specialties、levels、unit_natures 或 teaching_languages）"
            )
        if (self.minimum is None) == (not self.exempt):
            raise fail("请写 minimum（最低等级）或 exempt = true（不作要求），二者只写其一")
        return self

    def matches(self, series: str, specialty: str, level: str, nature: str, teaching: str) -> bool:
        """True when every condition the case states holds for the applicant."""
        checks = (
            (self.series, series),
            (self.specialties, specialty),
            (self.levels, level),
            (self.unit_natures, nature),
            (self.teaching_languages, teaching),
        )
        return all(not wanted or value in wanted for wanted, value in checks)


class LanguageRule(Model):
    """A language proficiency requirement (普通话 and the like), checked against 基本信息."""

    name: Text = doc("语言名称", 'name = "普通话"', default="普通话")
    minimum: MandarinGrade | None = doc(
        "一般人员须达到的最低等级（一级甲等 … 三级乙等）；不写则只查 cases 列出的人员",
        'minimum = "二级乙等"',
        default=None,
    )
    teaching_languages: tuple[Text, ...] = doc(
        "授课语言的选项（教师系列按授课语言区分要求时写），基本信息中出现此选择",
        'teaching_languages = ["国家通用语言", "少数民族语言"]',
        default=(),
    )
    cases: tuple[LanguageCase, ...] = doc(
        "不同人员的不同要求，按顺序取第一条符合的",
        '[[cases]]\nspecialties = ["播音员主持人"]\nminimum = "一级乙等"',
        default=(),
    )

    @model_validator(mode="after")
    def _languages(self) -> LanguageRule:
        """Cases name only teaching languages the rule lists."""
        for i, case in enumerate(self.cases):
            for j, value in enumerate(case.teaching_languages):
                if value not in self.teaching_languages:
                    raise fail(
                        f"授课语言 {value!r} 不在 teaching_languages 之中",
                        f"cases[{i}].teaching_languages[{j}]",
                    )
        return self

    def minimum_for(
        self, series: str, specialty: str, level: str, nature: str, teaching: str
    ) -> str | None:
        """The lowest grade this applicant must hold, or None when nothing is required."""
        for case in self.cases:
            if case.matches(series, specialty, level, nature, teaching):
                return None if case.exempt else case.minimum
        return self.minimum


class Eligibility(Model):
    """Who may not apply; each bar is on only when the notice states it."""

    retired: bool = doc("离退休人员（含达到法定退休年龄）不得申报", "retired = true", default=False)
    civil_servant: bool = doc(
        "公务员及参照公务员法管理的人员不得申报", "civil_servant = true", default=False
    )
    sanction: Sanction | None = doc(
        '受此处分及更重处分、在处分期内的不得申报（如“记过以上”写 "记过"）；不写则不查',
        'sanction = "记过"',
        default=None,
    )
    sanction_natures: tuple[UnitNature, ...] = doc(
        "处分限制只适用于这些单位性质的人员（如“事业单位工作人员受到记过以上处分的”）；"
        "不写则适用于所有人",
        'sanction_natures = ["事业单位"]',
        default=(),
    )


class Rules(Model):
    """Rule values the notice states."""

    publicity_min_workdays: Positive = doc("推荐单位公示期最少工作日", "publicity_min_workdays = 5")
    max_submissions: Positive = doc("提交评审委员会的最多次数", "max_submissions = 3")
    resubmit_hours: Positive | None = doc(
        "退回后须在多少小时内重新提交；通知没有规定时不写", "resubmit_hours = 48", default=None
    )
    blank_marker: Text = doc("没有内容的栏目须填写的字", 'blank_marker = "无"')
    eligibility: Eligibility = doc(
        "不得申报的人员；通知没有写的限制不要写",
        '[eligibility]\nretired = true\ncivil_servant = true\nsanction = "记过"',
        default_factory=Eligibility,
    )
    continuing_education: CERule = doc(
        "继续教育学时和年度",
        "[continuing_education]\nmin_public_hours = 30\nmin_professional_hours = 60",
        default_factory=CERule,
    )
    assessment: AssessmentRule = doc(
        "年度考核", "[assessment]\nyears = [2022, 2023, 2024]", default_factory=AssessmentRule
    )
    papers: dict[Level, PaperRule] = doc(
        "按级别的论文、代表著作要求（表名为级别代码）；没写的级别不查",
        '[papers.intermediate]\napplies_to = "county_and_below"\nmin_works = 2\nrequired = true',
        default_factory=dict,
    )
    language: LanguageRule | None = doc(
        "语言能力（普通话等级）要求；通知没有要求时不写",
        '[language]\nminimum = "二级乙等"',
        default=None,
    )


class Ground(Model):
    """An exemption ground (e.g. “访惠聚”驻村) with a stable code."""

    code: Code = doc("情形代码，申报记录用它保存所选情形", 'code = "village_team"')
    label: Text = doc("情形名称，按通知原文", 'label = "参加“访惠聚”驻村"')


class DefenseExemption(Model):
    """Who is exempt from the defense (免于答辩), and who must take it."""

    levels: tuple[Level, ...] = doc(
        '免于答辩的级别（如“初级免于答辩”写 ["junior"]，“中级及以下”写两个）',
        'levels = ["junior", "intermediate"]',
        default=(),
    )
    required_levels: tuple[Level, ...] = doc(
        "一律须答辩的级别：以下各种免于答辩情形对这些级别不适用",
        'required_levels = ["deputy_senior", "senior"]',
        default=(),
    )
    grounds: tuple[Ground, ...] = doc(
        "免于答辩的服务基层情形，申报时在基本信息中选择",
        '[[grounds]]\ncode = "village_team"\nlabel = "参加“访惠聚”驻村"',
        default=(),
    )
    exempt_counties: tuple[Text, ...] = doc(
        "在这些县市工作的人员免于答辩", 'exempt_counties = ["且末县", "若羌县"]', default=()
    )
    below_county_level: bool = doc(
        "在县级以下基层单位工作的人员免于答辩", "below_county_level = true", default=False
    )
    non_public_natures: tuple[UnitNature, ...] = doc(
        "这些单位性质的人员免于答辩（非公经济组织、社会组织、自由职业）",
        'non_public_natures = ["民营企业", "社会组织", "人事代理"]',
        default=(),
    )


class Material(Model):
    """One item of the paper materials list, for the applications it applies to."""

    name: Text = doc("材料名称", 'name = "《专业技术职务任职资格评审表》"')
    copies: Positive | None = doc("份数", "copies = 2", default=None)
    note: str = doc("说明", 'note = "A4纸双面打印"', default="")
    kinds: tuple[Kind, ...] = doc(
        "只适用于这些申报类型；不写表示所有类型", 'kinds = ["first_determination"]', default=()
    )
    levels: tuple[Level, ...] = doc(
        "只适用于这些级别；不写表示所有级别", 'levels = ["intermediate"]', default=()
    )
    first_time_only: bool = doc(
        "只适用于首次申报的人员（本系统中此人此前没有同一级别的申报）",
        "first_time_only = true",
        default=False,
    )
    ce_exempt_name: str = doc(
        "免除继续教育的申报人改交的材料（通知所说的免试审批表），材料目录中代替本项列出；"
        "不写表示不替换",
        'ce_exempt_name = "继续教育免试审批表"',
        default="",
    )

    def applies(self, kind: str, level: str, first_time: bool) -> bool:
        """True when the item is asked of an application of this kind and level."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.levels or level in self.levels)
            and (first_time or not self.first_time_only)
        )


class Commitment(Model):
    """The personal commitment: how it is given, the ban in years and its text."""

    mode: str = doc(
        "承诺方式：form_sentence（在评审表中手写承诺语）或 document（单独的个人承诺书）",
        'mode = "document"',
    )
    ban_years: Positive = doc("弄虚作假的禁报年数", "ban_years = 3")
    text: Text = doc("承诺语原文", 'text = "本人承诺……"')

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        """One of COMMITMENT_MODES."""
        if value not in COMMITMENT_MODES:
            raise fail(f"未知的承诺方式 {value!r}（可用：{'、'.join(COMMITMENT_MODES)}）")
        return value


def _template_problem(name: str, text: str) -> None:
    """Refuse a template whose placeholders or syntax the sandbox would refuse."""
    allowed = [p for p in TEMPLATE_PLACEHOLDERS[name]]
    found = check_template(text, sorted(allowed))
    if found:
        raise fail(f"{TEMPLATE_LABELS[name]}模板：{found[0].message}")


class Templates(Model):
    """Texts of the documents the recommending unit issues, with {{ 占位符 }}."""

    publicity: Text = doc("推荐单位公示", "publicity = '''推荐单位公示\n……'''")
    publicity_result: Text = doc(
        "推荐单位公示结果", "publicity_result = '''推荐单位公示结果\n……'''"
    )
    commitment: Text = doc("个人承诺书（须原样包含 commitment.text）", "commitment = '''……'''")
    recommendation: Text = doc(
        "推荐意见（公示与推荐页的默认意见）",
        "recommendation = '''本单位已对提供的申报材料逐一审核，真实准确，同意推荐'''",
    )
    publicity_combined: Text | None = doc(
        "同一单位多人合并公示；{{ 名单 }} 单独占一行，印出名单表和每人的思想政治条件、"
        "业绩成果；不写则不提供多人合并公示",
        "publicity_combined = '''推荐单位公示\n现对{{ 姓名列表 }}等{{ 人数 }}名同志……\n"
        "{{ 名单 }}\n公示时间从{{ 公示开始 }}起至{{ 公示结束 }}止。'''",
        default=None,
    )

    @model_validator(mode="after")
    def _placeholders(self) -> Templates:
        """Each text uses only the placeholders its document has."""
        found: list[tuple[str, str]] = []
        for name in TEMPLATE_PLACEHOLDERS:
            text = getattr(self, name)
            if text is None:
                continue
            try:
                _template_problem(name, text)
            except PydanticCustomError as exc:
                found.append((name, str(exc)))
        if self.publicity_combined is not None and not any(
            line.strip() == "{{ 名单 }}" for line in self.publicity_combined.splitlines()
        ):
            found.append(("publicity_combined", "须有单独占一行的 {{ 名单 }}"))
        if found:
            raise problems(found)
        return self


class Contact(Model):
    """A contact of the issuing office: a person, a role, or a phone only."""

    name: str = doc("联系人；只有电话时不写", 'name = "蔡宛峻"', default="")
    role: str = doc("用途，如“技术服务”“监督举报”", 'role = "监督举报"', default="")
    phones: tuple[Text, ...] = doc("电话", 'phones = ["0996-2226930"]', min_length=1)
    address: str = doc("地址或受理地点", 'address = "州党委党校组织人事科"', default="")


class Note(Model):
    """A condition of the notice the portal does not check, shown where it matters."""

    text: Text = doc(
        "原文或摘要（如通过率、任职年限等本系统不检查的条件）",
        'text = "评审通过率不超过申报人数的60%"',
    )
    levels: tuple[Level, ...] = doc(
        "只对这些级别显示；不写表示所有级别", 'levels = ["deputy_senior", "senior"]', default=()
    )
    clause: str = doc("通知中的条款", 'clause = "三（二）"', default="")


class Clauses(Model):
    """Where the notice states each rule the portal checks: the clause, e.g. 五（九）."""

    eligibility: str = doc("不得申报的人员", 'eligibility = "一"', default="")
    blank: str = doc("栏目不得留空、填写“无”", 'blank = "八（三）"', default="")
    publicity: str = doc("公示期", 'publicity = "七（三）"', default="")
    submissions: str = doc("提交次数", 'submissions = "八（四）"', default="")
    resubmit: str = doc("退回后重新提交的时限", 'resubmit = "四（三）"', default="")
    continuing_education: str = doc(
        "继续教育学时和年度", 'continuing_education = "七（二）"', default=""
    )
    ce_exemption: str = doc("免除继续教育", 'ce_exemption = "七（一）"', default="")
    assessment: str = doc("年度考核", 'assessment = "五（十）"', default="")
    papers: str = doc("论文、代表著作", 'papers = "五（九）"', default="")
    language: str = doc("普通话等级", 'language = "二（三）"', default="")
    window: str = doc("网上申报时间", 'window = "四"', default="")
    fee: str = doc("评审费", 'fee = "八（六）"', default="")
    defense_exemption: str = doc("免于答辩", 'defense_exemption = "六"', default="")
    materials: str = doc("纸质材料", 'materials = "五"', default="")
    education: str = doc("学历从低到高填写", 'education = "五（一）2"', default="")
    work: str = doc("工作经历上下衔接", 'work = "五（一）4"', default="")


class Wording(Model):
    """The campaign's own words for the level it reports to."""

    region_word: Text = doc(
        "地州一级的称呼，用于“已报送州”“报送地区”等", 'region_word = "地区"', default="州"
    )
    report_to: str = doc(
        "报送的职称办名称，打印在附件中", 'report_to = "地区文化体育广播电视和旅游局"', default=""
    )


class CEExemptionForm(Model):
    """The continuing-education exemption form as the notice attaches it."""

    title: Text = doc(
        "表名；换行处写 \\n",
        'title = "自治区“访惠聚”驻村等专业技术人员职称评审\\n免除继续教育学习申请表"',
        default="免除继续教育学习申请表",
    )
    notes: tuple[Text, ...] = doc(
        "表下的注（按通知原文，逐条）",
        'notes = ["各地各部门不得私自设置免除继续教育学习事项。"]',
        default=(),
    )


class Documents(Model):
    """Documents the notice attaches besides the templates."""

    ce_exemption: CEExemptionForm = doc(
        "免除继续教育学习申请表",
        '[ce_exemption]\ntitle = "免除继续教育学习申请表"',
        default_factory=CEExemptionForm,
    )


class AnnexTable(Model):
    """How a table placeholder of an annex is laid out."""

    name: str = doc("表名：" + "、".join(ANNEX_TABLES), 'name = "材料清单"')
    columns: tuple[Text, ...] = doc(
        "列（按顺序）；表名已知的列自动填写，其他列留空手填；不写则用该表的全部已知列",
        'columns = ["序号", "材料名称", "份数", "页数"]',
        default=(),
    )
    blank_rows: Count = doc("表末加几行空白行（手填）", "blank_rows = 2", default=0)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        """One of ANNEX_TABLES."""
        if value not in ANNEX_TABLES:
            raise fail(f"未知的表 {value!r}（可用：{'、'.join(ANNEX_TABLES)}）")
        return value

    @property
    def shown_columns(self) -> tuple[str, ...]:
        """The columns printed."""
        return self.columns or tuple(ANNEX_TABLES[self.name])


#: Longest annex template accepted (the rendered size is bounded by the fields' own sizes).
ANNEX_MAX_CHARS = 20_000


class Annex(Model):
    """A document the notice attaches (材料袋封面, 单位推荐意见表 …), printed per application."""

    code: Code = doc("文书代码，用于网址和命令行", 'code = "bag-cover"')
    title: Text = doc("文书名称", 'title = "申报材料袋封面"')
    template: Text = doc(
        "HTML 模板：可用 h1–h4、p、div、span、b、u、br、hr、table、tr、th、td、ol、ul、li 等排版"
        "标签和 {{ 字段 }}；表格占位符（如 {{ 材料清单 }}）须单独占一行",
        "template = '''<h1>申报材料袋封面</h1>\n<p>姓名：{{ 姓名 }}</p>\n{{ 材料清单 }}'''",
        max_length=ANNEX_MAX_CHARS,
    )
    tables: tuple[AnnexTable, ...] = doc(
        "表格的列和空白行；模板用到而这里没写的表用全部已知列",
        '[[tables]]\nname = "材料清单"\ncolumns = ["序号", "材料名称", "份数"]',
        default=(),
    )
    levels: tuple[Level, ...] = doc(
        "只对这些级别提供；不写表示所有级别", 'levels = ["intermediate"]', default=()
    )
    kinds: tuple[Kind, ...] = doc(
        "只对这些申报类型提供；不写表示所有类型", 'kinds = ["evaluation"]', default=()
    )

    @model_validator(mode="after")
    def _template(self) -> Annex:
        """Allowed HTML, known placeholders, tables alone on their line and configured once."""
        found: list[tuple[str, str]] = []
        for message in html_problems(self.template):
            found.append(("template", message))
        names = [*ANNEX_FIELDS, *ANNEX_TABLES]
        for problem in check_template(self.template, names):
            found.append(("template", problem.message))
        if not found:
            for number, line in enumerate(self.template.splitlines(), start=1):
                for table in ANNEX_TABLES:
                    if re.search(r"\{\{\s*" + table + r"\s*\}\}", line) and line.strip() != (
                        "{{ " + table + " }}"
                    ):
                        found.append(
                            ("template", f"第{number}行：表格 {{{{ {table} }}}} 须单独占一行")
                        )
        seen: set[str] = set()
        for i, table in enumerate(self.tables):
            if table.name in seen:
                found.append((f"tables[{i}].name", f"重复的表：{table.name}"))
            seen.add(table.name)
            if table.name not in self.used_tables:
                found.append((f"tables[{i}].name", f"模板中没有用到 {{{{ {table.name} }}}}"))
        if found:
            raise problems(found)
        return self

    @property
    def used_tables(self) -> list[str]:
        """The table placeholders the template uses."""
        return [
            name
            for name in ANNEX_TABLES
            if re.search(r"\{\{\s*" + name + r"\s*\}\}", self.template)
        ]

    def table(self, name: str) -> AnnexTable:
        """The layout of table ``name`` (its configuration, else every known column)."""
        for table in self.tables:
            if table.name == name:
                return table
        return AnnexTable(name=name)

    def applies(self, kind: str, level: str) -> bool:
        """True when the annex is offered for an application of this kind and level."""
        return (not self.kinds or kind in self.kinds) and (not self.levels or level in self.levels)


# --------------------------------------------------------------------------- the notice


class CampaignDefinition(Model):
    """One notice as data."""

    code: Code = doc("评审代码，须与文件名相同（不含 .toml）", 'code = "hz-culture-2025"')
    title: Text = doc("系统中显示的名称", 'title = "2025年度地区文化系列职称评审"')
    short_title: str = doc(
        "引用通知时的简称，检查结果写作“简称 条款”；不写时用文号，没有文号时用 title",
        'short_title = "和文旅发〔2025〕12号"',
        default="",
    )
    notice_title: Text = doc("通知标题", 'notice_title = "关于做好2025年度……的通知"')
    issuer: Text = doc("发文单位", 'issuer = "和田地区文化体育广播电视和旅游局"')
    document_number: str | None = doc(
        "文号；通知没有文号时不写", 'document_number = "和文旅发〔2025〕12号"', default=None
    )
    year: int = doc("评审年度", "year = 2025")
    issued_on: date = doc("发文日期（不加引号）", "issued_on = 2025-08-01")
    prefecture: Text = doc(
        f"通知所属地州（与主管部门的“地州”一致），只有该地州的主管部门能看到；"
        f'全自治区适用的写 "{REGION_WIDE}"（只有系统管理员能导入）',
        'prefecture = "和田地区"',
    )
    seniority_cutoff: date = doc(
        "计算任职年限、工作年限的截止日期", "seniority_cutoff = 2025-12-31"
    )
    levels: tuple[Level, ...] = doc(
        "本次评审的级别", 'levels = ["junior", "intermediate", "deputy_senior"]', min_length=1
    )
    kinds: tuple[Kind, ...] = doc(
        "本次评审的申报类型", 'kinds = ["evaluation", "first_determination"]', min_length=1
    )
    series: tuple[Series, ...] = doc(
        "评审系列和专业",
        '[[series]]\ncode = "culture"\nname = "文化系列"\nspecialties = ["艺术"]\n'
        'levels = ["junior", "intermediate"]',
        min_length=1,
    )
    windows: tuple[Window, ...] = doc(
        "时间安排",
        '[[windows]]\nkind = "online"\nstart = 2025-08-10\nend = 2025-09-10\nend_time = "18:00"',
        min_length=1,
    )
    fees: tuple[Fee, ...] = doc(
        "评审费；通知没有列明的类型和级别不写",
        '[[fees]]\nkind = "evaluation"\nlevel = "intermediate"\nyuan = 380',
        default=(),
    )
    rules: Rules = doc(
        "检查规则",
        '[rules]\npublicity_min_workdays = 5\nmax_submissions = 3\nblank_marker = "无"',
    )
    defense_exemption: DefenseExemption = doc(
        "免于答辩", '[defense_exemption]\nlevels = ["junior"]', default_factory=DefenseExemption
    )
    ce_exemption_grounds: tuple[Ground, ...] = doc(
        "可免除继续教育的情形",
        '[[ce_exemption_grounds]]\ncode = "village_team"\nlabel = "参加“访惠聚”驻村工作"',
        default=(),
    )
    materials: tuple[Material, ...] = doc(
        "纸质材料清单（申报材料目录）",
        '[[materials]]\nname = "申报人员身份证复印件"\ncopies = 1',
        min_length=1,
    )
    commitment: Commitment = doc(
        "个人承诺", '[commitment]\nmode = "document"\nban_years = 3\ntext = "本人承诺……"'
    )
    templates: Templates = doc(
        "文书模板",
        "[templates]\npublicity = '''推荐单位公示\n……'''\npublicity_result = '''……'''\n"
        "commitment = '''本人承诺……'''\nrecommendation = '''同意推荐'''",
    )
    contacts: tuple[Contact, ...] = doc(
        "联系方式", '[[contacts]]\nrole = "监督举报"\nphones = ["0903-2012345"]', min_length=1
    )
    clauses: Clauses = doc(
        "各项规则在通知中的条款；检查结果据此写明依据，没有写条款的只写通知简称",
        '[clauses]\neligibility = "一"\nassessment = "五（十）"',
        default_factory=Clauses,
    )
    notes: tuple[Note, ...] = doc(
        "本系统不检查的条件（通过率、任职年限……），显示在评审通知页和审核页",
        '[[notes]]\ntext = "评审通过率不超过60%"\nlevels = ["deputy_senior"]',
        default=(),
    )
    wording: Wording = doc("通知的用语", '[wording]\nregion_word = "地区"', default_factory=Wording)
    documents: Documents = doc(
        "通知附带的固定表格",
        '[documents.ce_exemption]\nnotes = ["……"]',
        default_factory=Documents,
    )
    annexes: tuple[Annex, ...] = doc(
        "通知的附件文书（材料袋封面、推荐意见表……），在文书打印中按申报人生成",
        '[[annexes]]\ncode = "bag-cover"\ntitle = "申报材料袋封面"\n'
        "template = '''<h1>申报材料袋封面</h1>\n{{ 材料清单 }}'''",
        default=(),
    )

    # -- checks that need the whole file ----------------------------------------------

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        """A plausible year."""
        if not 1900 <= value <= 2999:
            raise fail(f"年度不合理：{value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CampaignDefinition:
        """Levels, kinds and years used anywhere belong to this campaign."""
        found: list[tuple[str, str]] = []
        levels, kinds = set(self.levels), set(self.kinds)

        def level_in(path: str, values: tuple[str, ...] | list[str]) -> None:
            for i, level in enumerate(values):
                if level not in levels:
                    found.append(
                        (
                            path.format(i=i, v=level),
                            f"级别 {level!r} 不在本次评审的级别（levels）中"
                            f"（{'、'.join(self.levels)}）",
                        )
                    )

        def kind_in(path: str, values: tuple[str, ...]) -> None:
            for i, kind in enumerate(values):
                if kind not in kinds:
                    found.append(
                        (
                            path.format(i=i),
                            f"类别 {kind!r} 不在本次评审的类别（kinds）中"
                            f"（{'、'.join(self.kinds)}）",
                        )
                    )

        def unique(path: str, values: list, what: str) -> None:
            seen: set = set()
            for i, value in enumerate(values):
                if value in seen:
                    found.append((path.format(i=i), f"重复的{what}：{value}"))
                seen.add(value)

        unique("levels[{i}]", list(self.levels), "级别")
        unique("kinds[{i}]", list(self.kinds), "类别")
        unique("series[{i}].code", [s.code for s in self.series], "系列代码")
        unique("series[{i}].name", [s.name for s in self.series], "系列名称")
        for i, s in enumerate(self.series):
            level_in(f"series[{i}].levels[{{i}}]", s.levels)
        unique("windows[{i}].kind", [w.kind for w in self.windows if w.kind], "时间段类型")
        for i, fee in enumerate(self.fees):
            kind_in(f"fees[{i}].kind", (fee.kind,))
            level_in(f"fees[{i}].level", (fee.level,))
        unique("fees[{i}].level", [(f.kind, f.level) for f in self.fees], "类别与级别组合")
        rules = self.rules
        level_in("rules.papers.{v}", list(rules.papers))
        level_in(
            "rules.continuing_education.by_level.{v}", list(rules.continuing_education.by_level)
        )
        for level, spans in rules.continuing_education.by_level.items():
            path = f"rules.continuing_education.by_level.{level}"
            if spans.public_years is None and spans.professional_years is None:
                found.append((path, "请写 public_years 或 professional_years（或两者）"))
            for key in ("public_years", "professional_years"):
                span: YearSpan | None = getattr(spans, key)
                if span is not None and span.last is not None and span.last > self.year:
                    found.append((f"{path}.{key}", f"年份 {span.last} 晚于评审年度 {self.year}"))
        for i, y in enumerate(rules.assessment.years):
            if y > self.year:
                found.append(
                    (f"rules.assessment.years[{i}]", f"考核年度 {y} 晚于评审年度 {self.year}")
                )
        unique("rules.assessment.years[{i}]", list(rules.assessment.years), "年度")
        if rules.language is not None:
            codes = {s.code for s in self.series}
            specialties = {sp for s in self.series for sp in s.specialties}
            open_series = any(s.open_specialty for s in self.series)
            for i, case in enumerate(rules.language.cases):
                path = f"rules.language.cases[{i}]"
                level_in(f"{path}.levels[{{i}}]", case.levels)
                for j, code in enumerate(case.series):
                    if code not in codes:
                        found.append((f"{path}.series[{j}]", f"没有代码为 {code!r} 的系列"))
                for j, sp in enumerate(case.specialties):
                    if sp not in specialties and not open_series:
                        found.append((f"{path}.specialties[{j}]", f"各系列中没有专业 {sp!r}"))
        exemption = self.defense_exemption
        level_in("defense_exemption.levels[{i}]", exemption.levels)
        level_in("defense_exemption.required_levels[{i}]", exemption.required_levels)
        for i, level in enumerate(exemption.required_levels):
            if level in exemption.levels:
                found.append(
                    (
                        f"defense_exemption.required_levels[{i}]",
                        f"级别 {level!r} 同时写在 levels 中",
                    )
                )
        unique(
            "defense_exemption.grounds[{i}].code", [g.code for g in exemption.grounds], "情形代码"
        )
        unique(
            "ce_exemption_grounds[{i}].code",
            [g.code for g in self.ce_exemption_grounds],
            "情形代码",
        )
        for i, material in enumerate(self.materials):
            kind_in(f"materials[{i}].kinds[{{i}}]", material.kinds)
            level_in(f"materials[{i}].levels[{{i}}]", material.levels)
        for i, note in enumerate(self.notes):
            level_in(f"notes[{i}].levels[{{i}}]", note.levels)
        if self.commitment.text not in self.templates.commitment:
            found.append(
                ("templates.commitment", "承诺书模板中没有原样包含 commitment.text 的承诺语")
            )
        unique("annexes[{i}].code", [a.code for a in self.annexes], "文书代码")
        for i, annex in enumerate(self.annexes):
            if annex.code in BUILTIN_DOCUMENT_KINDS:
                found.append(
                    (f"annexes[{i}].code", f"{annex.code!r} 是系统自带文书的代码，请换一个")
                )
            kind_in(f"annexes[{i}].kinds[{{i}}]", annex.kinds)
            level_in(f"annexes[{i}].levels[{{i}}]", annex.levels)
        if found:
            raise problems(found)
        return self

    # -- questions the portal asks ----------------------------------------------------

    @property
    def citation(self) -> str:
        """How findings name the notice: its short title, else its number, else its title."""
        return self.short_title.strip() or (self.document_number or "").strip() or self.title

    @property
    def region_wide(self) -> bool:
        """True when the campaign belongs to the whole region, not one prefecture."""
        return self.prefecture == REGION_WIDE

    def cite(self, rule: str) -> str:
        """The citation of a rule the notice states: “简称 条款”, or the short title alone."""
        clause = getattr(self.clauses, rule, "").strip()
        return f"{self.citation} {clause}" if clause else self.citation

    def cite_if_stated(self, rule: str) -> str:
        """The citation of a general rule only when the notice gives its clause, else ""."""
        clause = getattr(self.clauses, rule, "").strip()
        return f"{self.citation} {clause}" if clause else ""

    def fee(self, kind: str, level: str) -> int | None:
        """The fee in yuan for ``kind`` and ``level``, or None if the notice sets none."""
        for fee in self.fees:
            if fee.kind == kind and fee.level == level:
                return fee.yuan
        return None

    def window(self, kind: str) -> Window | None:
        """The window of ``kind`` (online, paper, fee, defense), or None."""
        for window in self.windows:
            if window.kind == kind:
                return window
        return None

    def series_by_code(self, code: str) -> Series | None:
        """The series with ``code``, or None."""
        return next((s for s in self.series if s.code == code), None)

    @staticmethod
    def level_label(level: str) -> str:
        """The Chinese label of ``level`` (e.g. 中级)."""
        return LEVEL_LABELS[level]

    @staticmethod
    def kind_label(kind: str) -> str:
        """The Chinese label of ``kind`` (e.g. 初次确定)."""
        return KIND_LABELS[kind]

    def ce_years(self, level: str) -> CEYears | None:
        """The continuing-education years checked at ``level``, or None."""
        return self.rules.continuing_education.by_level.get(level)

    def ce_year_lists(self, level: str) -> tuple[list[int], list[int]]:
        """The (public, professional) years checked at ``level``, oldest first."""
        spans = self.ce_years(level)
        if spans is None:
            return [], []
        public = spans.public_years.years(self.year) if spans.public_years else []
        professional = spans.professional_years.years(self.year) if spans.professional_years else []
        return public, professional

    def ce_years_text(self, level: str) -> str:
        """The years checked at ``level`` in words: 公需科目 2019—2023年；专业科目 2023年."""
        public, professional = self.ce_year_lists(level)
        parts = [
            f"{name} {format_years_cn(years)}"
            for name, years in (("公需科目", public), ("专业科目", professional))
            if years
        ]
        return "；".join(parts)

    def paper_rule(self, level: str) -> PaperRule | None:
        """The paper rule at ``level``, or None when the notice states none."""
        return self.rules.papers.get(level)

    def materials_for(self, kind: str, level: str, first_time: bool = True) -> list[Material]:
        """The paper materials asked of an application of this kind and level."""
        return [m for m in self.materials if m.applies(kind, level, first_time)]

    def notes_for(self, level: str | None = None) -> list[Note]:
        """The notes that concern ``level`` (every note when None)."""
        return [n for n in self.notes if level is None or not n.levels or level in n.levels]

    def annex(self, code: str) -> Annex | None:
        """The annex document with ``code``, or None."""
        return next((a for a in self.annexes if a.code == code), None)

    @property
    def reported_label(self) -> str:
        """The status “reported” in the campaign's words: 已报送州, 已报送地区 …"""
        return f"已报送{self.wording.region_word}"

    def status_labels(self) -> dict[str, str]:
        """The workflow statuses in the campaign's words."""
        return {**STATUS_LABELS, "reported": self.reported_label}

    def render(self, template: str, values: Mapping[str, Any]) -> str:
        """Render one of ``templates`` in the sandbox; a missing value raises TemplateError."""
        text = getattr(self.templates, template, None)
        if template not in TEMPLATE_PLACEHOLDERS or text is None:
            raise KeyError(template)
        return render_template(text, values, sorted(TEMPLATE_PLACEHOLDERS[template]))
