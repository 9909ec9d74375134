"""The format reference, the `campaigns check` report, refusals and citations of every notice."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from portal.campaigns.definition import (
    CampaignDefinitionError,
    load_definition,
    loads_definition,
    shipped_definition_paths,
)
from portal.campaigns.reference import format_reference, walk
from portal.rules.checks import AppFacts, check_application

ROOT = Path(__file__).resolve().parents[2]
HT_FILE = Path(__file__).resolve().parent / "data" / "ht-culture-2025.toml"
ALL_FILES = [*shipped_definition_paths(), HT_FILE]


def test_the_committed_reference_is_generated_from_the_schema():
    # docs/campaign-format.md is regenerated with `flask --app wsgi campaigns reference`.
    committed = (ROOT / "docs" / "campaign-format.md").read_text(encoding="utf-8")
    assert committed == format_reference()


@pytest.mark.parametrize("key", list(walk()), ids=lambda k: k.path)
def test_every_key_has_a_description_and_an_example_of_its_type(key):
    # One example per key, written as a bureau would write it, and valid for that key.
    assert key.field.description, key.path
    assert key.example, key.path
    value = tomllib.loads(key.example)[key.name]
    text = json.dumps(value, default=lambda v: v.isoformat(), ensure_ascii=False)
    TypeAdapter(key.field.annotation).validate_json(text, strict=True)


def test_the_check_command_works_before_the_database_exists(app, runner):
    # A bureau checks its file on a machine where `db upgrade` has not run yet.
    from portal.extensions import db

    with app.app_context():
        db.drop_all()
    res = runner.invoke(args=["campaigns", "check", str(HT_FILE)])
    assert res.exit_code == 0, res.output
    assert "所属：和田地区" in res.output
    assert "新的评审通知" in res.output


def test_the_check_command_says_what_the_portal_will_do(runner, world):
    res = runner.invoke(args=["campaigns", "check", str(HT_FILE)])
    assert res.exit_code == 0, res.output
    out = res.output
    for expected in [
        "所属：和田地区",
        "评审：初级 220元，中级 380元，副高级 500元",
        "初次确定：初级 100元，中级 未规定，副高级 未规定",
        "申报初级、中级的人员一律免于答辩",
        "申报副高级的人员一律参加答辩",
        "中级：公需科目 2022—2025年；专业科目 2025年",
        "副高级：不查继续教育",
        "通知不要求年度考核",
        "专业为播音员主持人：一级乙等及以上",
        "纸质材料报送：2025年9月26日前",
        "答辩：时间另行通知",
        "网上申报：2025年8月11日至2025年9月12日 18:00",
        "近5年发表的论文、著作原件 —— 只适用于：副高级",
        "学历证书原件及复印件（1份） —— 只适用于：首次申报",
        "附件文书：申报材料袋封面（代码 bag-cover）",
        "表格 材料清单：序号、材料名称、份数、页数（手填），另加2行空白",
        "副高级评审通过率不超过申报人数的60%",
        "论文、代表著作：和地文旅发〔2025〕31号（未写条款）",
        "状态“已报送”显示为“已报送地区”",
        "代码：ht-culture-2025；新的评审通知",
    ]:
        assert expected in out, expected
    shipped = runner.invoke(args=["campaigns", "check", str(shipped_definition_paths()[0])])
    assert "将替换已导入的“2021年度自治州文化系列职称评审”" in shipped.output


def test_the_check_command_lists_every_problem_of_a_bad_file(runner, world, tmp_path):
    bad = tmp_path / "ht-culture-2025.toml"
    text = HT_FILE.read_text(encoding="utf-8")
    text = text.replace('minimum = "三级甲等"', 'minimum = "四级"').replace(
        "yuan = 500", "yuan = -5"
    )
    bad.write_text(text, encoding="utf-8")
    res = runner.invoke(args=["campaigns", "check", str(bad)])
    assert res.exit_code == 1
    assert f"{bad}: fees[2].yuan: 不能为负数" in res.output
    assert f"{bad}: rules.language.minimum: 未知的普通话等级 '四级'" in res.output


BROKEN = [
    # (old text, new text, key, words of the reason)
    ('kind = "online"', 'kind = "online"\nkind2 = 1', "windows[0].kind2", "未知的键"),
    ('end_time = "18:00"', 'end_time = "25:00"', "windows[0].end_time", "时刻"),
    (
        'public_years = "2022-2025"',
        'public_years = "2025-2022"',
        "rules.continuing_education.by_level.intermediate.public_years",
        "晚于",
    ),
    (
        'public_years = "2022-2025"',
        'public_years = "2023-2026"',
        "rules.continuing_education.by_level.intermediate.public_years",
        "晚于评审年度",
    ),
    (
        'levels = ["deputy_senior"]\nclause',
        'levels = ["senior"]\nclause',
        "notes[0].levels[0]",
        "不在本次评审的级别",
    ),
    (
        'required_levels = ["deputy_senior"]',
        'required_levels = ["intermediate"]',
        "defense_exemption.required_levels[0]",
        "同时写在 levels 中",
    ),
    (
        "exempt = true",
        'exempt = true\nminimum = "二级甲等"',
        "rules.language.cases[1]",
        "二者只写其一",
    ),
    ('sanction = "记过"', 'sanction = "批评"', "rules.eligibility.sanction", "未知的处分"),
    ('code = "bag-cover"', 'code = "catalog"', "annexes[0].code", "系统自带文书"),
    ("<h1>{{ 年度 }}", '<h1 onclick="x()">{{ 年度 }}', "annexes[0].template", "onclick"),
    (
        "<h1>{{ 年度 }}",
        "<script>alert(1)</script><h1>{{ 年度 }}",
        "annexes[0].template",
        "<script>",
    ),
    ("{{ 材料清单 }}", "{{ 材料清单 }}{{ 姓名.upper() }}", "annexes[0].template", "不允许"),
    ("<p>袋内材料", "<p>{{ 电话 }}袋内材料", "annexes[0].template", "未知的占位符"),
    (
        '<p class="right">报送',
        '<p class="right">{{ 材料清单 }}报送',
        "annexes[0].template",
        "单独占一行",
    ),
    ('name = "材料清单"', 'name = "材料表"', "annexes[0].tables[0].name", "未知的表"),
    (
        '[[contacts]]\nrole = "监督举报"\nphones = ["0903-2029999"]',
        '[[contacts]]\nrole = "监督举报"\nphones = []',
        "contacts[1].phones",
        "不能为空",
    ),
    ('label = "资格审核"', 'label = ""', "windows[1].label", "kind"),
    (
        'eligibility = "一（三）"',
        'eligibility = "一（三）"\nbonus = "九"',
        "clauses.bonus",
        "未知的键",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "reason"), BROKEN, ids=[b[2] for b in BROKEN])
def test_every_refusal_names_file_key_and_reason(old, new, key, reason):
    text = HT_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    with pytest.raises(CampaignDefinitionError) as info:
        loads_definition(text.replace(old, new), "ht-culture-2025.toml", "ht-culture-2025")
    error = info.value
    assert (key, reason) in [(k, reason) for k, m in error.problems if reason in m], error.lines()
    assert all(line.startswith("ht-culture-2025.toml: ") for line in error.lines())


# --------------------------------------------------------------------------- citations


def _bad_sections(defn) -> dict:
    """An application that breaks every rule a notice can state."""
    return {
        "basic": {
            "retired": True,
            "civil_servant": True,
            "sanction": "开除",
            "sanction_end": "2099-01-01",
            "unit_nature": "事业单位",
            "mandarin_level": "未测试",
            "teaching_language": "",
            "series_code": defn.series[0].code,
            "specialty": (defn.series[0].specialties or ("",))[0],
        },
        "education": {"rows": [{"start": "2010-09-01", "end": "2012-07-01", "level": "大学本科"},
                               {"start": "2005-09-01", "end": "2008-07-01", "level": "大学专科"}]},
        "work": {"rows": [{"start": "2008-08-01", "end": "2010-06-30", "unit": "甲", "work": "x"},
                          {"start": "2013-07-01", "end": None, "unit": "乙", "work": "x"}]},
        "papers": {"none": False, "rows": [{"title": "一", "level": "县级"}]},
        "assessments": {
            "rows": [{"year": y, "result": "incompetent"} for y in defn.rules.assessment.years]
        },
        "continuing_education": {
            "exempt": False,
            "rows": [{"year": defn.year, "public_hours": 1, "professional_hours": 1}],
        },
        "publicity": {"objections": ""},
    }  # fmt: skip


EVERY_LEVEL = [(p, level) for p in ALL_FILES for level in load_definition(p).levels]


@pytest.mark.parametrize(("path", "level"), EVERY_LEVEL, ids=lambda v: getattr(v, "stem", v))
def test_no_finding_cites_another_notice(path: Path, level: str):
    # A finding cites its own notice (“简称 条款”) or nothing — never another notice's clause.
    defn = load_definition(path)
    others = {load_definition(p).citation for p in ALL_FILES} - {defn.citation}
    online = defn.window("online")
    late = online.last_day if online and online.last_day else date(defn.year, 12, 31)
    facts = AppFacts(level=level, kind=defn.kinds[0], status="returned", submissions=9,
                     resubmit_due=datetime(defn.year, 1, 1))  # fmt: skip
    found = check_application(
        _bad_sections(defn), facts, defn, late.replace(day=28) if late.day < 28 else late
    )
    assert len(found) >= 5
    for finding in found:
        assert finding.source == "" or finding.source.startswith(defn.citation), finding
        assert not any(other in finding.source for other in others), finding
        assert not re.match(r"\d{3} ", finding.source), finding  # no bare number such as “002 一”


def test_annex_tables_and_fields_have_distinct_names():
    # A table placeholder stands alone on its line; a field of the same name could not be used.
    from portal.campaigns.placeholders import ANNEX_FIELDS, ANNEX_TABLES

    assert not set(ANNEX_FIELDS) & set(ANNEX_TABLES)
