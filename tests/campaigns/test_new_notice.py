"""A notice nobody here had read, written as a file: tests/campaigns/data/ht-culture-2025.toml.

The fictitious 2025 notice of 和田地区 uses every key issue 10 added; these tests check that
the portal checks, derives, lists and prints what that file says — and nothing it does not.
Clause comments cite the fictitious notice (和地文旅发〔2025〕31号).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from portal.applications import sections as app_sections
from portal.applications.models import Application
from portal.applications.operations import NEW_FIELDS, save_application
from portal.auth.models import User
from portal.campaigns.definition import load_definition, loads_definition
from portal.campaigns.models import Campaign
from portal.campaigns.schema import CampaignDefinition
from portal.campaigns.services import load_campaign_file, upsert_campaign
from portal.documents.context import build_context
from portal.documents.render import render_html
from portal.extensions import db as _db
from portal.offices.models import Office, RecommendingUnit
from portal.rosters.builder import office_roster
from portal.rules.checks import AppFacts, check_application, derived_values
from tests.conftest import readable
from tests.factories import make_application, make_office, make_unit, make_user

DATA = Path(__file__).resolve().parent / "data"
HT_FILE = DATA / "ht-culture-2025.toml"
HT: CampaignDefinition = load_definition(HT_FILE)
CITE = "和地文旅发〔2025〕31号"
IN_WINDOW = date(2025, 8, 20)


def facts(level: str = "intermediate", **kw: Any) -> AppFacts:
    """An applicant of a public cultural centre in 和田县."""
    values: dict[str, Any] = dict(
        level=level,
        kind="evaluation",
        unit_nature="事业单位",
        unit_county="和田县",
        series_code="culture",
        specialty="群众文化",
    )
    values.update(kw)
    return AppFacts(**values)


def sections(level: str = "intermediate", **basic: Any) -> dict[str, dict]:
    """A complete application under the notice, at ``level``."""
    public, professional = HT.ce_year_lists(level)
    years = sorted(set(public) | set(professional))
    data: dict[str, dict] = {
        "basic": {
            "series_code": "culture",
            "specialty": "群众文化",
            "level": level,
            "kind": "evaluation",
            "county": "和田县",
            "below_county_level": False,
            "unit_nature": "事业单位",
            "retired": False,
            "civil_servant": False,
            "sanction": "",
            "sanction_end": None,
            "mandarin_level": "二级乙等",
            "service_ground": "",
        },
        "education": {"rows": [{"start": "2005-09-01", "end": "2009-07-01", "level": "大学本科"}]},
        "work": {"rows": [{"start": "2009-08-01", "end": None, "unit": "文化馆", "work": "辅导"}]},
        "qualification": {"title": "助理馆员", "series": "文化系列", "certificate_no": "无"},
        "achievements": {"rows": [], "summary": "无"},
        "awards": {"none": True, "rows": []},
        "papers": {
            "none": False,
            "rows": [{"title": "一", "level": "县级"}, {"title": "二", "level": "县级"}],
        },
        "assessments": {"rows": []},
        "continuing_education": {
            "exempt": False,
            "rows": [
                {"year": y, "public_hours": 30, "professional_hours": 60, "certificate": ""}
                for y in years
            ],
        },
        "political": {"conduct": "拥护党的领导。", "appraisal": "表现良好。"},
        "summary": {"text": "任现职以来……"},
    }
    data["basic"].update(basic)
    return data


def check(data: dict, level: str = "intermediate", **kw: Any):
    """Every check of the notice, on a day inside its online window."""
    today = kw.pop("today", IN_WINDOW)
    now = kw.pop("now", None)
    return check_application(data, facts(level, **kw), HT, today, now=now)


# --------------------------------------------------------------------------- the file


def test_the_file_loads_and_states_what_it_says() -> None:
    # Every new key is read: senior level, exemption by level, no assessment, windows …
    assert HT.levels == ("junior", "intermediate", "deputy_senior")
    assert HT.defense_exemption.levels == ("junior", "intermediate")
    assert HT.rules.assessment.years == ()
    assert HT.citation == CITE and HT.wording.region_word == "地区"
    online, review, paper, defense = HT.windows
    assert online.end_time is not None and online.end_time.strftime("%H:%M") == "18:00"
    assert review.kind is None and review.title == "资格审核"
    assert paper.deadline_only and paper.span_text() == "2025年9月26日前"
    assert defense.undated and defense.span_text() == "时间另行通知"
    assert [c.name for c in HT.contacts] == ["阿依努尔", ""]
    assert HT.contacts[1].role == "监督举报"
    assert HT.ce_year_lists("intermediate") == ([2022, 2023, 2024, 2025], [2025])
    assert HT.templates.publicity_combined is None


# --------------------------------------------------------------------------- findings


@pytest.mark.parametrize("level", ["junior", "intermediate", "deputy_senior"])
def test_a_complete_application_has_no_findings(level: str) -> None:
    # Nothing the notice states is missing; it asks for no annual assessment at all.
    assert check(sections(level), level) == []


def test_no_assessment_years_means_no_assessment_findings() -> None:
    # The notice lists no 年度考核: rows with poor results are neither required nor delaying.
    data = sections()
    data["assessments"] = {"rows": [{"year": 2024, "result": "incompetent"}]}
    assert check(data) == []


def test_the_bars_are_only_those_the_notice_states() -> None:
    # 一（三）: retired staff and a running sanction of 记过 or above; civil servants unstated.
    data = sections(civil_servant=True)
    assert check(data) == []
    data = sections(retired=True, sanction="记过", sanction_end="2026-01-01")
    found = check(data)
    assert {(f.field, f.source) for f in found} == {
        ("retired", f"{CITE} 一（三）"),
        ("sanction_end", f"{CITE} 一（三）"),
    }


@pytest.mark.parametrize(
    ("specialty", "unit_nature", "held", "ok"),
    [
        ("群众文化", "事业单位", "三级甲等", True),  # 二（四）: generally 三级甲等
        ("群众文化", "事业单位", "三级乙等", False),
        ("播音员主持人", "事业单位", "二级甲等", False),  # announcers: 一级乙等
        ("播音员主持人", "事业单位", "一级乙等", True),
        ("群众文化", "民营企业", "未测试", True),  # private enterprises: no requirement
        ("群众文化", "事业单位", "", False),
    ],
)
def test_mandarin_minimum_by_specialty_and_unit(
    specialty: str, unit_nature: str, held: str, ok: bool
) -> None:
    series = "broadcasting" if specialty == "播音员主持人" else "culture"
    data = sections(
        series_code=series, specialty=specialty, unit_nature=unit_nature, mandarin_level=held
    )
    found = check(data, unit_nature=unit_nature)
    if ok:
        assert found == []
    else:
        assert [(f.section, f.field, f.source) for f in found] == [
            ("basic", "mandarin_level", f"{CITE} 二（四）")
        ]
        minimum = "一级乙等" if specialty == "播音员主持人" else "三级甲等"
        assert f"普通话达到{minimum}及以上" in found[0].message


def test_continuing_education_public_years_as_a_range_and_professional_this_year() -> None:
    # 四（五）: 近4年（2022-2025年）公需科目 and this year's 专业科目; no yearly total stated.
    data = sections()
    rows = data["continuing_education"]["rows"]
    data["continuing_education"]["rows"] = [r for r in rows if r["year"] != 2022]
    [finding] = check(data)
    assert "2022—2025年的公需科目和2025年的专业科目" in finding.message
    assert "缺少2022年" in finding.message and finding.source == f"{CITE} 四（五）"
    # Older years need only the public hours; no total of 90 is checked.
    data = sections()
    for row in data["continuing_education"]["rows"]:
        if row["year"] < 2025:
            row["professional_hours"] = None
    assert check(data) == []


def test_a_rule_stated_without_clause_cites_the_notice_alone() -> None:
    # Papers for 副高级: the file gives no clause, so the finding cites 和地文旅发〔2025〕31号.
    data = sections("deputy_senior")
    data["papers"]["rows"] = data["papers"]["rows"][:1]
    [finding] = check(data, "deputy_senior")
    assert finding.section == "papers" and finding.source == CITE


def test_general_checks_the_notice_does_not_state_cite_nothing() -> None:
    # Work history that does not connect is still flagged, with no borrowed clause.
    data = sections()
    data["work"]["rows"] = [
        {"start": "2009-08-01", "end": "2012-06-30", "unit": "甲", "work": "辅导"},
        {"start": "2014-01-01", "end": None, "unit": "乙", "work": "辅导"},
    ]
    [finding] = check(data)
    assert finding.section == "work" and finding.source == ""


def test_the_online_window_closes_at_its_hour() -> None:
    # 三: 网上申报 2025年8月11日至9月12日18:00.
    last = date(2025, 9, 12)
    before = datetime(2025, 9, 12, 9, 59)  # 17:59 in Beijing (UTC+8)
    after = datetime(2025, 9, 12, 10, 1)
    assert check(sections(), today=last, now=before) == []
    [late] = check(sections(), today=last, now=after)
    assert late.severity == "warning" and "2025年9月12日 18:00截止" in late.message
    assert late.source == f"{CITE} 三"


# --------------------------------------------------------------------------- derived


@pytest.mark.parametrize(
    ("level", "basic", "exempt", "ground"),
    [
        ("junior", {}, True, "申报初级专业技术职务任职资格"),
        ("intermediate", {}, True, "申报中级专业技术职务任职资格"),
        ("deputy_senior", {}, False, None),
        # 五: 副高级 always takes the defense, even in 民丰县 or after 访惠聚 service.
        ("deputy_senior", {"county": "民丰县", "service_ground": "village_team"}, False, None),
    ],
)
def test_defense_exemption_up_to_intermediate(level, basic, exempt, ground) -> None:
    derived = derived_values(sections(level, **basic), facts(level), HT)
    assert (derived.defense_exempt, derived.defense_ground) == (exempt, ground)
    assert derived.defense_source == (f"{CITE} 五" if exempt else None)


def test_fees_with_the_senior_level() -> None:
    # 七: 副高级评审 500 元; no fee stated for 初次确定 of 中级 or 副高级.
    assert derived_values(sections("deputy_senior"), facts("deputy_senior"), HT).fee_yuan == 500
    data = sections("intermediate", kind="first_determination")
    assert derived_values(data, facts(kind="first_determination"), HT).fee_yuan is None


def test_notes_by_level() -> None:
    # 三（四）: the pass rate concerns 副高级 only; 一（二） everyone.
    assert [n.clause for n in HT.notes_for("deputy_senior")] == ["三（四）", "一（二）"]
    assert [n.clause for n in HT.notes_for("junior")] == ["一（二）"]


# --------------------------------------------------------------------------- stored


@dataclass
class Hotan:
    """An office of 和田地区 with a unit and a clerk, and the notice loaded (detached copies)."""

    office: Office
    unit: RecommendingUnit
    clerk: User
    campaign: Campaign


@pytest.fixture
def hotan(app, world) -> Hotan:
    """The 和田地区 office, unit, clerk and notice, made and committed in a context of their own."""
    with app.app_context():
        office = make_office("H01", "和田县文化体育广播电视和旅游局", "和田县", "和田地区")
        unit = make_unit(office, "和田县文化馆", county="和田县")
        clerk = make_user("clerk_h", "password-h", "clerk", office)
        campaign, _ = load_campaign_file(HT_FILE)
        _db.session.commit()
        return Hotan(*readable(office, unit, clerk, campaign))


def _application(
    hotan: Hotan, level: str, seq: int, campaign: Campaign | None = None, **basic: Any
) -> Application:
    """An application under the notice (or ``campaign``) with every section, through the API.

    ``seq`` makes the ID number; the same ``seq`` is the same person, under the same name.
    """
    name = ("阿依古丽·吐尔逊", "古丽娜尔·艾力")[seq % 2]
    data = sections(level, **basic)
    app = make_application(
        hotan.office,
        hotan.unit,
        campaign or hotan.campaign,
        name,
        seq=seq,
        level=level,
        birth=date(1988, 5, 1),
        gender="女",
        region="653221",
        sections=data,
    )
    _db.session.commit()
    return app


def _last_year() -> Campaign:
    """Last year's notice, stored: the same file with every year one earlier."""
    text = re.sub(
        r"(?<!\d)20[12]\d(?!\d)",
        lambda m: str(int(m[0]) - 1),
        HT_FILE.read_text(encoding="utf-8"),
    )
    last_year = loads_definition(text, "ht-culture-2024.toml")
    assert (last_year.code, last_year.year) == ("ht-culture-2024", 2024)
    return upsert_campaign(last_year)[0]


def test_materials_by_level_and_first_time(hotan, db) -> None:
    # 四: 学历证书 only for first-time applicants; 论文原件 only for 副高级.
    junior = _application(hotan, "junior", 11)
    senior = _application(hotan, "deputy_senior", 12)
    names = [m.name for m in junior.applicable_materials()]
    assert names == ["《专业技术职务任职资格评审表》", "学历证书原件及复印件"]
    assert "近5年发表的论文、著作原件" in [m.name for m in senior.applicable_materials()]
    # The same person applied at 副高级 in an earlier year: no longer a first-time applicant.
    earlier = _application(hotan, "deputy_senior", 12, campaign=_last_year())
    assert earlier.person_id == senior.person_id
    assert "学历证书原件及复印件" not in [m.name for m in senior.applicable_materials()]
    # A later application does not make the earlier one a repeat.
    assert "学历证书原件及复印件" in [m.name for m in earlier.applicable_materials()]


def test_a_repeat_applicants_new_application_starts_without_first_time_materials(hotan, db):
    # 四: 学历证书 only for first-time applicants, also when the application and its materials
    # are written at once (the materials start from the notice's list before the person is set).
    _application(hotan, "deputy_senior", 61, campaign=_last_year())
    earlier = db.session.scalars(sa.select(Application)).one()
    basic = {k: getattr(earlier, k) for k in NEW_FIELDS}
    campaign = db.session.get(Campaign, hotan.campaign.id)
    again = save_application(
        campaign, hotan.office.id, {"basic": basic, "materials": {}}, None, partial=True
    )
    assert again.person_id == earlier.person_id
    names = [r["name"] for r in again.section("materials").data["rows"]]
    assert "近5年发表的论文、著作原件" in names and "学历证书原件及复印件" not in names


def test_with_no_assessment_years_the_assessments_section_is_complete(hotan, world, db) -> None:
    # The notice asks for no 年度考核: the empty section is 已完成 wherever completeness is read.
    application = _application(hotan, "intermediate", 51)
    assert application.section("assessments").complete
    assert app_sections.missing(application, "assessments") == []
    assert app_sections.section_state(application, "assessments") == "done"
    # Under a notice that asks for years, the same empty section is not.
    party = make_application(
        world.office_a,
        world.unit_a,
        world.campaigns["bz-partyschool-2023"],
        sections={"assessments": {"rows": []}},
    )
    assert not party.section("assessments").complete
    assert [g.field for g in app_sections.missing(party, "assessments")] == ["rows"]


def test_roster_columns_follow_the_notice(hotan, db) -> None:
    # 五 and 七: 免于答辩 by level, 评审费 by level, remarks with the ground.
    for app in (_application(hotan, "intermediate", 21), _application(hotan, "deputy_senior", 22)):
        app.status = "reported"
    db.session.commit()
    campaign = db.session.get(Campaign, hotan.campaign.id)
    office = db.session.get(Office, hotan.office.id)
    roster = office_roster(campaign, office)
    rows = {r[roster.column_index("申报级别")]: r for r in roster.rows}
    exempt, fee, remark = (roster.column_index(c) for c in ("免于答辩", "评审费（元）", "备注"))
    assert (rows["中级"][exempt], rows["中级"][fee]) == ("是", 380)
    assert rows["中级"][remark] == "免于答辩：申报中级专业技术职务任职资格"
    assert (rows["副高级"][exempt], rows["副高级"][fee]) == ("否", 500)
    assert roster.fees == 880 and "文化系列" in roster.title


def test_the_annex_prints_a_numbered_grid_with_counts(hotan, db) -> None:
    # The notice's own 申报材料袋封面: fields, the materials grid, a hand-filled 页数 column
    # and two blank numbered rows.
    app = _application(hotan, "deputy_senior", 31)
    assert build_context(app, "bag-cover").missing == []
    html = render_html(app, "bag-cover", preview=False)
    text = " ".join(html.split())
    assert "2025年度职称评审申报材料" in text and app.name in text
    assert "袋内材料共3项、3份" in text  # 评审表 2 份 + 学历证书 1 份; 论文原件 without count
    short = '<td class="short">'
    assert ">序号</th>" in text and ">材料名称</th><th" in text and ">页数</th></tr>" in text
    assert f"{short}1</td><td>《专业技术职务任职资格评审表》</td>{short}2</td>{short}</td>" in text
    assert f"{short}3</td><td>近5年发表的论文、著作原件</td>{short}</td>{short}</td>" in text
    assert f"{short}5</td><td></td>{short}</td>{short}</td>" in text
    assert f"{short}6</td>" not in text
    assert "报送：地区文化体育广播电视和旅游局" in text and "副高级" in text


def test_a_clerk_of_another_prefecture_does_not_see_the_notice(hotan, client, auth):
    # The notice belongs to 和田地区: a clerk of 巴音郭楞 neither lists nor opens it.
    auth.login("clerk_a", "password-a")
    assert "和田地区文化系列" not in client.get("/campaigns/").get_data(as_text=True)
    assert client.get("/campaigns/ht-culture-2025").status_code == 404
    new = client.get("/applications/new").get_data(as_text=True)
    assert "和田地区文化系列" not in new and "文化系列职称评审" in new
    auth.logout()
    auth.login("clerk_h", "password-h")
    assert "和田地区文化系列" in client.get("/campaigns/").get_data(as_text=True)
    page = client.get("/campaigns/ht-culture-2025").get_data(as_text=True)
    assert "副高级评审通过率不超过申报人数的60%" in page  # a note shown on the campaign page
    assert "巴音郭楞" not in client.get("/applications/new").get_data(as_text=True)


def test_the_review_page_shows_the_notes_and_the_regions_words(app, hotan, client, auth):
    with app.app_context():
        application = _application(hotan, "deputy_senior", 41)
        application.status = "reported"
        _db.session.commit()
        app_id = application.id
    auth.login("clerk_h", "password-h")
    html = client.get(f"/applications/{app_id}/review").get_data(as_text=True)
    assert "副高级评审通过率不超过申报人数的60%" in html and "已报送地区" in html
    assert "已报送州" not in html


# --------------------------------------------------------------------------- a second notice

XJ = load_definition(DATA / "xj-teacher-2025.toml")


@pytest.mark.parametrize(
    ("specialty", "teaching", "held", "ok"),
    [
        ("数学", "国家通用语言", "二级乙等", True),  # 二（一）: 二级乙等以上
        ("语文", "国家通用语言", "二级乙等", False),  # 语文教师二级甲等以上
        ("语文", "少数民族语言", "三级甲等", True),  # 少数民族语言授课：三级甲等以上
        ("数学", "", "一级甲等", False),  # the teaching language must be chosen
    ],
)
def test_a_region_wide_teachers_notice_checks_mandarin_by_teaching_language(
    specialty, teaching, held, ok
):
    basic = {
        "series_code": "school_teacher",
        "specialty": specialty,
        "level": "intermediate",
        "teaching_language": teaching,
        "mandarin_level": held,
        "unit_nature": "事业单位",
    }
    found = [f for f in check_application({"basic": basic}, facts(), XJ, date(2025, 9, 2))]
    language = [f for f in found if f.field in ("mandarin_level", "teaching_language")]
    assert (language == []) is ok
    assert all(f.source == "新教人函〔2025〕88号 二（一）" for f in language)


def test_one_regional_paper_without_a_count_of_works():
    # 二（五）: 高级教师须在省级以上刊物发表论文1篇 — representative works do not replace it.
    papers = {"none": False, "rows": [{"title": "一", "level": "县级"}, {"title": "二"}]}
    found = check_application({"papers": papers}, facts("deputy_senior"), XJ, date(2025, 9, 2))
    [paper] = [f for f in found if f.section == "papers"]
    assert "在自治区级以上专业刊物发表本专业论文1篇" in paper.message
    papers["rows"][0]["level"] = "自治区级"
    found = check_application({"papers": papers}, facts("deputy_senior"), XJ, date(2025, 9, 2))
    assert not [f for f in found if f.section == "papers"]


def test_a_region_wide_notice_is_seen_by_every_office(app, world, client, auth):
    with app.app_context():
        load_campaign_file(DATA / "xj-teacher-2025.toml")
        _db.session.commit()
    auth.login("clerk_b", "password-b")
    assert "全区中小学教师系列" in client.get("/applications/new").get_data(as_text=True)
