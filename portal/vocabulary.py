"""The portal's vocabularies: every fixed list of codes and their Chinese labels, in one place.

Campaign-independent words only (levels, kinds, statuses, ethnicities …); what a notice
decides (series, fees, exemption grounds) comes from the campaign definition. Pure data:
this module imports nothing of the portal, so every layer may use it.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- campaigns


LEVELS: tuple[str, ...] = ("junior", "intermediate", "deputy_senior", "senior")
LEVEL_LABELS: dict[str, str] = {
    "junior": "初级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}

KINDS: tuple[str, ...] = ("evaluation", "first_determination", "conferment")
KIND_LABELS: dict[str, str] = {
    "evaluation": "评审",
    "first_determination": "初次确定",
    "conferment": "授予",
}

WINDOW_KINDS: tuple[str, ...] = ("online", "paper", "fee", "defense")
WINDOW_KIND_LABELS: dict[str, str] = {
    "online": "网上申报",
    "paper": "纸质材料报送",
    "fee": "缴费",
    "defense": "答辩",
}

ASSESSMENT_RESULTS: tuple[str, ...] = (
    "excellent",
    "competent",
    "basically_competent",
    "incompetent",
)
ASSESSMENT_RESULT_LABELS: dict[str, str] = {
    "excellent": "优秀",
    "competent": "合格",
    "basically_competent": "基本合格",
    "incompetent": "不合格",
}

UNIT_NATURES: tuple[str, ...] = ("事业单位", "企业", "民营企业", "社会组织", "人事代理")

COMMITMENT_MODES: tuple[str, ...] = ("form_sentence", "document")
COMMITMENT_MODE_LABELS: dict[str, str] = {
    "form_sentence": "在评审表中手写承诺语",
    "document": "单独的个人承诺书",
}

#: The scope of a campaign that belongs to the whole region rather than to one prefecture.
REGION_WIDE = "全区"

#: The documents every campaign has, as used in URLs and on the command line; a campaign's
#: own annex documents come beside them under codes of their own.
BUILTIN_DOCUMENT_KINDS: tuple[str, ...] = (
    "publicity",
    "publicity-result",
    "commitment",
    "ce-exemption",
    "catalog",
)
BUILTIN_DOCUMENT_LABELS: dict[str, str] = {
    "publicity": "推荐单位公示",
    "publicity-result": "推荐单位公示结果",
    "commitment": "个人承诺书",
    "ce-exemption": "免除继续教育学习申请表",
    "catalog": "申报材料目录",
}

PAPER_SCOPES: tuple[str, ...] = ("county_and_below", "all")
PAPER_SCOPE_LABELS: dict[str, str] = {
    "county_and_below": "在县及县以下单位工作的专业技术人员",
    "all": "全部申报人",
}


# --------------------------------------------------------------------------- applicants

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

# The Putonghua proficiency test (普通话水平测试) grades, highest first, then “not tested”.
MANDARIN_LEVELS: tuple[str, ...] = (
    "一级甲等",
    "一级乙等",
    "二级甲等",
    "二级乙等",
    "三级甲等",
    "三级乙等",
    "未测试",
)
#: The grades a notice may set as a minimum, highest first (未测试 is no grade).
MANDARIN_GRADES: tuple[str, ...] = MANDARIN_LEVELS[:-1]


def mandarin_at_least(held: str | None, minimum: str) -> bool:
    """Tell whether the grade held reaches ``minimum`` (一级甲等 is the highest)."""
    if held not in MANDARIN_GRADES:
        return False
    return MANDARIN_GRADES.index(held) <= MANDARIN_GRADES.index(minimum)


# Lightest first. 降低岗位等级 is the public-institution staff form (事业单位工作人员处分规定).
SANCTIONS: tuple[str, ...] = ("警告", "记过", "记大过", "降级", "降低岗位等级", "撤职", "开除")


def sanction_at_least(sanction: str | None, lightest: str) -> bool:
    """Tell whether ``sanction`` is ``lightest`` or heavier (a notice bars 记过 and above)."""
    if sanction not in SANCTIONS:
        return False
    return SANCTIONS.index(sanction) >= SANCTIONS.index(lightest)


# --------------------------------------------------------------------------- workflow

STATUSES = (
    "draft",
    "in_publicity",
    "publicity_ended",
    "recommended",
    "reported",
    "returned",
    "resubmitted",
    "accepted",
    "rejected",
)
STATUS_LABELS = {
    "draft": "草稿",
    "in_publicity": "公示中",
    "publicity_ended": "公示结束",
    "recommended": "已推荐",
    # Neutral where several campaigns are listed; one campaign says 已报送州 / 已报送地区
    # in its own words (CampaignDefinition.status_labels).
    "reported": "已报送",
    "returned": "已退回",
    "resubmitted": "已重新提交",
    "accepted": "已受理",
    "rejected": "不予受理",
}

# Statuses that close the application for good: no further change and no editing (only an
# admin may reverse the change that closed it, with a reason).
CLOSED_STATUSES: tuple[str, ...] = ("accepted", "rejected")
# Statuses with the application at the prefecture: its sections are locked so that the data
# and the documents sent stay alike; editing needs a return (已退回) or an explicit, audited
# unlock.
SENT_STATUSES: tuple[str, ...] = ("reported", "resubmitted")
LOCKED_STATUSES: tuple[str, ...] = (*SENT_STATUSES, *CLOSED_STATUSES)

# Statuses in which the office still prepares the application: it may be edited, imported
# over, and shows on the dashboard when a blocking problem remains.
PREPARING_STATUSES: tuple[str, ...] = ("draft", "in_publicity", "publicity_ended", "returned")
# Statuses of the applications an office sends to the prefecture: recommended by the unit, or
# reported (and since returned, resubmitted or accepted). The roster lists these by default and
# counts the fees of these only.
SENT_STATUSES: tuple[str, ...] = ("recommended", "reported", "returned", "resubmitted", "accepted")
# Statuses before the first report to the prefecture: the online window still matters.
BEFORE_REPORT_STATUSES: tuple[str, ...] = (
    "draft",
    "in_publicity",
    "publicity_ended",
    "recommended",
)
