"""Tests for the checks of an application against its campaign (portal/rules/checks.py).

Each rule is run against two shipped campaigns where their values differ; the comment on each
test cites the notice clause in shared/seeds/ that states the rule:
000 = bz-culture-2021, 001 = bz-news-2021, 002 = bz-partyschool-2023, 003 = bz-water-2021.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from portal.campaigns.definition import load_definition, shipped_definition_paths
from portal.campaigns.schema import CampaignDefinition
from portal.rules.checks import (
    AppFacts,
    Finding,
    check_application,
    derived_for,
    derived_values,
    findings_for,
    first_eligible_year,
    group_by_section,
)
from portal.workdays.calendar import WorkdayCalendar

DEFS: dict[str, CampaignDefinition] = {
    d.code: d for d in (load_definition(p) for p in shipped_definition_paths())
}
CULTURE = DEFS["bz-culture-2021"]  # 000
NEWS = DEFS["bz-news-2021"]  # 001
PARTY = DEFS["bz-partyschool-2023"]  # 002
WATER = DEFS["bz-water-2021"]  # 003
ALL = [CULTURE, NEWS, PARTY, WATER]


# --------------------------------------------------------------------------- helpers


def in_window(defn: CampaignDefinition) -> date:
    """A day inside the campaign's online window."""
    window = defn.window("online")
    assert window is not None
    return window.start


def facts(level: str = "intermediate", **kw: Any) -> AppFacts:
    """Facts of an ordinary applicant in a county-level public institution in 和静县."""
    values: dict[str, Any] = dict(
        level=level, kind="evaluation", unit_nature="事业单位", unit_county="和静县"
    )
    values.update(kw)
    return AppFacts(**values)


def ce_rows(years: list[int], public: int = 30, professional: int = 60) -> list[dict]:
    """Continuing-education rows with the same hours every year."""
    return [
        {"year": y, "public_hours": public, "professional_hours": professional, "certificate": ""}
        for y in years
    ]


SCHOOL = {"school": "新疆大学", "major": "水利工程", "degree": "无", "full_time": "全日制"}


def good_sections(defn: CampaignDefinition, level: str = "intermediate") -> dict[str, dict]:
    """A complete application with nothing to report under ``defn``."""
    public, professional = defn.ce_year_lists(level)
    ce_years = sorted(set(public) | set(professional))
    assert ce_years
    return {
        "basic": {
            "level": level,
            "kind": "evaluation",
            "ethnicity": "蒙古族",
            "phone": "13899001122",
            "work_start": "2008-08",
            "county": "和静县",
            "below_county_level": False,
            "unit_nature": "事业单位",
            "retired": False,
            "civil_servant": False,
            "sanction": "",
            "sanction_end": None,
        },
        "education": {
            "rows": [
                {"start": "2005-09-01", "end": "2008-07-01", "level": "大学专科"} | SCHOOL,
                {"start": "2010-09-01", "end": "2012-07-01", "level": "大学本科"} | SCHOOL,
            ]
        },
        "work": {
            "rows": [
                {"start": "2008-08-01", "end": "2015-06-30", "unit": "甲", "work": "技术"},
                {"start": "2015-07-01", "end": None, "unit": "乙", "work": "技术"},
            ]
        },
        "qualification": {
            "title": "助理工程师",
            "series": "工程系列",
            "level": "junior",
            "obtained_on": "2016-09-01",
            "obtained_in": "新疆",
            "certificate_no": "无",
        },
        "achievements": {"rows": [], "summary": "无"},
        "awards": {"none": True, "rows": []},
        "papers": {
            "none": False,
            "rows": [
                {
                    "title": "一",
                    "journal": "县志",
                    "published_on": "2019-01-01",
                    "level": "县级",
                    "role": "独著",
                },
                {
                    "title": "二",
                    "journal": "工作总结",
                    "published_on": "2020-01-01",
                    "level": "代表著作/业务总结",
                    "role": "独著",
                },
            ],
        },
        "assessments": {
            "rows": [{"year": y, "result": "competent"} for y in defn.rules.assessment.years]
        },
        "continuing_education": {
            "exempt": False,
            "rows": ce_rows(ce_years),
        },
        "political": {"conduct": "拥护党的领导。", "appraisal": "表现良好。"},
        "summary": {"text": "任现职以来……"},
    }


def stored_sections(defn: CampaignDefinition, level: str = "intermediate") -> dict[str, dict]:
    """``good_sections`` with the unit's publicity and every paper material received.

    What an application needs to be sent on once stored: every section complete.
    """
    return {
        **good_sections(defn, level),
        "publicity": {"start": "2023-09-18", "objections": "无", "recommendation": "同意推荐"},
        "materials": {
            "rows": [{"name": m.name, "received": True, "checked": True} for m in defn.materials]
        },
    }


def check(
    defn: CampaignDefinition,
    sections: dict,
    level: str = "intermediate",
    today: date | None = None,
    now: datetime | None = None,
    **kw: Any,
) -> list[Finding]:
    """Run every check with the applicant's facts."""
    return check_application(sections, facts(level, **kw), defn, today or in_window(defn), now=now)


def in_section(findings: list[Finding], section: str) -> list[Finding]:
    """The findings of one section."""
    return [f for f in findings if f.section == section]


# --------------------------------------------------------------------------- baseline


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.code)
@pytest.mark.parametrize("level", ["junior", "intermediate"])
def test_a_complete_application_has_no_findings(defn: CampaignDefinition, level: str) -> None:
    # Every rule of 000–003 satisfied: nothing to report.
    assert check(defn, good_sections(defn, level), level) == []


# --------------------------------------------------------------------------- eligibility


@pytest.mark.parametrize(
    ("defn", "clause"), [(PARTY, f"{PARTY.citation} 一"), (WATER, f"{WATER.citation} 一（二）")]
)
def test_retired_staff_may_not_apply(defn: CampaignDefinition, clause: str) -> None:
    # 002 一: 离退休人员…不得参加; 003 一（二）: 离退休人员不得申报参加职称评审.
    sections = good_sections(defn)
    sections["basic"]["retired"] = True
    found = check(defn, sections)
    assert [(f.severity, f.field, f.source) for f in found] == [("blocking", "retired", clause)]
    assert "离退休" in found[0].message


@pytest.mark.parametrize(
    ("defn", "clause"), [(PARTY, f"{PARTY.citation} 一"), (NEWS, f"{NEWS.citation} 二")]
)
def test_civil_servants_may_not_apply(defn: CampaignDefinition, clause: str) -> None:
    # 002 一: 公务员及参照公务员法管理的事业单位人员不得参加; 001 二: 公务员（含参照…）.
    sections = good_sections(defn)
    sections["basic"]["civil_servant"] = True
    found = check(defn, sections)
    assert [(f.field, f.source) for f in found] == [("civil_servant", clause)]
    assert "公务员" in found[0].message


@pytest.mark.parametrize("defn", [CULTURE, WATER], ids=lambda d: d.code)
def test_a_running_sanction_of_jiguo_or_above_bars_the_application(
    defn: CampaignDefinition,
) -> None:
    # 000 一 and 003 一（二）: 受到记过以上处分的，在受处分期间不得申报职称评审.
    today = in_window(defn)
    sections = good_sections(defn)
    tomorrow = (today + timedelta(days=1)).isoformat()
    sections["basic"].update(sanction="记大过", sanction_end=tomorrow)
    found = check(defn, sections, today=today)
    assert [(f.severity, f.field) for f in found] == [("blocking", "sanction_end")]
    assert "记大过" in found[0].message and "处分期间" in found[0].message
    assert found[0].source == defn.cite("eligibility")


@pytest.mark.parametrize("defn", [CULTURE, WATER], ids=lambda d: d.code)
def test_an_ended_sanction_or_a_warning_does_not_bar(defn: CampaignDefinition) -> None:
    # 000 一 and 003 一（二）: only 记过 or above, and only during the sanction.
    today = in_window(defn)
    sections = good_sections(defn)
    sections["basic"].update(sanction="记过", sanction_end=today.isoformat())
    assert check(defn, sections, today=today) == []
    sections["basic"].update(sanction="警告", sanction_end="2099-01-01")
    assert check(defn, sections, today=today) == []


def test_a_barring_sanction_without_end_date_is_blocking() -> None:
    # 002 一 / 001 二: 受记过以上处分（在处分期间）的不得申报 — the end date must be known.
    sections = good_sections(NEWS)
    sections["basic"].update(sanction="撤职", sanction_end=None)
    found = check(NEWS, sections)
    assert [(f.field, f.source) for f in found] == [("sanction_end", f"{NEWS.citation} 二")]


# --------------------------------------------------------------------------- blank fields


@pytest.mark.parametrize(
    ("defn", "clause"),
    [(CULTURE, f"{CULTURE.citation} 八（三）"), (PARTY, f"{PARTY.citation} 四（二）、八（一）")],
)
def test_texts_left_blank_must_be_answered_with_wu(defn: CampaignDefinition, clause: str) -> None:
    # 000 八（三）: 须填写“无”，不能留空格; 002 四（二）: 应注明“无”，不得留有空格.
    sections = good_sections(defn)
    sections["political"]["conduct"] = "  "
    sections["summary"] = {}
    sections["achievements"]["summary"] = ""
    sections["qualification"]["certificate_no"] = ""
    sections["publicity"] = {"start": "2021-09-01", "objections": ""}
    found = check(defn, sections)
    assert {(f.section, f.field) for f in found} == {
        ("political", "conduct"),
        ("summary", "text"),
        ("achievements", "summary"),
        ("qualification", "certificate_no"),
        ("publicity", "objections"),
    }
    assert all(f.blocking and f.source == clause for f in found)
    assert all(f"“{defn.rules.blank_marker}”" in f.message for f in found)


@pytest.mark.parametrize("defn", [NEWS, WATER], ids=lambda d: d.code)
def test_awards_and_papers_need_rows_or_the_wu_box(defn: CampaignDefinition) -> None:
    # 001 八（二） and 003 七（二）: 对没有内容可填的项目和栏目，须填写“无”.
    sections = good_sections(defn, "junior")
    sections["awards"] = {"none": False, "rows": []}
    found = check(defn, sections, "junior")
    assert [(f.section, f.field) for f in found] == [("awards", "none")]
    sections["awards"] = {"none": False, "rows": [{"name": "州级二等奖"}]}
    assert check(defn, sections, "junior") == []


# --------------------------------------------------------------------------- continuing education


def test_002_intermediate_needs_five_years_public_and_three_professional() -> None:
    # 002 五（一）10: 中级提供近五年的公需科目及近三年专业科目（2019-2023年的公需课，
    # 2021-2023年的专业课）.
    sections = good_sections(PARTY)
    sections["continuing_education"]["rows"] = ce_rows([2021, 2022, 2023])
    found = check(PARTY, sections)
    assert len(found) == 1 and found[0].section == "continuing_education"
    assert "缺少2019、2020年" in found[0].message
    assert found[0].source == f"{PARTY.citation} 五（一）10"
    # The two older years need only the public hours.
    sections["continuing_education"]["rows"] = ce_rows([2019, 2020], professional=0) + ce_rows(
        [2021, 2022, 2023]
    )
    assert check(PARTY, sections) == []


def test_003_intermediate_needs_two_years_public_and_this_years_professional() -> None:
    # 003 六（二）: 申报中级职称评审人员，需参加近两年公共科目和当年专业科目学习.
    sections = good_sections(WATER)
    sections["continuing_education"]["rows"] = ce_rows([2020], professional=0) + ce_rows([2021])
    assert check(WATER, sections) == []
    sections["continuing_education"]["rows"] = ce_rows([2021])
    found = check(WATER, sections)
    assert [f.source for f in found] == [f"{WATER.citation} 六（二）"]
    assert "缺少2020年" in found[0].message


def test_junior_years_differ_between_002_and_003() -> None:
    # 002 五（一）10: 初级提供近两年的继续教育合格证书;
    # 003 六（二）: 申报初级…需参加当年的继续教育公共科目和当年专业科目学习.
    party = good_sections(PARTY, "junior")
    party["continuing_education"]["rows"] = ce_rows([2023])
    found = check(PARTY, party, "junior")
    assert len(found) == 1 and "缺少2022年" in found[0].message
    party["continuing_education"]["rows"] = ce_rows([2022, 2023])
    assert check(PARTY, party, "junior") == []
    water = good_sections(WATER, "junior")
    water["continuing_education"]["rows"] = ce_rows([2021])
    assert check(WATER, water, "junior") == []


@pytest.mark.parametrize("defn", [PARTY, WATER], ids=lambda d: d.code)
def test_hours_below_the_yearly_minimum_are_blocking(defn: CampaignDefinition) -> None:
    # 002 五（一）10: 公需科目30课时/年、专业科目60课时/年; 003 六（二） with 000 七（二）'s hours.
    rule = defn.rules.continuing_education
    sections = good_sections(defn)
    rows = sections["continuing_education"]["rows"]
    rows[-1]["public_hours"] = rule.min_public_hours - 1
    rows[-1]["professional_hours"] = rule.min_professional_hours - 10
    found = check(defn, sections)
    last = len(rows) - 1
    assert {f.field for f in found} == {
        f"rows-{last}-public_hours",
        f"rows-{last}-professional_hours",
    }
    assert any(f"不足{rule.min_public_hours}学时" in f.message for f in found)
    assert any(f"不足{rule.min_professional_hours}学时" in f.message for f in found)


@pytest.mark.parametrize("defn", [NEWS, WATER], ids=lambda d: d.code)
def test_unfilled_hours_are_asked_for(defn: CampaignDefinition) -> None:
    # 001 七（二） and 003 六（二）: each checked year needs its hours (0 when none).
    sections = good_sections(defn)
    rows = sections["continuing_education"]["rows"]
    rows[-1]["professional_hours"] = None
    found = check(defn, sections)
    assert [(f.field, f.source) for f in found] == [
        (f"rows-{len(rows) - 1}-professional_hours", defn.cite("continuing_education"))
    ]
    assert "未填写" in found[0].message


def test_001_lists_seven_years_as_a_range() -> None:
    # 001 五（一）5: 2015-2021年度公需科目继续教育合格证及专业科目继续教育证书.
    sections = good_sections(NEWS)
    sections["continuing_education"]["rows"] = []
    [finding] = check(NEWS, sections)
    assert "须提供2015—2021年的公需科目和专业科目继续教育" in finding.message


def test_the_yearly_total_comes_from_the_definition() -> None:
    # 000 七（二）: 每年须完成不少于90学时; a notice asking 100 in all is data, not code.
    rule = CULTURE.rules.continuing_education.model_copy(update={"min_total_hours": 100})
    rules = CULTURE.rules.model_copy(update={"continuing_education": rule})
    stricter = CULTURE.model_copy(update={"rules": rules})
    sections = good_sections(CULTURE)
    assert check(CULTURE, sections) == []
    found = check(stricter, sections)
    assert len(found) == 1 and "每年不少于100学时" in found[0].message


def test_an_exemption_ground_must_be_one_the_notice_lists() -> None:
    # 002 附件4 (驻村管寺 is a ground) vs 003 六（一）
    # (it is not: 访惠聚、南疆学前教育支教、内地服务管理、第一书记).
    for defn in (PARTY, WATER):
        sections = good_sections(defn)
        sections["continuing_education"] = {
            "exempt": True,
            "exemption_ground": "temple",
            "exemption_approval": "县人社局 审核同意",
            "rows": [],
        }
        found = check(defn, sections)
        if defn is PARTY:
            assert found == []
        else:
            assert [(f.field, f.source) for f in found] == [
                ("exemption_ground", f"{WATER.citation} 六（一）")
            ]
            assert "南疆学前教育支教" in found[0].message


@pytest.mark.parametrize("defn", [CULTURE, PARTY], ids=lambda d: d.code)
def test_an_exemption_needs_its_approval(defn: CampaignDefinition) -> None:
    # 000 七（一）: 经…人力资源和社会保障局审核后，可免除当年继续教育; 002 五（一）10: 免试审批表.
    sections = good_sections(defn)
    sections["continuing_education"] = {
        "exempt": True,
        "exemption_ground": "village_team",
        "exemption_approval": "",
        "rows": [],
    }
    found = check(defn, sections)
    assert [(f.field, f.source) for f in found] == [
        ("exemption_approval", defn.cite("ce_exemption"))
    ]


# --------------------------------------------------------------------------- annual assessment


def test_002_basically_competent_delays_by_one_year_and_incompetent_by_two() -> None:
    # 002 五（一）8: 每出现1次基本合格，顺延1年申报；每出现1次不合格，顺延2年申报.
    sections = good_sections(PARTY)
    sections["assessments"]["rows"][2]["result"] = "basically_competent"
    found = check(PARTY, sections)
    assert len(found) == 1 and found[0].source == f"{PARTY.citation} 五（一）8"
    assert "最早可于2024年申报" in found[0].message
    sections["assessments"]["rows"][0]["result"] = "incompetent"
    found = check(PARTY, sections)
    assert "最早可于2026年申报" in found[0].message
    assert first_eligible_year({2020: "incompetent", 2022: "basically_competent"}, PARTY) == 2026


def test_000_states_no_delay_for_poor_results() -> None:
    # 000 五（十）: 2018至2020年各年度考核表 — no 顺延 rule (only 002 五（一）8 has one).
    sections = good_sections(CULTURE)
    sections["assessments"]["rows"][2]["result"] = "incompetent"
    assert check(CULTURE, sections) == []
    assert first_eligible_year({2020: "incompetent"}, CULTURE) == CULTURE.year


@pytest.mark.parametrize(("defn", "missing"), [(PARTY, "2021"), (WATER, "2019")])
def test_required_assessment_years_must_be_present(defn: CampaignDefinition, missing: str) -> None:
    # 002 五（一）8: 近三年年度考核表 (2020–2022); 003 四（十）: 2018、2019、2020年各年度考核表.
    sections = good_sections(defn)
    rows = sections["assessments"]["rows"]
    sections["assessments"]["rows"] = [r for r in rows if str(r["year"]) != missing]
    rows = sections["assessments"]["rows"]
    rows[0]["result"] = ""
    found = check(defn, sections)
    assert {f.field for f in found} == {None, "rows-0-result"}
    assert any(f"缺少{missing}年" in f.message for f in found)
    assert all(f.source == defn.cite("assessment") for f in found)


def test_not_assessed_is_a_warning() -> None:
    # 000 五（十）: 民营企业不需提供 — a year without assessment is for the clerk to explain.
    sections = good_sections(CULTURE)
    sections["assessments"]["rows"][0]["result"] = "not_assessed"
    found = check(CULTURE, sections)
    assert [(f.severity, f.field) for f in found] == [("warning", "rows-0-result")]


# --------------------------------------------------------------------------- papers


def test_000_one_county_paper_is_not_enough_but_one_regional_paper_is() -> None:
    # 000 五（九）: 代表著作或业务总结2篇及2篇以上或在自治区级以上专业刊物发表本专业论文1篇.
    sections = good_sections(CULTURE, "junior")
    sections["papers"]["rows"] = sections["papers"]["rows"][:1]
    found = check(CULTURE, sections, "junior")
    assert [(f.section, f.source) for f in found] == [("papers", f"{CULTURE.citation} 五（九）")]
    assert "2篇" in found[0].message and "自治区级" in found[0].message
    sections["papers"]["rows"][0]["level"] = "自治区级"
    assert check(CULTURE, sections, "junior") == []


def test_001_papers_not_required_for_junior_and_no_regional_alternative() -> None:
    # 001 五（一）4: 代表作品2篇及2篇以上（初级不作为必备条件要求）; no 1-paper alternative.
    sections = good_sections(NEWS, "junior")
    sections["papers"] = {"none": True, "rows": []}
    assert check(NEWS, sections, "junior") == []
    sections = good_sections(NEWS, "intermediate")
    sections["papers"]["rows"] = [{"title": "一", "level": "国家级"}]
    found = check(NEWS, sections)
    assert [(f.section, f.source) for f in found] == [("papers", f"{NEWS.citation} 五（一）4")]


def test_002_states_no_county_paper_rule() -> None:
    # 002 五（一）7: 发表论文情况：按任职资格条件要求上传 — no count is set by the notice.
    sections = good_sections(PARTY)
    sections["papers"] = {"none": True, "rows": []}
    assert check(PARTY, sections) == []


# --------------------------------------------------------------------------- history


@pytest.mark.parametrize("defn", [PARTY, WATER], ids=lambda d: d.code)
def test_work_periods_must_connect(defn: CampaignDefinition) -> None:
    # 002 五（一）4: 简历时间段应上下衔接.
    sections = good_sections(defn)
    sections["work"]["rows"][1]["start"] = "2016-03-01"
    found = check(defn, sections)
    assert [(f.section, f.field, f.source) for f in found] == [
        ("work", "rows-1-start", defn.cite_if_stated("work"))
    ]
    assert "空档" in found[0].message


def test_education_goes_from_lowest_to_highest() -> None:
    # 002 五（一）2: 学历学位情况：从低到高依次填写.
    sections = good_sections(PARTY)
    sections["education"]["rows"].reverse()
    found = check(PARTY, sections)
    assert [(f.section, f.field, f.source) for f in found] == [
        ("education", "rows-1-level", f"{PARTY.citation} 五（一）2")
    ]


# --------------------------------------------------------------------------- window


@pytest.mark.parametrize(
    ("defn", "before", "after"),
    [
        (PARTY, date(2023, 9, 14), date(2023, 10, 21)),  # 002 三（一）: 2023年9月15日—10月20日
        (WATER, date(2021, 9, 5), date(2021, 9, 20)),  # 003 三: 2021年9月6日-9月19日
    ],
)
def test_outside_the_online_window_is_a_warning(
    defn: CampaignDefinition, before: date, after: date
) -> None:
    # 002 三（一） and 003 三: 网上申报时间…逾期不予受理.
    sections = good_sections(defn)
    early = check(defn, sections, today=before)
    late = check(defn, sections, today=after)
    assert [(f.severity, f.source) for f in early] == [("warning", defn.cite("window"))]
    assert "尚未开始" in early[0].message
    assert "截止" in late[0].message and late[0].severity == "warning"
    assert check(defn, sections, today=after - timedelta(days=1)) == []
    assert check(defn, sections, today=after, status="reported") == []


# --------------------------------------------------------------------------- submissions


@pytest.mark.parametrize(
    ("defn", "clause"),
    [(PARTY, f"{PARTY.citation} 四（三）"), (CULTURE, f"{CULTURE.citation} 八（四）")],
)
def test_a_returned_application_at_the_submissions_limit_is_blocking(
    defn: CampaignDefinition,
    clause: str,
) -> None:
    # 002 四（三）: 提交次数不得超过3次; 000 八（四）: 提交…次数不得超过3次.
    sections = good_sections(defn)
    limit = defn.rules.max_submissions
    found = check(defn, sections, status="returned", submissions=limit)
    assert [(f.severity, f.source) for f in found] == [("blocking", clause)]
    found = check(defn, sections, status="returned", submissions=limit - 2)
    assert [f.severity for f in found] == ["warning"] and "还可提交2次" in found[0].message


def test_002_resubmission_time_left_and_overdue() -> None:
    # 002 四（三）: 申报人需在退回后的48小时内完成修改后再次提交，逾期未补充提交的视为放弃申报.
    sections = good_sections(PARTY)
    due = datetime(2023, 10, 2, 6, 0)
    found = check(
        PARTY,
        sections,
        status="returned",
        submissions=1,
        resubmit_due=due,
        now=due - timedelta(hours=10, minutes=30),
    )
    deadline = [f for f in found if "重新提交" in f.message]
    assert [(f.severity, f.source) for f in deadline] == [("warning", f"{PARTY.citation} 四（三）")]
    assert "还剩10小时30分" in deadline[0].message
    assert "2023年10月2日 14:00" in deadline[0].message  # shown in Beijing time
    found = check(
        PARTY,
        sections,
        status="returned",
        submissions=1,
        resubmit_due=due,
        now=due + timedelta(minutes=1),
    )
    assert any(f.blocking and "视为放弃申报" in f.message for f in found)


def test_003_sets_no_resubmission_deadline() -> None:
    # 003 七（三）: only the 3-submission limit; no hours to resubmit (resubmit_hours unset).
    found = check(WATER, good_sections(WATER), status="returned", submissions=1)
    assert [f.severity for f in found] == ["warning"]
    assert "重新提交" not in found[0].message


# --------------------------------------------------------------------------- derived values


def test_defense_ground_from_the_service_programme_of_each_notice() -> None:
    # 002 六（一）: 寺管会; 003 五（一）: 驻村管寺; 000 六（一）: 专项工作 (not a 002 ground).
    def ground(defn: CampaignDefinition, code: str) -> str | None:
        sections = good_sections(defn)
        sections["basic"]["service_ground"] = code
        return derived_values(sections, facts(), defn).defense_ground

    assert ground(PARTY, "temple") == "寺管会"
    assert ground(WATER, "temple") == "驻村管寺"
    assert ground(CULTURE, "special_task") == "专项工作"
    assert ground(PARTY, "special_task") is None


@pytest.mark.parametrize("defn", [PARTY, WATER], ids=lambda d: d.code)
def test_defense_exempt_counties_below_county_level_and_junior(defn: CampaignDefinition) -> None:
    # 002 六（一）、（二） and 003 五（一）、（二）: 且末县、若羌县; 县级以下基层单位; 初级.
    sections = good_sections(defn)
    derived = derived_values(sections, facts(), defn)
    assert (derived.defense_exempt, derived.defense_ground) == (False, None)
    sections["basic"]["county"] = "若羌县"
    derived = derived_values(sections, facts(), defn)
    assert (derived.defense_exempt, derived.defense_ground) == (True, "在若羌县工作")
    assert derived.defense_source == defn.cite("defense_exemption")
    sections = good_sections(defn)
    sections["basic"]["below_county_level"] = True
    assert derived_values(sections, facts(), defn).defense_ground == "在县级以下基层单位工作"
    sections = good_sections(defn, "junior")
    assert derived_values(sections, facts("junior"), defn).defense_exempt


def test_non_public_natures_differ_between_notices() -> None:
    # 003 五（三）: 民营企业和自由职业专业技术人员免于答辩; 002 六 names no such ground;
    # 000 六（三）: 非公经济组织、社会组织和自由职业 (社会组织 is not in 003).
    for defn, nature, exempt in [
        (WATER, "民营企业", True),
        (PARTY, "民营企业", False),
        (CULTURE, "社会组织", True),
        (WATER, "社会组织", False),
    ]:
        sections = good_sections(defn)
        sections["basic"]["unit_nature"] = nature
        derived = derived_values(sections, facts(), defn)
        assert derived.defense_exempt is exempt, (defn.code, nature)
        if exempt:
            assert derived.defense_ground == f"{nature}专业技术人员"


def test_a_notice_without_the_junior_ground_does_not_exempt_juniors() -> None:
    # The grounds are data: a notice that drops 002 六（二） no longer exempts juniors.
    rule = PARTY.defense_exemption.model_copy(update={"levels": ()})
    defn = PARTY.model_copy(update={"defense_exemption": rule})
    assert not derived_values(good_sections(defn, "junior"), facts("junior"), defn).defense_exempt


def test_fee_by_kind_and_level() -> None:
    # 000 八（六）: 初次确定初级100元、初次评定初级220元、初次确定（授予）中级380元 (no
    # evaluation fee for intermediate); 002 七: 中级380元/人，初级220元/人，初次确定初级100元.
    def fee(defn: CampaignDefinition, kind: str, level: str) -> int | None:
        sections = good_sections(defn, level)
        sections["basic"]["kind"] = kind
        return derived_values(sections, facts(level, kind=kind), defn).fee_yuan

    assert fee(CULTURE, "first_determination", "junior") == 100
    assert fee(CULTURE, "evaluation", "junior") == 220
    assert fee(CULTURE, "evaluation", "intermediate") is None
    assert fee(PARTY, "evaluation", "intermediate") == 380
    assert fee(NEWS, "first_determination", "junior") is None  # 001 八（三）: 评审 only


def test_publicity_end_from_the_period_or_the_stored_date() -> None:
    # 002 五（二）: 公示期不少于5个工作日 (the calendar itself is tested in test_workdays.py).
    period = WorkdayCalendar().publicity_period(
        date(2023, 9, 18), PARTY.rules.publicity_min_workdays
    )
    sections = good_sections(PARTY)
    assert derived_values(sections, facts(), PARTY, period).publicity_end == date(2023, 9, 22)
    stored = facts(publicity_end=date(2023, 9, 25))
    assert derived_values(sections, stored, PARTY).publicity_end == date(2023, 9, 25)
    assert derived_values(sections, facts(), PARTY).publicity_end is None


# --------------------------------------------------------------------------- ORM adapters


def test_findings_for_a_stored_application(app, db, world) -> None:
    # 002 五（一）8 and 003 六（二) through the ORM adapter.
    from tests.factories import make_application

    sections = stored_sections(PARTY)
    sections["assessments"]["rows"][1]["result"] = "basically_competent"
    party = make_application(
        world.office_b, world.unit_b, world.campaigns["bz-partyschool-2023"], sections=sections
    )
    db.session.commit()
    found = findings_for(party, date(2023, 9, 20))
    assert any(f.blocking for f in found)
    assert list(group_by_section(found)) == ["assessments"]
    derived = derived_for(party)
    assert derived.fee_yuan == 380 and derived.defense_exempt is False

    # unit_a is in 若羌县: exempt from defense under 003 五（一）.
    water = make_application(
        world.office_a, world.unit_a, world.campaigns["bz-water-2021"], name="其木格", seq=2
    )
    db.session.commit()
    found = findings_for(water, date(2021, 9, 10))
    assert {f.section for f in found} >= {"political", "continuing_education", "assessments"}
    assert derived_for(water).defense_ground == "在若羌县工作"
