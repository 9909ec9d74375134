"""The fixed choice lists of the application form and the vocabulary behind them."""

from portal import vocabulary
from portal.applications import choices


def test_ethnicities_are_the_56_groups_in_standard_order():
    assert len(vocabulary.ETHNICITIES) == len(set(vocabulary.ETHNICITIES)) == 56
    assert vocabulary.ETHNICITIES[0] == "汉族"
    assert vocabulary.ETHNICITIES[4] == "维吾尔族"
    assert vocabulary.ETHNICITIES[16] == "哈萨克族"
    assert vocabulary.ETHNICITIES[-1] == "基诺族"
    assert all(group.endswith("族") for group in vocabulary.ETHNICITIES)


def test_political_statuses_end_with_the_masses():
    assert vocabulary.POLITICAL_STATUSES[0] == "中共党员"
    assert vocabulary.POLITICAL_STATUSES[-1] == "群众"
    assert len(vocabulary.POLITICAL_STATUSES) == 13


def test_education_rank_orders_levels_from_lowest_to_highest():
    rank = vocabulary.EDUCATION_RANK
    ordered = sorted(vocabulary.EDUCATION_LEVELS, key=rank.__getitem__)
    assert ordered[0] == "初中及以下"
    assert ordered[-1] == "博士研究生"
    assert rank["大学本科"] > rank["大学专科"]
    assert rank["中等专科"] == rank["高中"]
    assert set(rank) == set(vocabulary.EDUCATION_LEVELS)


def test_sanctions_are_ordered_from_the_lightest():
    # 000, 001, 002, 003: 受记过以上处分且在处分期内的 不得申报 — “以上” needs the order.
    assert not vocabulary.sanction_at_least("警告", "记过")
    assert not vocabulary.sanction_at_least(None, "记过")
    assert not vocabulary.sanction_at_least("", "记过")
    for sanction in ("记过", "记大过", "降级", "降低岗位等级", "撤职", "开除"):
        assert vocabulary.sanction_at_least(sanction, "记过")
    assert vocabulary.sanction_at_least("警告", "警告")


def test_mandarin_grades_are_ordered_from_the_highest():
    # 一级甲等 … 三级乙等: a notice's minimum is met by that grade or a higher one.
    assert vocabulary.mandarin_at_least("一级甲等", "二级乙等")
    assert vocabulary.mandarin_at_least("二级乙等", "二级乙等")
    assert not vocabulary.mandarin_at_least("三级甲等", "二级乙等")
    assert not vocabulary.mandarin_at_least("未测试", "三级乙等")
    assert not vocabulary.mandarin_at_least("", "三级乙等")


def test_choice_lists_fit_a_select_field():
    assert choices.GENDER_CHOICES == [("男", "男"), ("女", "女")]
    assert choices.ETHNICITY_CHOICES[0] == ("", "请选择")
    assert choices.ETHNICITY_CHOICES[1] == ("汉族", "汉族")
    assert len(choices.ETHNICITY_CHOICES) == 57
    assert choices.SANCTION_CHOICES[0] == ("", "无")
    assert ("未测试", "未测试") in choices.MANDARIN_CHOICES
    assert [value for value, _ in choices.DEGREE_CHOICES] == ["", "博士", "硕士", "学士", "无"]
