"""Tests for the campaign definition format, its loader and the four shipped notices."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from portal.campaigns.definition import (
    PLACEHOLDERS,
    TEMPLATE_PLACEHOLDERS,
    CampaignDefinition,
    CampaignDefinitionError,
    from_dict,
    load_definition,
    load_shipped,
    parse_definition,
    shipped_definition_paths,
    to_dict,
)
from portal.campaigns.placeholders import COMBINED_PLACEHOLDERS
from portal.sandbox import TemplateError
from portal.vocabulary import KIND_LABELS, LEVEL_LABELS

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
RECOMMENDATION = "本单位已对提供的申报材料逐一审核，真实准确，同意推荐"
#: The seed notice (shared/seeds/NNN_*.txt) each shipped file transcribes.
SEED_OF = {
    "bz-culture-2021": "000",
    "bz-news-2021": "001",
    "bz-partyschool-2023": "002",
    "bz-water-2021": "003",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, CampaignDefinition]:
    """Load the shipped definitions once, keyed by notice number."""
    return {SEED_OF[d.code]: d for d in load_shipped()}


def seed_text(source: str) -> str:
    """Return the text of seed notice ``source``, or skip when shared/ is not beside the repo."""
    matches = sorted(SEEDS.glob(f"{source}_*.txt"))
    if not matches:
        pytest.skip("shared/seeds not found beside the repository")
    return matches[0].read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """Drop all whitespace (the seeds are PDF extractions with stray breaks and spaces)."""
    return re.sub(r"\s+", "", text)


def broken(tmp_path: Path, old: str, new: str, code: str = "bz-partyschool-2023") -> Path:
    """Copy a shipped file into ``tmp_path`` with ``old`` replaced once by ``new``."""
    source = next(p for p in shipped_definition_paths() if p.stem == code)
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text not unique in {code}: {old!r}"
    path = tmp_path / f"{code}.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def refused(path: Path) -> CampaignDefinitionError:
    """Load ``path`` expecting a CampaignDefinitionError that names the file, key and reason."""
    with pytest.raises(CampaignDefinitionError) as info:
        load_definition(path)
    error = info.value
    assert error.file == str(path)
    assert str(error).splitlines()[0] == f"{path}: {error.key}: {error.message}"
    assert error.key and error.message
    return error


# --------------------------------------------------------------------------- shipped files


def test_four_shipped_files_load_with_their_own_codes(shipped: dict[str, CampaignDefinition]):
    """Each seed notice 000–003 has exactly one definition file."""
    assert [p.name for p in shipped_definition_paths()] == [
        "bz-culture-2021.toml",
        "bz-news-2021.toml",
        "bz-partyschool-2023.toml",
        "bz-water-2021.toml",
    ]
    assert {s: d.code for s, d in shipped.items()} == {
        "000": "bz-culture-2021",
        "001": "bz-news-2021",
        "002": "bz-partyschool-2023",
        "003": "bz-water-2021",
    }
    assert shipped["002"].year == 2023
    assert shipped["000"].document_number == "巴文体广旅发〔2021〕98号"
    assert shipped["003"].document_number == "巴水办发〔2021〕175号"
    assert shipped["001"].document_number is None
    for d in shipped.values():
        assert d.seniority_cutoff == date(d.year, 12, 31)


def test_culture_fees(shipped: dict[str, CampaignDefinition]):
    """000 八（六）: 初次确定初级100元；初次评定初级220元；初次确定（授予）中级380元."""
    d = shipped["000"]
    assert d.fee("first_determination", "junior") == 100
    assert d.fee("evaluation", "junior") == 220
    assert d.fee("first_determination", "intermediate") == 380
    assert d.fee("conferment", "intermediate") == 380
    # 000 states no fee for evaluating intermediate titles.
    assert d.fee("evaluation", "intermediate") is None


def test_news_fees_evaluation_only(shipped: dict[str, CampaignDefinition]):
    """001: 中级380元/人，初级220元/人; no 初次确定 or 授予 in that notice."""
    d = shipped["001"]
    assert d.kinds == ("evaluation",)
    assert d.fee("evaluation", "intermediate") == 380
    assert d.fee("evaluation", "junior") == 220
    assert d.fee("first_determination", "junior") is None
    assert d.fee("conferment", "intermediate") is None


@pytest.mark.parametrize("source", ["002", "003"])
def test_partyschool_and_water_fees(shipped: dict[str, CampaignDefinition], source: str):
    """002 七, 003 七（五）: 380 / 220, 初次确定初级100, 初次确定中级、授予（中级）380."""
    d = shipped[source]
    assert {(f.kind, f.level): f.yuan for f in d.fees} == {
        ("evaluation", "intermediate"): 380,
        ("evaluation", "junior"): 220,
        ("first_determination", "junior"): 100,
        ("first_determination", "intermediate"): 380,
        ("conferment", "intermediate"): 380,
    }


def test_windows_per_notice(shipped: dict[str, CampaignDefinition]):
    """Each notice's own dates: 000 四, 001 一, 002 三, 003 三."""
    expected = {
        "000": {
            "online": (date(2021, 8, 20), date(2021, 9, 20)),
            "paper": (date(2021, 9, 21), date(2021, 9, 24)),
        },
        "001": {
            "online": (date(2021, 9, 1), date(2021, 9, 25)),
            "paper": (date(2021, 10, 11), date(2021, 10, 15)),
        },
        "002": {
            "online": (date(2023, 9, 15), date(2023, 10, 20)),
            "fee": (date(2023, 9, 15), date(2023, 10, 20)),
            "paper": (date(2023, 10, 21), date(2023, 10, 27)),
            "defense": (date(2023, 10, 30), None),
        },
        "003": {
            "online": (date(2021, 9, 6), date(2021, 9, 19)),
            "paper": (date(2021, 9, 20), date(2021, 9, 30)),
        },
    }
    for source, windows in expected.items():
        d = shipped[source]
        assert {w.kind: (w.start, w.end) for w in d.windows} == windows, source
    assert shipped["000"].window("defense") is None
    defense = shipped["002"].window("defense")
    assert defense is not None and defense.title == "答辩"
    assert defense.contains(date(2023, 10, 30)) and not defense.contains(date(2023, 10, 31))
    paper = shipped["003"].window("paper")
    assert paper is not None and paper.contains(date(2021, 9, 30))


def test_series_and_specialties(shipped: dict[str, CampaignDefinition]):
    """000 一（一）, 001 二, 002 一, 003 title."""
    culture = shipped["000"]
    assert culture.series_by_code("culture").specialties == (
        "艺术",
        "文物博物",
        "图书资料",
        "群众文化",
    )
    specialties = {s for series in culture.series for s in series.specialties}
    assert {"工艺美术", "机械电子"} <= specialties
    assert shipped["001"].series[0].name == "新闻系列"
    assert shipped["001"].series[0].specialties == ("记者", "编辑")
    party = shipped["002"].series[0]
    assert party.name == "党干校教师系列" and party.short_name == "党干校教师"
    assert party.open_specialty
    water = shipped["003"].series_by_code("engineering")
    assert water is not None and water.specialties == ("水利",)
    assert shipped["003"].series_by_code("nope") is None


def test_continuing_education_years_differ_between_002_and_003(
    shipped: dict[str, CampaignDefinition],
):
    """002 五（一）10 vs 003 六（二）: the years checked differ per notice and level."""
    p, w = shipped["002"], shipped["003"]
    assert p.ce_year_lists("junior") == ([2022, 2023], [2022, 2023])
    assert p.ce_year_lists("intermediate") == (list(range(2019, 2024)), [2021, 2022, 2023])
    assert w.ce_year_lists("junior") == ([2021], [2021])
    assert w.ce_year_lists("intermediate") == ([2020, 2021], [2021])
    # 001 五（一）5: 2015-2021年度 — a range of calendar years, as the notice writes it.
    news = shipped["001"].ce_years("intermediate")
    assert news.public_years.text() == "2015—2021年"
    assert shipped["001"].ce_year_lists("junior")[0] == list(range(2015, 2022))
    ce = shipped["000"].rules.continuing_education
    assert (ce.min_total_hours, ce.min_professional_hours, ce.min_public_hours) == (90, 60, 30)


def test_assessment_rules(shipped: dict[str, CampaignDefinition]):
    """002 五（一）8: 近三年 of 2023 and the 1 / 2 year delays; 000 五（十）: 2018 至 2020."""
    p = shipped["002"].rules.assessment
    assert p.years == (2020, 2021, 2022)
    assert dict(p.delay_years) == {"basically_competent": 1, "incompetent": 2}
    assert shipped["000"].rules.assessment.years == (2018, 2019, 2020)
    assert shipped["003"].rules.assessment.years == (2018, 2019, 2020)


def test_submission_rules(shipped: dict[str, CampaignDefinition]):
    """3 submissions everywhere; the 48-hour resubmission only in 002 四（三）."""
    for source, d in shipped.items():
        assert d.rules.max_submissions == 3, source
        assert d.rules.publicity_min_workdays == 5, source
        assert d.rules.blank_marker == "无", source
    assert shipped["002"].rules.resubmit_hours == 48
    assert [s for s, d in shipped.items() if d.rules.resubmit_hours is not None] == ["002"]


def test_papers(shipped: dict[str, CampaignDefinition]):
    """001 五（一）4: 2 works, not required for junior; 000 五（九）: or 1 regional paper."""
    news = shipped["001"]
    assert news.paper_rule("junior").required is False
    assert news.paper_rule("intermediate").required is True
    assert news.paper_rule("intermediate").min_works == 2
    assert news.paper_rule("intermediate").alt_regional_papers == 0
    culture = shipped["000"].paper_rule("intermediate")
    assert (culture.min_works, culture.alt_regional_papers) == (2, 1)
    assert culture.applies_to == "county_and_below"
    assert shipped["002"].paper_rule("intermediate") is None


def test_defense_exemptions(shipped: dict[str, CampaignDefinition]):
    """000 六, 001 六, 002 六, 003 五: each lists its own subset."""
    for d in shipped.values():
        assert d.defense_exemption.exempt_counties == ("且末县", "若羌县")
        assert d.defense_exemption.levels == ("junior",)
        assert d.defense_exemption.below_county_level
    assert "社会组织" in shipped["000"].defense_exemption.non_public_natures
    assert "民营企业" in shipped["003"].defense_exemption.non_public_natures
    assert "社会组织" not in shipped["003"].defense_exemption.non_public_natures
    assert shipped["001"].defense_exemption.non_public_natures == ()
    assert shipped["002"].defense_exemption.non_public_natures == ()
    codes = {s: {g.code for g in d.defense_exemption.grounds} for s, d in shipped.items()}
    assert "special_task" in codes["000"] and "special_task" not in codes["003"]
    assert "temple" in codes["001"] and "temple" not in codes["000"]


def test_materials_lists(shipped: dict[str, CampaignDefinition]):
    """000 五（一）–（十二） (+ 八（五）), 001 五, 002 五（四）1–10, 003 四（一）–（十二）."""
    counts = {s: len(d.materials) for s, d in shipped.items()}
    assert counts == {"000": 13, "001": 9, "002": 10, "003": 12}
    first_only = [m for m in shipped["000"].materials if m.kinds]
    assert [m.name for m in first_only] == ["《初聘专业技术职务任职资格呈报表》"]
    forms = [m for m in shipped["002"].materials if "评审表" in m.name]
    assert forms[0].copies == 2
    assert shipped["002"].materials[-1].name == "其它相关材料"


def test_contacts(shipped: dict[str, CampaignDefinition]):
    """Each notice's own contact: 000 四, 001 end, 002 九, 003 end."""
    assert "13201143681" in shipped["000"].contacts[0].phones
    assert shipped["001"].contacts[0].phones == ("2012397",)
    assert shipped["002"].contacts[0].name == "蔡宛峻"
    assert shipped["003"].contacts[0].phones == ("0996-2030024", "13999007808")


# --------------------------------------------------------------------------- official texts


def test_partyschool_templates_keep_official_phrases(shipped: dict[str, CampaignDefinition]):
    """002 附件: 推荐单位公示（模板）, 推荐单位公示结果（模板）, 个人承诺书."""
    t = shipped["002"].templates
    assert "根据自治区职称评审工作的要求，现对{{ 姓名 }}同志" in t.publicity
    assert "（公示期不少于5个工作日）" in t.publicity
    assert "请电话或书面形式反映至{{ 受理办公室 }}办公室，监督电话：{{ 监督电话 }}" in t.publicity
    assert "公示无异议，未收到投诉、举报，申报材料真实、完整、有效" in t.publicity_result
    assert "3 年内，不得申报专业技术资格" in t.commitment
    assert t.commitment.splitlines()[0] == "个人承诺书"
    assert t.publicity.splitlines()[-1] == "{{ 日期 }}"
    # The unit's 单位负责人职务 (e.g. 局长) goes where the notice has 单位负责人; by default the
    # notice's own words print.
    assert "签字：（{{ 单位负责人 }}签字）" in t.publicity.splitlines()
    assert "签字：（单位负责人签字）" in seed_text("002").splitlines()


def _blanks_pattern(line: str) -> re.Pattern[str]:
    """Turn a template line back into the notice's ×× blanks, as a regex."""
    blanks = {"公示开始": "×+年×+月×+日", "公示结束": "×+年×+月×+日", "级别": "×（高、中、初）级"}
    parts = re.split(r"\{\{ (\S+) \}\}", line)
    pattern = ""
    for i, part in enumerate(parts):
        pattern += re.escape(part) if i % 2 == 0 else blanks.get(part, "×+")
    return re.compile(pattern)


def test_partyschool_templates_match_the_seed_blank_for_blank(
    shipped: dict[str, CampaignDefinition],
):
    """Every templated line of 002's 附件 equals the seed with ×× blanks for placeholders."""
    seed = seed_text("002")
    t = shipped["002"].templates
    lines = [t.publicity.splitlines()[1], t.publicity.splitlines()[5]]
    lines.append(t.publicity_result.splitlines()[1])
    for line in lines:
        assert _blanks_pattern(line).search(seed), line
    assert t.commitment.splitlines()[1] in seed
    assert shipped["002"].commitment.text in seed


def test_commitment_sentences(shipped: dict[str, CampaignDefinition]):
    """000 七（四） and 003 六（四）: 五年 in the form; 002: a 个人承诺书 with 3 年."""
    for source in ("000", "003"):
        c = shipped[source].commitment
        assert c.mode == "form_sentence" and c.ban_years == 5
        assert "五年内不得申报相应职称评审" in c.text
        assert not c.text.startswith("“")
        assert squeeze(c.text) in squeeze(seed_text(source))
    p = shipped["002"].commitment
    assert p.mode == "document" and p.ban_years == 3 and "3 年" in p.text
    assert shipped["001"].commitment.ban_years == 5  # 001 七（三）: 5 年内不得申报职称


def test_recommendation_sentence_everywhere(shipped: dict[str, CampaignDefinition]):
    """All four notices prescribe the same recommendation sentence."""
    for source, d in shipped.items():
        assert d.templates.recommendation == RECOMMENDATION
        assert RECOMMENDATION in squeeze(seed_text(source))


def test_render_publicity(shipped: dict[str, CampaignDefinition]):
    """The publicity renders with long Xinjiang names and the 系列/专业 suffixes."""
    d = shipped["003"]
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    values.update(
        {"姓名": "阿不都热合曼·阿不都热西提", "系列": "工程", "专业": "水利", "级别": "中级"}
    )
    text = d.render("publicity", values)
    assert "现对阿不都热合曼·阿不都热西提同志申报工程系列水利专业中级专业技术任职资格" in text
    assert "{{" not in text
    with pytest.raises(TemplateError):
        d.render("publicity", {"姓名": "张三"})


def test_placeholders_are_declared():
    """Every template's allowed placeholders are described in PLACEHOLDERS."""
    for name, names in TEMPLATE_PLACEHOLDERS.items():
        extra = set(COMBINED_PLACEHOLDERS) if name == "publicity_combined" else set()
        assert names <= set(PLACEHOLDERS) | extra
    assert LEVEL_LABELS["deputy_senior"] == "副高级"
    assert KIND_LABELS["first_determination"] == "初次确定"


# --------------------------------------------------------------------------- broken files


def test_unknown_key_refused(tmp_path: Path):
    """An unknown key is named."""
    path = broken(tmp_path, "resubmit_hours = 48", "resubmit_hours = 48\nresubmit_days = 2")
    error = refused(path)
    assert error.key == "rules.resubmit_days"
    assert "未知的键" in error.message and "resubmit_days" in error.message


def test_unknown_key_in_array_of_tables(tmp_path: Path):
    """The path includes the index in an array of tables."""
    path = broken(tmp_path, 'level = "junior"\nyuan = 100', 'level = "junior"\nyuen = 100')
    error = refused(path)
    assert error.key == "fees[2].yuen"


def test_missing_key_refused(tmp_path: Path):
    """A missing required key is named."""
    path = broken(tmp_path, 'blank_marker = "无"', "")
    error = refused(path)
    assert error.key == "rules.blank_marker" and "缺少" in error.message


def test_date_as_string_refused(tmp_path: Path):
    """A quoted date is not a date."""
    path = broken(tmp_path, "issued_on = 2023-09-15", 'issued_on = "2023年9月15日"')
    error = refused(path)
    assert error.key == "issued_on" and "日期" in error.message


def test_impossible_date_refused(tmp_path: Path):
    """A calendar-impossible date fails at TOML level, still naming file and key."""
    path = broken(tmp_path, "end = 2023-10-27", "end = 2023-02-30")
    error = refused(path)
    assert error.key.startswith("end（第 ")
    assert "无效的日期" in error.message
    path = broken(tmp_path, "end = 2023-10-27", "end = 2023-10-32")
    error = refused(path)
    assert error.key.startswith("end（第 ") and "日期写错了" in error.message


def test_fee_for_level_not_in_campaign(tmp_path: Path):
    """002 has no senior level, so a senior fee is refused."""
    path = broken(tmp_path, 'level = "junior"\nyuan = 100', 'level = "senior"\nyuan = 100')
    error = refused(path)
    assert error.key == "fees[2].level" and "不在本次评审的级别" in error.message


def test_fee_for_unknown_level(tmp_path: Path):
    """A level outside LEVELS is refused as unknown."""
    path = broken(tmp_path, 'level = "junior"\nyuan = 100', 'level = "expert"\nyuan = 100')
    error = refused(path)
    assert error.key == "fees[2].level" and "未知的级别" in error.message


def test_fee_for_kind_not_in_campaign(tmp_path: Path):
    """001 has no first determination, so such a fee is refused."""
    path = broken(
        tmp_path,
        'kind = "evaluation"\nlevel = "junior"\nyuan = 220',
        'kind = "first_determination"\nlevel = "junior"\nyuan = 220',
        code="bz-news-2021",
    )
    error = refused(path)
    assert error.key == "fees[1].kind" and "不在本次评审的类别" in error.message


def test_duplicate_fee_refused(tmp_path: Path):
    """The same kind and level twice is refused."""
    path = broken(tmp_path, 'level = "junior"\nyuan = 100', 'level = "intermediate"\nyuan = 100')
    error = refused(path)
    assert error.key == "fees[3].level" and "重复" in error.message


def test_end_before_start_refused(tmp_path: Path):
    """002 paper window with an end before its start."""
    path = broken(tmp_path, "end = 2023-10-27", "end = 2023-10-20")
    error = refused(path)
    assert error.key == "windows[2].end" and "早于" in error.message


def test_series_level_not_in_campaign(tmp_path: Path):
    """A series may only use the campaign's levels."""
    path = broken(
        tmp_path,
        'specialties = []\nlevels = ["junior", "intermediate"]',
        'specialties = []\nlevels = ["junior", "intermediate", "senior"]',
    )
    error = refused(path)
    assert error.key == "series[0].levels[2]"


def test_negative_hours_refused(tmp_path: Path):
    """Hours may not be negative."""
    path = broken(tmp_path, "min_public_hours = 30", "min_public_hours = -30")
    error = refused(path)
    assert error.key == "rules.continuing_education.min_public_hours"
    assert "负数" in error.message


def test_wrong_type_refused(tmp_path: Path):
    """A string where an integer belongs."""
    path = broken(tmp_path, "max_submissions = 3 ", 'max_submissions = "3" ')
    error = refused(path)
    assert error.key == "rules.max_submissions" and "应为整数" in error.message


#: The single publicity's last sentence (the combined notice has a sentence like it).
UNIQUE_PHONE_LINE = (
    "{{ 姓名 }}同志的相关信息有疑异，请电话或书面形式反映至{{ 受理办公室 }}办公室，"
    "监督电话：{{ 监督电话 }}"
)


def test_template_syntax_error_refused(tmp_path: Path):
    """A template that does not compile is refused with its key."""
    path = broken(tmp_path, UNIQUE_PHONE_LINE, UNIQUE_PHONE_LINE[:-1])
    error = refused(path)
    assert error.key == "templates.publicity" and "模板语法错误" in error.message


def test_unknown_placeholder_refused(tmp_path: Path):
    """A placeholder outside PLACEHOLDERS is refused and named."""
    path = broken(
        tmp_path, UNIQUE_PHONE_LINE, UNIQUE_PHONE_LINE.replace("监督电话 }}", "举报电话 }}")
    )
    error = refused(path)
    assert error.key == "templates.publicity"
    assert "未知的占位符" in error.message and "举报电话" in error.message


def test_placeholder_not_allowed_in_that_template(tmp_path: Path):
    """The recommendation sentence may not use the applicant's ID number."""
    path = broken(
        tmp_path,
        "recommendation = '''本单位",
        "recommendation = '''{{ 身份证号 }}本单位",
    )
    error = refused(path)
    assert error.key == "templates.recommendation" and "身份证号" in error.message


def test_code_must_match_file_name(tmp_path: Path):
    """The file name is the campaign code."""
    source = next(p for p in shipped_definition_paths() if p.stem == "bz-water-2021")
    path = tmp_path / "bz-water-2022.toml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    error = refused(path)
    assert error.key == "code"


def test_parse_definition_names_the_given_file():
    """parse_definition reports the file name it is given."""
    with pytest.raises(CampaignDefinitionError) as info:
        parse_definition({"code": "x"}, "somewhere.toml")
    assert info.value.file == "somewhere.toml"
    assert str(info.value).startswith("somewhere.toml: ")


# --------------------------------------------------------------------------- JSON form


def test_round_trip_through_json(shipped: dict[str, CampaignDefinition]):
    """to_dict is JSON-serialisable and from_dict rebuilds an equal definition."""
    for d in shipped.values():
        data = json.loads(json.dumps(to_dict(d), ensure_ascii=False))
        assert data["issued_on"] == d.issued_on.isoformat()
        again = from_dict(data)
        assert again == d
        assert again.fee("first_determination", "junior") == d.fee("first_determination", "junior")
    assert to_dict(shipped["002"])["windows"][3]["end"] is None


def test_from_dict_validates(shipped: dict[str, CampaignDefinition]):
    """from_dict refuses a bad stored definition just like the loader."""
    data = to_dict(shipped["002"])
    data["windows"][0]["end"] = "2023-09-01"
    with pytest.raises(CampaignDefinitionError) as info:
        from_dict(data, "campaign#7")
    assert info.value.file == "campaign#7" and info.value.key == "windows[0].end"
    data = to_dict(shipped["002"])
    data["issued_on"] = "2023-02-30"
    with pytest.raises(CampaignDefinitionError) as info:
        from_dict(data)
    assert info.value.key == "issued_on"


CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@pytest.mark.parametrize("path", shipped_definition_paths(), ids=lambda p: p.stem)
def test_each_commitment_text_states_its_own_ban_years(path) -> None:
    # 000 七（四）, 003 六（四）: 五年内; 002 五（一）12: 3年内; 001 七（三）: 5年内 — the printed
    # commitment must not promise a different ban from the notice's.
    defn = load_definition(path)
    match = re.search(r"([一二三四五六七八九]|\d+)\s*年内", defn.commitment.text)
    assert match, defn.commitment.text
    years = CN_DIGITS.get(match.group(1)) or int(match.group(1))
    assert years == defn.commitment.ban_years
