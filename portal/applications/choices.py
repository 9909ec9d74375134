"""Fixed lists an application form chooses from, with (value, label) lists for SelectField.

Work-team service grounds are not here: each campaign definition brings its own.
"""

from __future__ import annotations

from collections.abc import Iterable

Choices = list[tuple[str, str]]

PLACEHOLDER = "请选择"


def as_choices(values: Iterable[str], placeholder: str | None = None) -> Choices:
    """Turn values into WTForms (value, label) pairs, optionally led by an empty placeholder."""
    pairs: Choices = [(value, value) for value in values]
    if placeholder is not None:
        pairs.insert(0, ("", placeholder))
    return pairs


GENDERS: tuple[str, ...] = ("男", "女")

# The 56 recognised groups in the order of GB/T 3304 (code = position, 01 汉族 … 56 基诺族).
ETHNICITIES: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族",
    "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族",
    "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族",
    "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族",
    "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族",
    "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip

POLITICAL_STATUSES: tuple[str, ...] = (
    "中共党员",
    "中共预备党员",
    "共青团员",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "民进会员",
    "农工党党员",
    "致公党党员",
    "九三学社社员",
    "台盟盟员",
    "无党派人士",
    "群众",
)

# Highest first, as forms list them; EDUCATION_RANK orders them lowest to highest.
EDUCATION_LEVELS: tuple[str, ...] = (
    "博士研究生",
    "硕士研究生",
    "大学本科",
    "大学专科",
    "中等专科",
    "高中",
    "初中及以下",
)
# 中等专科 and 高中 are both upper-secondary schooling, so they share a rank.
EDUCATION_RANK: dict[str, int] = {
    "初中及以下": 0,
    "高中": 1,
    "中等专科": 1,
    "大学专科": 2,
    "大学本科": 3,
    "硕士研究生": 4,
    "博士研究生": 5,
}

DEGREES: tuple[str, ...] = ("博士", "硕士", "学士", "无")

MANDARIN_LEVELS: tuple[str, ...] = (
    "一级甲等",
    "一级乙等",
    "二级甲等",
    "二级乙等",
    "三级甲等",
    "三级乙等",
    "未测试",
)

# Lightest first. 降低岗位等级 is the public-institution staff form (事业单位工作人员处分规定).
SANCTIONS: tuple[str, ...] = ("警告", "记过", "记大过", "降级", "降低岗位等级", "撤职", "开除")
# Staff under a sanction of 记过 or above may not apply while it runs (notices 000-003).
SANCTIONS_BARRING: frozenset[str] = frozenset(SANCTIONS[SANCTIONS.index("记过") :])


def education_rank(level: str) -> int:
    """Rank an education level, 0 for 初中及以下 up to 5 for 博士研究生; unknown gives -1."""
    return EDUCATION_RANK.get(level, -1)


def sanction_bars_application(sanction: str | None) -> bool:
    """Tell whether a running sanction is 记过 or above and so bars the application."""
    return sanction in SANCTIONS_BARRING


GENDER_CHOICES: Choices = as_choices(GENDERS)
ETHNICITY_CHOICES: Choices = as_choices(ETHNICITIES, PLACEHOLDER)
POLITICAL_STATUS_CHOICES: Choices = as_choices(POLITICAL_STATUSES, PLACEHOLDER)
EDUCATION_CHOICES: Choices = as_choices(EDUCATION_LEVELS, PLACEHOLDER)
DEGREE_CHOICES: Choices = as_choices(DEGREES, PLACEHOLDER)
MANDARIN_CHOICES: Choices = as_choices(MANDARIN_LEVELS, PLACEHOLDER)
SANCTION_CHOICES: Choices = as_choices(SANCTIONS, "无")
