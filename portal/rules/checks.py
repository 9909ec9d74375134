"""Checks of an application against its campaign's rules, and the values derived from them.

Everything here is pure: the rules read section data (the JSON stored per section), a few
facts about the application (``AppFacts``) and the campaign definition. Every number and
every clause cited comes from the definition: a finding names the notice by its short title
and the clause its file gives (``CampaignDefinition.cite``), and a rule the notice does not
state is not checked, or cites nothing when it is a general one (work history, education).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Literal

from portal.applications.rowcheck import RowProblem, education_order_problems, work_history_problems
from portal.applications.sections import BY_KEY, SECTIONS, missing
from portal.campaigns.schema import CampaignDefinition
from portal.textutil import format_date_cn, format_years_cn, iso_date
from portal.timeutil import LOCAL_OFFSET, utcnow
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    BEFORE_REPORT_STATUSES,
    EDUCATION_RANK,
    LEVEL_LABELS,
    mandarin_at_least,
    sanction_at_least,
)

if TYPE_CHECKING:
    from portal.applications.models import Application
    from portal.workdays.calendar import Period

Severity = Literal["blocking", "warning"]
BLOCKING: Severity = "blocking"
WARNING: Severity = "warning"

# Paper levels that count as “自治区级以上专业刊物” (000 五（九）, 003 四（九）).
REGIONAL_OR_ABOVE: frozenset[str] = frozenset({"国家级", "自治区级"})


@dataclass(frozen=True)
class Finding:
    """One problem: how serious, where (section key and field id), what to do, which clause.

    ``source`` is the citation, “简称 条款” of the campaign's own notice, or "" for a general
    check the notice does not state.
    """

    severity: Severity
    section: str
    field: str | None
    message: str
    source: str

    @property
    def blocking(self) -> bool:
        """True when the problem stops the application from going on."""
        return self.severity == BLOCKING


@dataclass(frozen=True)
class AppFacts:
    """What the checks need to know about an application besides its sections."""

    level: str
    kind: str
    status: str = "draft"
    submissions: int = 0
    resubmit_due: datetime | None = None  # naive UTC, as stored
    unit_nature: str = ""
    unit_below_county_level: bool = False
    unit_county: str = ""
    # Every office using the portal is a county office, so its units are at county level
    # or below (the papers rule of 000 五（九）, 001 五（一）4, 003 四（九）).
    county_level_or_below: bool = True
    publicity_start: date | None = None
    publicity_end: date | None = None
    objection_open: bool = False
    series_code: str = ""
    specialty: str = ""


@dataclass(frozen=True)
class Derived:
    """Values derived for the review page, documents and rosters."""

    defense_exempt: bool
    defense_ground: str | None
    fee_yuan: int | None
    publicity_end: date | None
    defense_source: str | None = None


# --------------------------------------------------------------------------- helpers


def _blank(value: Any) -> bool:
    """True for None, empty or whitespace-only text."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value: Any) -> int | None:
    """A whole number from an int or numeric text; anything else gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a repeating section, ignoring rows that are not objects."""
    return [r for r in (data.get("rows") or []) if isinstance(r, dict)]


def _field_id(row: int, field: str) -> str:
    """The id WTForms gives a field inside a FieldList row (rows-0-start)."""
    return f"rows-{row}-{field}"


def format_datetime_cn(dt: datetime) -> str:
    """A naive UTC timestamp as Beijing time: 2023年10月5日 14:00."""
    local = dt + LOCAL_OFFSET
    return f"{format_date_cn(local.date())} {local:%H:%M}"


# --------------------------------------------------------------------------- rules


def eligibility_findings(
    basic: Mapping[str, Any], defn: CampaignDefinition, today: date, nature: str = ""
) -> list[Finding]:
    """The bars the notice states: retired staff, civil servants, a running sanction."""
    bars = defn.rules.eligibility
    src = defn.cite("eligibility")
    out: list[Finding] = []
    if bars.retired and basic.get("retired"):
        out.append(
            Finding(
                BLOCKING,
                "basic",
                "retired",
                "已办理离退休手续或达到法定退休年龄的人员不得申报职称评审。",
                src,
            )
        )
    if bars.civil_servant and basic.get("civil_servant"):
        out.append(
            Finding(
                BLOCKING,
                "basic",
                "civil_servant",
                "公务员及参照公务员法管理的人员不得申报职称评审。",
                src,
            )
        )
    sanction = basic.get("sanction") or ""
    nature = basic.get("unit_nature") or nature
    applies = not bars.sanction_natures or nature in bars.sanction_natures
    if bars.sanction and applies and sanction_at_least(sanction, bars.sanction):
        end = iso_date(basic.get("sanction_end"))
        if end is None:
            out.append(
                Finding(
                    BLOCKING,
                    "basic",
                    "sanction_end",
                    f"受{sanction}处分，请填写处分期满日期；处分期间不得申报职称评审。",
                    src,
                )
            )
        elif end > today:
            out.append(
                Finding(
                    BLOCKING,
                    "basic",
                    "sanction_end",
                    f"受{sanction}处分，处分期至{format_date_cn(end)}，处分期间不得申报职称评审。",
                    src,
                )
            )
    return out


# (section, field, label) of texts that must be answered, 「无」 when there is nothing.
BLANK_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("qualification", "title", "现任专业技术职务任职资格"),
    ("qualification", "series", "所属系列"),
    ("qualification", "certificate_no", "证书编号"),
    ("achievements", "summary", "近五年业绩成果及本人贡献"),
    ("political", "conduct", "思想政治表现"),
    ("political", "appraisal", "现实表现政治鉴定"),
    ("summary", "text", "任现职以来个人工作总结"),
)
# Sections answered either by rows or by ticking 「无」.
BLANK_ROW_SECTIONS: tuple[tuple[str, str], ...] = (("awards", "获奖情况"), ("papers", "论文著作"))


def blank_findings(
    sections: Mapping[str, Mapping[str, Any]], defn: CampaignDefinition
) -> list[Finding]:
    """Fields left empty that must be answered, with 「无」 when there is nothing to state."""
    src = defn.cite("blank")
    marker = defn.rules.blank_marker
    out: list[Finding] = []
    texts = list(BLANK_TEXT_FIELDS)
    if "publicity" in sections:  # the unit's step: checked once the clerk has started it
        texts.append(("publicity", "objections", "公示期间收到的异议"))
    for key, field, label in texts:
        if _blank(sections.get(key, {}).get(field)):
            out.append(
                Finding(BLOCKING, key, field, f"“{label}”不能留空，没有内容请填写“{marker}”。", src)
            )
    for key, label in BLANK_ROW_SECTIONS:
        data = sections.get(key, {})
        if not _rows(data) and not data.get("none"):
            out.append(
                Finding(
                    BLOCKING,
                    key,
                    "none",
                    f"“{label}”不能留空：请逐条填写，没有请勾选“{marker}”。",
                    src,
                )
            )
    return out


def _subjects_text(public: list[int], professional: list[int]) -> str:
    """What a level must show: “2019—2023年的公需科目和2021—2023年的专业科目继续教育”."""
    if public and public == professional:
        return f"{format_years_cn(public)}的公需科目和专业科目继续教育"
    parts = []
    if public:
        parts.append(f"{format_years_cn(public)}的公需科目")
    if professional:
        parts.append(f"{format_years_cn(professional)}的专业科目")
    return "和".join(parts) + "继续教育"


def ce_findings(ce: Mapping[str, Any], level: str, defn: CampaignDefinition) -> list[Finding]:
    """Continuing-education hours of each year the campaign checks at the level, or an exemption."""
    out: list[Finding] = []
    if ce.get("exempt"):
        src = defn.cite("ce_exemption")
        grounds = {g.code: g.label for g in defn.ce_exemption_grounds}
        ground = ce.get("exemption_ground") or ""
        if ground not in grounds:
            names = "、".join(grounds.values()) or "（本通知未规定免除理由）"
            out.append(
                Finding(
                    BLOCKING,
                    "continuing_education",
                    "exemption_ground",
                    f"免除继续教育的理由不在本通知规定的范围内，可免除的情形：{names}。"
                    "不符合的请填写各年度继续教育学时。",
                    src,
                )
            )
        if _blank(ce.get("exemption_approval")):
            out.append(
                Finding(
                    BLOCKING,
                    "continuing_education",
                    "exemption_approval",
                    "免除继续教育须经审批：请填写《免除继续教育学习申请表》的审批情况"
                    "（审批单位和日期）。",
                    src,
                )
            )
        return out

    public_list, professional_list = defn.ce_year_lists(level)
    if not public_list and not professional_list:
        return out
    src = defn.cite("continuing_education")
    rule = defn.rules.continuing_education
    public_years, professional_years = set(public_list), set(professional_list)
    rows_by_year: dict[int, tuple[int, dict[str, Any]]] = {}
    for i, row in enumerate(_rows(ce)):
        year = _as_int(row.get("year"))
        if year is not None and year not in rows_by_year:
            rows_by_year[year] = (i, row)

    missing = sorted(y for y in public_years | professional_years if y not in rows_by_year)
    if missing:
        need = _subjects_text(sorted(public_years), sorted(professional_years))
        out.append(
            Finding(
                BLOCKING,
                "continuing_education",
                None,
                f"申报{LEVEL_LABELS.get(level, level)}须提供{need}，"
                f"缺少{format_years_cn(missing)}的记录，"
                "请补填（符合免除条件的请申请免除）。",
                src,
            )
        )

    minimums = (
        ("公需科目", "public_hours", public_years, rule.min_public_hours),
        ("专业科目", "professional_hours", professional_years, rule.min_professional_hours),
    )
    for year in sorted(public_years | professional_years):
        if year not in rows_by_year:
            continue
        i, row = rows_by_year[year]
        unfilled = [
            (name, key) for name, key, years, _ in minimums
            if year in years and _as_int(row.get(key)) is None
        ]  # fmt: skip
        for name, key in unfilled:
            out.append(
                Finding(
                    BLOCKING,
                    "continuing_education",
                    _field_id(i, key),
                    f"{year}年{name}学时未填写，没有请填0。",
                    src,
                )
            )
        if unfilled:
            continue
        hours = {key: _as_int(row.get(key)) or 0 for _, key, _, _ in minimums}
        for name, key, years, minimum in minimums:
            if minimum is not None and year in years and hours[key] < minimum:
                out.append(
                    Finding(
                        BLOCKING,
                        "continuing_education",
                        _field_id(i, key),
                        f"{year}年{name}{hours[key]}学时，不足{minimum}学时。",
                        src,
                    )
                )
        total = sum(hours.values())
        if (
            rule.min_total_hours is not None
            and year in public_years
            and year in professional_years
            and total < rule.min_total_hours
        ):
            out.append(
                Finding(
                    BLOCKING,
                    "continuing_education",
                    _field_id(i, "public_hours"),
                    f"{year}年继续教育共{total}学时，每年不少于{rule.min_total_hours}学时。",
                    src,
                )
            )
    return out


def first_eligible_year(results: Mapping[int, str], defn: CampaignDefinition) -> int:
    """The first year the applicant may apply: the campaign year plus each result's delay."""
    delays = defn.rules.assessment.delay_years
    return defn.year + sum(delays.get(result, 0) for result in results.values())


def assessment_findings(data: Mapping[str, Any], defn: CampaignDefinition) -> list[Finding]:
    """The required years' results are present; poor results delay eligibility if so stated."""
    rule = defn.rules.assessment
    required = list(rule.years)
    if not required and not rule.delay_years:
        return []  # the notice asks for no annual assessment
    src = defn.cite("assessment")
    out: list[Finding] = []
    results: dict[int, str] = {}
    for i, row in enumerate(_rows(data)):
        year = _as_int(row.get("year"))
        if year is None or (required and year not in required) or year in results:
            continue
        result = row.get("result") or ""
        if not result:
            if required:
                out.append(
                    Finding(
                        BLOCKING,
                        "assessments",
                        _field_id(i, "result"),
                        f"请填写{year}年度考核结果。",
                        src,
                    )
                )
            results[year] = ""
            continue
        if result == "not_assessed" and required:
            out.append(
                Finding(
                    WARNING,
                    "assessments",
                    _field_id(i, "result"),
                    f"{year}年度未考核：请核实原因并附单位说明（民营企业等不考核的"
                    "以通知规定为准）。",
                    src,
                )
            )
        results[year] = result
    missing = [y for y in required if y not in results]
    if missing:
        out.append(
            Finding(
                BLOCKING,
                "assessments",
                None,
                f"须提供{format_years_cn(required)}的年度考核结果，缺少{format_years_cn(missing)}。",
                src,
            )
        )

    delays = rule.delay_years
    counted = {y: r for y, r in results.items() if delays.get(r, 0)}
    if counted:
        first = first_eligible_year(counted, defn)
        if first > defn.year:
            detail = "；".join(
                f"{y}年{ASSESSMENT_RESULT_LABELS.get(r, r)}顺延{delays[r]}年"
                for y, r in sorted(counted.items())
            )
            out.append(
                Finding(
                    BLOCKING,
                    "assessments",
                    None,
                    f"年度考核{detail}，最早可于{first}年申报，本年度（{defn.year}年）不能申报。",
                    src,
                )
            )
    return out


def papers_findings(
    data: Mapping[str, Any], facts: AppFacts, defn: CampaignDefinition
) -> list[Finding]:
    """Representative works (or regional papers) for staff at county level and below."""
    rule = defn.paper_rule(facts.level)
    if rule is None or not rule.required:
        return []
    if rule.applies_to == "county_and_below" and not (
        facts.county_level_or_below or facts.unit_below_county_level
    ):
        return []
    rows = _rows(data)
    if not rows and not data.get("none"):
        return []  # left blank: blank_findings already asks for rows or 「无」
    regional = sum(1 for r in rows if r.get("level") in REGIONAL_OR_ABOVE)
    if rule.min_works and len(rows) >= rule.min_works:
        return []
    if rule.alt_regional_papers and regional >= rule.alt_regional_papers:
        return []
    regional_need = f"在自治区级以上专业刊物发表本专业论文{rule.alt_regional_papers}篇"
    if not rule.min_works:
        need = regional_need
    else:
        need = f"代表著作或业务总结{rule.min_works}篇及以上"
        if rule.alt_regional_papers:
            need += f"，或{regional_need}"
    who = "在县及县以下单位工作的" if rule.applies_to == "county_and_below" else ""
    return [
        Finding(
            BLOCKING,
            "papers",
            None,
            f"{who}申报{LEVEL_LABELS.get(facts.level, facts.level)}人员须提供{need}；"
            f"目前填写{len(rows)}篇，请补充。",
            defn.cite("papers"),
        )
    ]


def _row_findings(section: str, problems: list[RowProblem], src: str) -> list[Finding]:
    """Row problems (rowcheck) as blocking findings linked to the row's field, the row named."""
    name = BY_KEY[section].row_title
    return [
        Finding(BLOCKING, section, _field_id(p.row, p.field), f"{name(p.row)}：{p.message}", src)
        for p in problems
    ]


def history_findings(
    sections: Mapping[str, Mapping[str, Any]], defn: CampaignDefinition, today: date
) -> list[Finding]:
    """Work periods that do not connect and education rows out of order."""
    out = _row_findings(
        "work",
        work_history_problems(_rows(sections.get("work", {})), today),
        defn.cite_if_stated("work"),
    )
    out += _row_findings(
        "education",
        education_order_problems(_rows(sections.get("education", {})), EDUCATION_RANK),
        defn.cite_if_stated("education"),
    )
    return out


def _local(now: datetime) -> datetime:
    """A naive UTC timestamp as naive Beijing time."""
    return now + LOCAL_OFFSET


def window_findings(
    facts: AppFacts, defn: CampaignDefinition, today: date, now: datetime | None = None
) -> list[Finding]:
    """A warning when today is outside the campaign's online application window.

    ``now`` (naive UTC) only matters on the first and the last day, when the notice gives
    an opening or closing time.
    """
    window = defn.window("online")
    if window is None or window.undated or facts.status not in BEFORE_REPORT_STATUSES:
        return []
    local = _local(now) if now is not None else None
    moment = local if local is not None and local.date() == today else None
    moment = moment or datetime.combine(today, time(12, 0))
    src = defn.cite("window")
    span = window.span_text()
    if window.not_started_at(moment):
        return [Finding(WARNING, "basic", None, f"网上申报尚未开始（网上申报时间：{span}）。", src)]
    if window.closed_at(moment):
        message = f"网上申报已于{window.close_text()}截止（{span}），逾期不予受理。"
        return [Finding(WARNING, "basic", None, message, src)]
    return []


def submission_findings(facts: AppFacts, defn: CampaignDefinition, now: datetime) -> list[Finding]:
    """The submissions limit, and after a return the time left to resubmit."""
    out: list[Finding] = []
    limit = defn.rules.max_submissions
    src = defn.cite("submissions")
    if facts.status != "returned":
        if facts.submissions > limit:
            out.append(
                Finding(
                    BLOCKING,
                    "basic",
                    None,
                    f"已提交{facts.submissions}次，超过最多{limit}次的规定。",
                    src,
                )
            )
        return out
    if facts.submissions >= limit:
        out.append(
            Finding(
                BLOCKING,
                "basic",
                None,
                f"已提交{facts.submissions}次，最多{limit}次，不能再次提交。",
                src,
            )
        )
    else:
        out.append(
            Finding(
                WARNING,
                "basic",
                None,
                f"已提交{facts.submissions}次，最多{limit}次，"
                f"还可提交{limit - facts.submissions}次。",
                src,
            )
        )
    if facts.resubmit_due is not None:
        rsrc = defn.cite("resubmit")
        due = format_datetime_cn(facts.resubmit_due)
        if now > facts.resubmit_due:
            out.append(
                Finding(
                    BLOCKING,
                    "basic",
                    None,
                    f"已超过重新提交期限（{due}），逾期未补充提交的视为放弃申报。",
                    rsrc,
                )
            )
        else:
            left = facts.resubmit_due - now
            hours = int(left.total_seconds() // 3600)
            minutes = int(left.total_seconds() % 3600 // 60)
            out.append(
                Finding(
                    WARNING,
                    "basic",
                    None,
                    f"已退回，请在{due}前修改后重新提交（还剩{hours}小时{minutes}分）。",
                    rsrc,
                )
            )
    return out


def language_findings(
    basic: Mapping[str, Any], facts: AppFacts, defn: CampaignDefinition
) -> list[Finding]:
    """The language grade the notice asks of this applicant (by specialty, unit, teaching …)."""
    rule = defn.rules.language
    if rule is None:
        return []
    src = defn.cite("language")
    teaching = basic.get("teaching_language") or ""
    if rule.teaching_languages and not teaching:
        choices = "、".join(rule.teaching_languages)
        return [
            Finding(
                BLOCKING,
                "basic",
                "teaching_language",
                f"本通知按授课语言规定{rule.name}等级要求，请选择授课语言（{choices}）。",
                src,
            )
        ]
    minimum = rule.minimum_for(
        basic.get("series_code") or facts.series_code,
        basic.get("specialty") or facts.specialty,
        basic.get("level") or facts.level,
        basic.get("unit_nature") or facts.unit_nature,
        teaching,
    )
    if minimum is None:
        return []
    held = basic.get("mandarin_level") or ""
    need = f"本通知要求{rule.name}达到{minimum}及以上"
    if not held:
        message = f"请填写{rule.name}等级：{need}。"
    elif held not in ("未测试",) and mandarin_at_least(held, minimum):
        return []
    elif held == "未测试":
        message = f"未取得{rule.name}等级证书：{need}。"
    else:
        message = f"{rule.name}等级为{held}，{need}。"
    return [Finding(BLOCKING, "basic", "mandarin_level", message, src)]


def check_application(
    sections: Mapping[str, Mapping[str, Any]],
    app_facts: AppFacts,
    defn: CampaignDefinition,
    today: date,
    now: datetime | None = None,
) -> list[Finding]:
    """Every rule of the campaign applied to the application; blocking findings first."""
    # ``now`` (naive UTC) only serves the resubmission deadline; without it the start of
    # ``today`` in Beijing time is used, so that the function stays free of the clock.
    if now is None:
        now = datetime.combine(today, datetime.min.time()) - LOCAL_OFFSET
    basic = sections.get("basic", {})
    level = basic.get("level") or app_facts.level
    facts = app_facts if level == app_facts.level else replace(app_facts, level=level)
    findings: list[Finding] = []
    findings += eligibility_findings(basic, defn, today, facts.unit_nature)
    findings += blank_findings(sections, defn)
    findings += ce_findings(sections.get("continuing_education", {}), facts.level, defn)
    findings += assessment_findings(sections.get("assessments", {}), defn)
    findings += papers_findings(sections.get("papers", {}), facts, defn)
    findings += history_findings(sections, defn, today)
    findings += language_findings(basic, facts, defn)
    findings += window_findings(facts, defn, today, now)
    findings += submission_findings(facts, defn, now)
    return sorted(findings, key=lambda f: f.severity != BLOCKING)


# --------------------------------------------------------------------------- derived values


def defense_exemption_ground(
    sections: Mapping[str, Mapping[str, Any]], facts: AppFacts, defn: CampaignDefinition
) -> str | None:
    """Why the applicant is exempt from the defense under this notice, or None."""
    rule = defn.defense_exemption
    basic = sections.get("basic", {})
    level = basic.get("level") or facts.level
    if level in rule.required_levels:
        return None
    ground_code = basic.get("service_ground") or ""
    for ground in rule.grounds:
        if ground.code == ground_code:
            return ground.label
    county = basic.get("county") or facts.unit_county
    if county and county in rule.exempt_counties:
        return f"在{county}工作"
    below = basic.get("below_county_level")
    if below is None:
        below = facts.unit_below_county_level
    if rule.below_county_level and below:
        return "在县级以下基层单位工作"
    if level in rule.levels:
        return f"申报{LEVEL_LABELS.get(level, level)}专业技术职务任职资格"
    nature = basic.get("unit_nature") or facts.unit_nature
    if nature and nature in rule.non_public_natures:
        return f"{nature}专业技术人员"
    return None


def derived_values(
    sections: Mapping[str, Mapping[str, Any]],
    app_facts: AppFacts,
    defn: CampaignDefinition,
    publicity_period: Period | None = None,
) -> Derived:
    """Defense exemption and its ground, the fee and the publicity end date."""
    basic = sections.get("basic", {})
    ground = defense_exemption_ground(sections, app_facts, defn)
    kind = basic.get("kind") or app_facts.kind
    level = basic.get("level") or app_facts.level
    end = publicity_period.end if publicity_period is not None else app_facts.publicity_end
    return Derived(
        defense_exempt=ground is not None,
        defense_ground=ground,
        fee_yuan=defn.fee(kind, level),
        publicity_end=end,
        defense_source=defn.cite("defense_exemption") if ground else None,
    )


# --------------------------------------------------------------------------- ORM adapters


def facts_of(app: Application) -> AppFacts:
    """The facts of a stored application."""
    unit = app.unit
    return AppFacts(
        level=app.level,
        kind=app.kind,
        status=app.status,
        submissions=app.submissions or 0,
        resubmit_due=app.resubmit_due,
        unit_nature=unit.nature if unit else "",
        unit_below_county_level=bool(unit and unit.below_county_level),
        unit_county=unit.county if unit else "",
        publicity_start=app.publicity_start,
        publicity_end=app.publicity_end,
        objection_open=bool(app.objection_open),
        series_code=app.series_code or "",
        specialty=app.specialty or "",
    )


def sections_of(app: Application) -> dict[str, dict[str, Any]]:
    """The stored data of every section, keyed by section key."""
    return {s.key: dict(s.data or {}) for s in app.sections}


def findings_for(app: Application, today: date, now: datetime | None = None) -> list[Finding]:
    """The findings of a stored application, with what its unfinished sections lack."""
    found = check_application(
        sections_of(app),
        facts_of(app),
        app.campaign.definition,
        today,
        now=now if now is not None else utcnow(),
    )
    found += completeness_findings(app, found)
    return sorted(found, key=lambda f: f.severity != BLOCKING)


def completeness_findings(app: Application, found: list[Finding]) -> list[Finding]:
    """What each unfinished section lacks (``sections.missing``), said once.

    A gap a rule already reports at the same field is left out, and so is 尚未填写 for a
    section the rules already speak of. A section left incomplete blocks sending the
    application on (blank fields are not allowed: 000 八（三）, 002 四（二）); the paper
    materials only block reporting (workflow), so they are reminders until then.
    """
    defn = app.campaign.definition
    said = {(f.section, f.field or "") for f in found}
    spoken_of = {f.section for f in found}
    out: list[Finding] = []
    for section in SECTIONS:
        stored = app.section(section.key)
        if stored is not None and stored.complete:
            continue
        severity, rule = (
            (WARNING, "materials") if section.key == "materials" else (BLOCKING, "blank")
        )
        for gap in missing(app, section.key):
            if (section.key, gap.field) in said or (stored is None and section.key in spoken_of):
                continue
            out.append(
                Finding(severity, section.key, gap.field or None, gap.message, defn.cite(rule))
            )
    return out


def derived_for(app: Application, publicity_period: Period | None = None) -> Derived:
    """The derived values of a stored application."""
    return derived_values(
        sections_of(app), facts_of(app), app.campaign.definition, publicity_period
    )


def group_by_section(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by section key, in first-seen order (for the review page)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.section, []).append(finding)
    return grouped
