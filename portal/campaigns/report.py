"""What the portal will do with a notice file, in Chinese: the report of ``campaigns check``.

A bureau writes next year's notice as a file; before loading it, this report says which
levels and kinds it opens, the fees table, who may not apply, who is exempt from the
defense, which years of continuing education and assessment are checked at each level, the
materials, the documents and annexes, the notes the portal does not check, and which rules
cite which clause. Pure: reads a CampaignDefinition only.
"""

from __future__ import annotations

from portal.campaigns.placeholders import ANNEX_FIELDS, ANNEX_TABLES
from portal.campaigns.schema import CampaignDefinition
from portal.textutil import format_date_cn, format_years_cn
from portal.vocabulary import (
    ASSESSMENT_RESULT_LABELS,
    BUILTIN_DOCUMENT_LABELS,
    COMMITMENT_MODE_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    PAPER_SCOPE_LABELS,
    REGION_WIDE,
)

#: The rules a clause may be given for, in the order the report lists them.
RULE_LABELS: dict[str, str] = {
    "eligibility": "不得申报的人员",
    "blank": "栏目不得留空",
    "publicity": "公示期",
    "submissions": "提交次数",
    "resubmit": "退回后重新提交时限",
    "continuing_education": "继续教育",
    "ce_exemption": "免除继续教育",
    "assessment": "年度考核",
    "papers": "论文、代表著作",
    "language": "普通话等级",
    "window": "网上申报时间",
    "fee": "评审费",
    "defense_exemption": "免于答辩",
    "materials": "纸质材料",
    "education": "学历从低到高填写",
    "work": "工作经历上下衔接",
}
#: Checks the portal makes for every notice; they cite a clause only when the file gives one.
GENERAL_RULES = ("education", "work")


def _levels(levels: tuple[str, ...] | list[str]) -> str:
    """Levels in Chinese, joined with 、."""
    return "、".join(LEVEL_LABELS.get(v, v) for v in levels)


def _kinds(kinds: tuple[str, ...] | list[str]) -> str:
    """Kinds in Chinese, joined with 、."""
    return "、".join(KIND_LABELS.get(v, v) for v in kinds)


def _stated(defn: CampaignDefinition, rule: str) -> bool:
    """True when the notice states ``rule`` (so the portal checks it)."""
    r = defn.rules
    bars = r.eligibility
    return {
        "eligibility": bars.retired or bars.civil_servant or bool(bars.sanction),
        "resubmit": r.resubmit_hours is not None,
        "continuing_education": bool(r.continuing_education.by_level),
        "ce_exemption": bool(defn.ce_exemption_grounds),
        "assessment": bool(r.assessment.years or r.assessment.delay_years),
        "papers": bool(r.papers),
        "language": r.language is not None,
        "window": defn.window("online") is not None,
        "fee": bool(defn.fees),
        "defense_exemption": True,
    }.get(rule, True)  # fmt: skip


class _Out:
    """Collects numbered sections of indented lines."""

    NUMBERS = "一二三四五六七八九十"

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def section(self, title: str) -> None:
        """Start the next numbered section."""
        n = self.count
        number = self.NUMBERS[n] if n < 10 else "十" + self.NUMBERS[n - 10]
        self.count += 1
        self.lines.append("")
        self.lines.append(f"{number}、{title}")

    def add(self, text: str, indent: int = 1) -> None:
        """Add one line under the current section."""
        self.lines.append("  " * indent + text)


def describe(defn: CampaignDefinition, replaces: str | None = None) -> str:
    """The whole report for ``defn``; ``replaces`` is the title of the campaign it would replace."""
    out = _Out()
    scope = (
        "全区（所有主管部门都能看到；只有系统管理员能导入）"
        if defn.region_wide
        else f"{defn.prefecture}（只有该地州的主管部门能看到，该地州职称办和系统管理员能导入）"
    )
    head = [
        f"评审通知：{defn.title}",
        f"  通知：{defn.notice_title}",
        f"  发文：{defn.issuer}"
        + (f"，{defn.document_number}" if defn.document_number else "")
        + f"，{format_date_cn(defn.issued_on)}",
        f"  代码：{defn.code}；" + (f"将替换已导入的“{replaces}”" if replaces else "新的评审通知"),
        f"  所属：{scope}",
        f"  检查结果的依据写作：“{defn.citation} 条款”",
        f"  任职年限、工作年限计算至：{format_date_cn(defn.seniority_cutoff)}",
    ]
    out.lines.extend(head)

    out.section("系列、专业和级别")
    for s in defn.series:
        specialties = "、".join(s.specialties) or "不分专业（申报时自由填写）"
        out.add(f"{s.name}：{specialties}；级别：{_levels(s.levels)}")
    out.add(f"申报类型：{_kinds(defn.kinds)}")

    out.section("时间安排")
    for w in defn.windows:
        use = "（用于检查网上申报是否逾期）" if w.kind == "online" else ""
        note = f"；{w.note}" if w.note else ""
        out.add(f"{w.title}：{w.span_text()}{use}{note}")
    if defn.window("online") is None:
        out.add("没有 online（网上申报）时间段：不检查是否逾期。")

    out.section("评审费")
    for kind in defn.kinds:
        cells = []
        for level in defn.levels:
            fee = defn.fee(kind, level)
            cells.append(f"{LEVEL_LABELS[level]} {f'{fee}元' if fee is not None else '未规定'}")
        out.add(f"{KIND_LABELS[kind]}：" + "，".join(cells))
    out.add("“未规定”的申报在花名册备注“通知未列明此类评审费”，不计入合计。")

    out.section("不得申报的人员")
    bars = defn.rules.eligibility
    if bars.retired:
        out.add("已办理离退休手续或达到法定退休年龄的人员")
    if bars.civil_servant:
        out.add("公务员及参照公务员法管理的人员")
    if bars.sanction:
        who = f"{'、'.join(bars.sanction_natures)}人员" if bars.sanction_natures else "人员"
        out.add(f"受{bars.sanction}及以上处分、在处分期内的{who}")
    if not (bars.retired or bars.civil_servant or bars.sanction):
        out.add("通知没有规定，不检查。")

    out.section("免于答辩")
    ex = defn.defense_exemption
    if ex.levels:
        out.add(f"申报{_levels(ex.levels)}的人员一律免于答辩")
    if ex.required_levels:
        out.add(f"申报{_levels(ex.required_levels)}的人员一律参加答辩（以下情形不适用）")
    for g in ex.grounds:
        out.add(f"{g.label}（基本信息中选择）")
    if ex.exempt_counties:
        out.add(f"在{'、'.join(ex.exempt_counties)}工作的人员")
    if ex.below_county_level:
        out.add("在县级以下基层单位工作的人员")
    if ex.non_public_natures:
        out.add(f"单位性质为{'、'.join(ex.non_public_natures)}的人员")
    other = [lv for lv in defn.levels if lv not in ex.levels and lv not in ex.required_levels]
    if other:
        out.add(f"申报{_levels(other)}的人员不符合以上情形的，须参加答辩。")

    out.section("继续教育")
    ce = defn.rules.continuing_education
    hours = [
        f"{name}不少于{value}学时"
        for name, value in (
            ("公需科目", ce.min_public_hours),
            ("专业科目", ce.min_professional_hours),
            ("合计", ce.min_total_hours),
        )
        if value is not None
    ]
    out.add("每年：" + ("，".join(hours) if hours else "不查学时"))
    for level in defn.levels:
        text = defn.ce_years_text(level) or "不查继续教育"
        out.add(f"{LEVEL_LABELS[level]}：{text}")
    grounds = "、".join(g.label for g in defn.ce_exemption_grounds)
    out.add(f"可免除的情形：{grounds or '通知没有规定'}")

    out.section("年度考核")
    assessment = defn.rules.assessment
    out.add(
        f"须提供 {format_years_cn(list(assessment.years))} 的考核结果"
        if assessment.years
        else "通知不要求年度考核：不检查，年度考核页不必填写。"
    )
    if assessment.delay_years:
        for result, years in assessment.delay_years.items():
            out.add(f"每出现1次“{ASSESSMENT_RESULT_LABELS[result]}”顺延{years}年申报")
    else:
        out.add("没有顺延规定。")

    out.section("论文、代表著作")
    for level in defn.levels:
        rule = defn.paper_rule(level)
        if rule is None:
            out.add(f"{LEVEL_LABELS[level]}：不查")
        elif not rule.required:
            out.add(f"{LEVEL_LABELS[level]}：不作为必备条件")
        else:
            who = PAPER_SCOPE_LABELS.get(rule.applies_to, rule.applies_to)
            regional = f"在自治区级以上刊物发表论文{rule.alt_regional_papers}篇"
            if not rule.min_works:
                need = regional
            else:
                need = f"有代表著作或业务总结{rule.min_works}篇以上"
                need += f"，或{regional}" if rule.alt_regional_papers else ""
            out.add(f"{LEVEL_LABELS[level]}：{who}须{need}")

    out.section("语言能力")
    language = defn.rules.language
    if language is None:
        out.add("通知没有要求，不检查。")
    else:
        out.add(
            f"一般人员：{language.name}{language.minimum}及以上"
            if language.minimum
            else f"一般人员：不要求{language.name}等级"
        )
        if language.teaching_languages:
            out.add(f"基本信息中选择授课语言：{'、'.join(language.teaching_languages)}")
        for case in language.cases:
            who = "；".join(
                f"{label}为{'、'.join(values)}"
                for label, values in (
                    ("系列", case.series),
                    ("专业", case.specialties),
                    ("级别", [LEVEL_LABELS[v] for v in case.levels]),
                    ("单位性质", case.unit_natures),
                    ("授课语言", case.teaching_languages),
                )
                if values
            )
            need = "不作要求" if case.exempt else f"{case.minimum}及以上"
            out.add(f"{who}：{need}")

    out.section("公示和提交")
    rules = defn.rules
    out.add(f"推荐单位公示期不少于{rules.publicity_min_workdays}个工作日")
    out.add(f"提交评审委员会不超过{rules.max_submissions}次")
    out.add(
        f"退回后{rules.resubmit_hours}小时内重新提交"
        if rules.resubmit_hours
        else "没有重新提交时限"
    )
    out.add(f"没有内容的栏目须填写“{rules.blank_marker}”")

    out.section(f"纸质材料（{len(defn.materials)}项）")
    for i, m in enumerate(defn.materials, start=1):
        limits = []
        if m.levels:
            limits.append(_levels(m.levels))
        if m.kinds:
            limits.append(_kinds(m.kinds))
        if m.first_time_only:
            limits.append("首次申报")
        copies = f"（{m.copies}份）" if m.copies else ""
        only = f" —— 只适用于：{'；'.join(limits)}" if limits else ""
        out.add(f"{i}. {m.name}{copies}{only}")

    out.section("文书")
    commitment = COMMITMENT_MODE_LABELS.get(defn.commitment.mode, defn.commitment.mode)
    out.add(
        f"{BUILTIN_DOCUMENT_LABELS['publicity']}、{BUILTIN_DOCUMENT_LABELS['publicity-result']}"
    )
    out.add(
        f"{BUILTIN_DOCUMENT_LABELS['commitment']}：{commitment}，弄虚作假{defn.commitment.ban_years}年内不得申报"
    )
    out.add(
        "推荐单位公示（多人合并）："
        + (
            "提供"
            if defn.templates.publicity_combined
            else "不提供（templates.publicity_combined 未写）"
        )
    )
    form = defn.documents.ce_exemption
    title = form.title.replace("\n", "")
    out.add(f"{BUILTIN_DOCUMENT_LABELS['ce-exemption']}：“{title}”，注{len(form.notes)}条")
    out.add(f"{BUILTIN_DOCUMENT_LABELS['catalog']}：按级别、类型和是否首次申报列出纸质材料")
    out.add(f"推荐意见：{defn.templates.recommendation}")
    for annex in defn.annexes:
        limits = []
        if annex.levels:
            limits.append(_levels(annex.levels))
        if annex.kinds:
            limits.append(_kinds(annex.kinds))
        only = f"（只适用于：{'；'.join(limits)}）" if limits else ""
        out.add(f"附件文书：{annex.title}（代码 {annex.code}）{only}")
        fields = [f for f in ANNEX_FIELDS if "{{ " + f + " }}" in annex.template]
        if fields:
            out.add(f"字段：{'、'.join(fields)}", 2)
        for name in annex.used_tables:
            table = annex.table(name)
            known = ANNEX_TABLES[name]
            columns = "、".join(c if c in known else f"{c}（手填）" for c in table.shown_columns)
            blank = f"，另加{table.blank_rows}行空白" if table.blank_rows else ""
            out.add(f"表格 {name}：{columns}{blank}", 2)

    out.section("本系统不检查的条件（显示在评审通知页和审核页）")
    if not defn.notes:
        out.add("（无）")
    for note in defn.notes:
        levels = f"（{_levels(note.levels)}）" if note.levels else ""
        clause = f"（{defn.citation} {note.clause}）" if note.clause else ""
        out.add(f"{note.text}{levels}{clause}")

    out.section("联系方式")
    for c in defn.contacts:
        who = "：".join(p for p in (c.role, c.name) if p)
        where = f"，{c.address}" if c.address else ""
        out.add(f"{who + '：' if who else ''}{'、'.join(c.phones)}{where}")

    out.section("依据条款")
    for rule, label in RULE_LABELS.items():
        clause = getattr(defn.clauses, rule)
        if rule in GENERAL_RULES:
            text = f"{defn.citation} {clause}" if clause else "通知未写，照常检查但不注明依据"
        elif not _stated(defn, rule):
            continue
        else:
            text = f"{defn.citation} {clause}" if clause else f"{defn.citation}（未写条款）"
        out.add(f"{label}：{text}")
    region = "全区" if defn.prefecture == REGION_WIDE else defn.wording.region_word
    out.lines.append("")
    report_to = defn.wording.report_to or "（未写）"
    out.lines.append(
        f"状态“已报送”显示为“{defn.reported_label}”；报送单位：{report_to}；上级称呼：{region}"
    )
    return "\n".join(out.lines) + "\n"
