"""The placeholders a campaign's templates and annex documents may use, with their meaning.

Pure data: the schema validates templates against these names, the format reference lists
them, and ``portal.documents.context`` fills them for one application.
"""

from __future__ import annotations

#: Placeholders of the texts a recommending unit issues (publicity, result, commitment …).
PLACEHOLDERS: dict[str, str] = {
    "姓名": "申报人姓名",
    "性别": "性别",
    "族别": "族别（民族）",
    "政治面貌": "政治面貌",
    "身份证号": "公民身份号码（公示中按主管部门设置隐去中间部分）",
    "现任资格": "现任专业技术职务任职资格",
    "系列": "系列名称，不含“系列”二字（如“文化”），模板中写作“{{ 系列 }}系列”",
    "专业": "专业名称，不含“专业”二字（如“群众文化”），模板中写作“{{ 专业 }}专业”",
    "级别": "申报级别，如“中级”",
    "思想政治表现": "思想政治表现",
    "业绩成果": "近五年的实践能力和业绩成果及本人的实际贡献",
    "公示开始": "公示开始日期，已格式化，如“2024年8月1日”",
    "公示结束": "公示结束日期，已格式化，如“2024年8月7日”",
    "公示天数": "公示天数",
    "受理办公室": "受理异议的办公室名称，不含“办公室”三字（如“人事”）",
    "监督电话": "监督电话",
    "单位负责人": "推荐单位负责人姓名",
    "推荐单位": "推荐单位名称",
    "日期": "落款日期，已格式化，如“2024年8月8日”",
}

#: Placeholders only the combined (multi-person) publicity notice has.
COMBINED_PLACEHOLDERS: dict[str, str] = {
    "名单": "公示人员名单表及每人的思想政治条件、业绩成果；须单独占一行",
    "姓名列表": "公示人员姓名，以顿号分隔，如“张三、李四”",
    "人数": "公示人数，如“3”",
}

TEMPLATE_NAMES: tuple[str, ...] = (
    "publicity",
    "publicity_result",
    "commitment",
    "recommendation",
    "publicity_combined",
)
TEMPLATE_LABELS: dict[str, str] = {
    "publicity": "推荐单位公示",
    "publicity_result": "推荐单位公示结果",
    "commitment": "个人承诺书",
    "recommendation": "推荐意见",
    "publicity_combined": "推荐单位公示（多人合并）",
}

TEMPLATE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "publicity": frozenset(PLACEHOLDERS),
    "publicity_result": frozenset(
        {
            "姓名",
            "系列",
            "专业",
            "级别",
            "公示开始",
            "公示结束",
            "公示天数",
            "单位负责人",
            "推荐单位",
            "日期",
        }
    ),
    "commitment": frozenset(
        {"姓名", "性别", "族别", "身份证号", "现任资格", "系列", "专业", "级别", "推荐单位", "日期"}
    ),
    "recommendation": frozenset({"推荐单位", "单位负责人", "日期"}),
    "publicity_combined": frozenset(
        {
            *COMBINED_PLACEHOLDERS,
            "公示开始",
            "公示结束",
            "公示天数",
            "受理办公室",
            "监督电话",
            "单位负责人",
            "推荐单位",
            "日期",
        }
    ),
}

#: Fields an annex document (附件) may print, from the application, its unit and office.
ANNEX_FIELDS: dict[str, str] = {
    "姓名": "申报人姓名",
    "性别": "性别",
    "族别": "族别（民族）",
    "出生年月": "出生年月，如“1986年3月”",
    "身份证号": "公民身份号码（18位，完整）",
    "身份证号隐去": "公民身份号码，隐去中间部分，如“652824********0021”",
    "政治面貌": "政治面貌",
    "学历": "最高学历",
    "学位": "最高学位",
    "毕业院校": "最高学历的毕业院校及专业",
    "参加工作时间": "参加工作时间，如“2008年8月”",
    "现任资格": "现任专业技术职务任职资格",
    "取得时间": "现任资格的取得时间，如“2016年9月”",
    "普通话等级": "普通话水平测试等级",
    "系列": "申报系列，如“文化系列”",
    "专业": "申报专业",
    "级别": "申报级别，如“中级”",
    "类型": "申报类型，如“评审”",
    "评审费": "评审费（元），通知未规定时为空",
    "免于答辩": "“是”或“否”",
    "免于答辩依据": "免于答辩的情形，如“在若羌县工作”；不免于答辩时为空",
    "推荐单位": "推荐单位名称",
    "单位性质": "推荐单位性质，如“事业单位”",
    "单位负责人": "推荐单位负责人",
    "单位所在县市": "推荐单位所在县市",
    "主管部门": "县市主管部门名称",
    "主管部门县市": "县市主管部门所在县市",
    "地州": "县市主管部门所属地州",
    "评审通知": "评审通知标题",
    "发文单位": "评审通知的发文单位",
    "报送单位": "报送的州（地区）职称办，见 wording.report_to",
    "年度": "评审年度，如“2025”",
    "日期": "落款日期：年度已印出，月、日留空手填",
    "材料项数": "纸质材料清单的项数",
    "材料份数合计": "纸质材料清单写明份数的各项份数之和",
}

#: Tables an annex may insert with {{ 表名 }} on a line of its own: name → known columns.
#: (A table's name never equals a field's: see the test of the placeholders.)
ANNEX_TABLES: dict[str, dict[str, str]] = {
    "材料清单": {
        "序号": "1、2、3……",
        "材料名称": "通知列明的纸质材料（按本申报的级别、类型和是否首次申报筛选）",
        "份数": "通知写明的份数（纸质材料页已登记的份数优先）",
        "备注": "通知对该项材料的说明",
        "已收到": "纸质材料页勾选“已收到”的打“√”",
    },
    "继续教育": {
        "序号": "1、2、3……",
        "年度": "年度",
        "公需科目": "公需科目学时",
        "专业科目": "专业科目学时",
        "合计": "当年合计学时",
        "证书编号": "证书编号",
    },
    "年度考核": {"序号": "1、2、3……", "年度": "年度", "考核结果": "优秀、合格等"},
    "工作经历": {
        "序号": "1、2、3……",
        "起止时间": "如“2008年8月—2015年6月”，至今的写“至今”",
        "工作单位": "工作单位",
        "从事工作": "从事工作及职务",
    },
    "学历学位": {
        "序号": "1、2、3……",
        "起止时间": "入学和毕业年月",
        "毕业院校": "毕业院校",
        "专业": "所学专业",
        "学历": "学历",
        "学位": "学位",
    },
    "论文著作": {
        "序号": "1、2、3……",
        "题目": "题目",
        "刊物": "刊物或出版社",
        "发表时间": "发表时间",
        "级别": "刊物级别",
    },
    "获奖情况": {
        "序号": "1、2、3……",
        "时间": "获奖时间",
        "奖项名称": "奖项名称",
        "等级": "等级",
        "授奖单位": "授奖单位",
    },
}
