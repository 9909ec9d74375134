"""Address codes (GB/T 2260) for the first six digits of a citizen ID number.

Xinjiang (65) is listed in full, county by county, with the codes that have since been
retired but are still printed on ID cards (an ID keeps the code of the place where it was
first issued). Other provinces are checked only by their two-digit code and a plausible
prefecture part; see ``is_known_region``. Checked against the Ministry of Civil Affairs
lists of 1985, 1995 and 2020.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

XINJIANG = "65"

# Prefecture-level units of Xinjiang (code ends in 00), current and retired.
XINJIANG_PREFECTURES: dict[str, str] = {
    "650100": "乌鲁木齐市",
    "650200": "克拉玛依市",
    "650400": "吐鲁番市",
    "650500": "哈密市",
    "652300": "昌吉回族自治州",
    "652700": "博尔塔拉蒙古自治州",
    "652800": "巴音郭楞蒙古自治州",
    "652900": "阿克苏地区",
    "653000": "克孜勒苏柯尔克孜自治州",
    "653100": "喀什地区",
    "653200": "和田地区",
    "654000": "伊犁哈萨克自治州",
    "654200": "塔城地区",
    "654300": "阿勒泰地区",
    "659000": "自治区直辖县级行政区划",
    # retired
    "652100": "吐鲁番地区",  # became 650400 in 2015
    "652200": "哈密地区",  # became 650500 in 2016
    "654100": "伊犁地区",  # merged into 654000 in 2001
}

# County-level units of Xinjiang in use today.
XINJIANG_COUNTIES: dict[str, str] = {
    # 乌鲁木齐市
    "650102": "天山区",
    "650103": "沙依巴克区",
    "650104": "新市区",
    "650105": "水磨沟区",
    "650106": "头屯河区",
    "650107": "达坂城区",
    "650109": "米东区",
    "650121": "乌鲁木齐县",
    # 克拉玛依市
    "650202": "独山子区",
    "650203": "克拉玛依区",
    "650204": "白碱滩区",
    "650205": "乌尔禾区",
    # 吐鲁番市
    "650402": "高昌区",
    "650421": "鄯善县",
    "650422": "托克逊县",
    # 哈密市
    "650502": "伊州区",
    "650521": "巴里坤哈萨克自治县",
    "650522": "伊吾县",
    # 昌吉回族自治州
    "652301": "昌吉市",
    "652302": "阜康市",
    "652323": "呼图壁县",
    "652324": "玛纳斯县",
    "652325": "奇台县",
    "652327": "吉木萨尔县",
    "652328": "木垒哈萨克自治县",
    # 博尔塔拉蒙古自治州
    "652701": "博乐市",
    "652702": "阿拉山口市",
    "652722": "精河县",
    "652723": "温泉县",
    # 巴音郭楞蒙古自治州
    "652801": "库尔勒市",
    "652822": "轮台县",
    "652823": "尉犁县",
    "652824": "若羌县",
    "652825": "且末县",
    "652826": "焉耆回族自治县",
    "652827": "和静县",
    "652828": "和硕县",
    "652829": "博湖县",
    # 阿克苏地区
    "652901": "阿克苏市",
    "652902": "库车市",
    "652922": "温宿县",
    "652924": "沙雅县",
    "652925": "新和县",
    "652926": "拜城县",
    "652927": "乌什县",
    "652928": "阿瓦提县",
    "652929": "柯坪县",
    # 克孜勒苏柯尔克孜自治州
    "653001": "阿图什市",
    "653022": "阿克陶县",
    "653023": "阿合奇县",
    "653024": "乌恰县",
    # 喀什地区
    "653101": "喀什市",
    "653121": "疏附县",
    "653122": "疏勒县",
    "653123": "英吉沙县",
    "653124": "泽普县",
    "653125": "莎车县",
    "653126": "叶城县",
    "653127": "麦盖提县",
    "653128": "岳普湖县",
    "653129": "伽师县",
    "653130": "巴楚县",
    "653131": "塔什库尔干塔吉克自治县",
    # 和田地区
    "653201": "和田市",
    "653221": "和田县",
    "653222": "墨玉县",
    "653223": "皮山县",
    "653224": "洛浦县",
    "653225": "策勒县",
    "653226": "于田县",
    "653227": "民丰县",
    # 伊犁哈萨克自治州
    "654002": "伊宁市",
    "654003": "奎屯市",
    "654004": "霍尔果斯市",
    "654021": "伊宁县",
    "654022": "察布查尔锡伯自治县",
    "654023": "霍城县",
    "654024": "巩留县",
    "654025": "新源县",
    "654026": "昭苏县",
    "654027": "特克斯县",
    "654028": "尼勒克县",
    # 塔城地区
    "654201": "塔城市",
    "654202": "乌苏市",
    "654203": "沙湾市",
    "654221": "额敏县",
    "654224": "托里县",
    "654225": "裕民县",
    "654226": "和布克赛尔蒙古自治县",
    # 阿勒泰地区
    "654301": "阿勒泰市",
    "654321": "布尔津县",
    "654322": "富蕴县",
    "654323": "福海县",
    "654324": "哈巴河县",
    "654325": "青河县",
    "654326": "吉木乃县",
    # 自治区直辖县级行政区划 (兵团 cities)
    "659001": "石河子市",
    "659002": "阿拉尔市",
    "659003": "图木舒克市",
    "659004": "五家渠市",
    "659005": "北屯市",
    "659006": "铁门关市",
    "659007": "双河市",
    "659008": "可克达拉市",
    "659009": "昆玉市",
    "659010": "胡杨河市",
    "659011": "新星市",
    "659012": "白杨市",
}

# Retired county-level codes of Xinjiang that still appear on ID cards.
XINJIANG_HISTORIC_COUNTIES: dict[str, str] = {
    "650108": "东山区",  # merged into 米东区 650109 in 2007
    "652101": "吐鲁番市",  # now 高昌区 650402
    "652122": "鄯善县",  # now 650421
    "652123": "托克逊县",  # now 650422
    "652201": "哈密市",  # now 伊州区 650502
    "652222": "巴里坤哈萨克自治县",  # now 650521
    "652223": "伊吾县",  # now 650522
    "652303": "米泉市",  # 1996-2007, then 米东区 650109
    "652322": "米泉县",  # until 1996
    "652326": "阜康县",  # until 1992, then 阜康市 652302
    "652923": "库车县",  # until 2019, then 库车市 652902
    "653021": "阿图什县",  # until 1986, then 阿图什市 653001
    "654001": "奎屯市",  # until 2001, then 654003
    "654101": "伊宁市",  # 伊犁地区 until 2001, then 654002
    "654121": "伊宁县",
    "654122": "察布查尔锡伯自治县",
    "654123": "霍城县",
    "654124": "巩留县",
    "654125": "新源县",
    "654126": "昭苏县",
    "654127": "特克斯县",
    "654128": "尼勒克县",
    "654222": "乌苏县",  # until 1996, then 乌苏市 654202
    "654223": "沙湾县",  # until 2021, then 沙湾市 654203
}

# Codes on ID-format numbers of Hong Kong, Macao and Taiwan residence permits (2018 on).
RESIDENCE_PERMIT_CODES: dict[str, str] = {
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
    "830000": "台湾地区",
}

# Hainan's cities were coded 4600xx before the 4690xx block; they keep 00 in digits 3-4.
_ZERO_PREFECTURE_ALLOWED = {"46"}


def is_known_region(code: str) -> bool:
    """Tell whether a 6-digit code can open a citizen ID number.

    Xinjiang codes must be in the tables above. Elsewhere the province must exist and
    digits 3-4 (the prefecture) must be 01-90 (Hainan may also use 00); Taiwan, Hong Kong
    and Macao take only their residence-permit codes.
    """
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    if code in RESIDENCE_PERMIT_CODES:
        return True
    province, prefecture = code[:2], code[2:4]
    if province not in PROVINCES or province in ("71", "81", "82"):
        return False
    if province == XINJIANG:
        return (
            code in XINJIANG_COUNTIES
            or code in XINJIANG_HISTORIC_COUNTIES
            or code in XINJIANG_PREFECTURES
        )
    if prefecture == "00":
        return province in _ZERO_PREFECTURE_ALLOWED and code[4:] != "00"
    return 1 <= int(prefecture) <= 90


def region_name(code: str) -> str:
    """Name a region code: the Xinjiang county or prefecture, else the province; "" if unknown."""
    for table in (
        XINJIANG_COUNTIES,
        XINJIANG_HISTORIC_COUNTIES,
        XINJIANG_PREFECTURES,
        RESIDENCE_PERMIT_CODES,
    ):
        if code in table:
            return table[code]
    if code[:2] == XINJIANG:
        return ""
    return PROVINCES.get(code[:2], "")
