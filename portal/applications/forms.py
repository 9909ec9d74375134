"""One WTForms form per application section, and the fields they share."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.applications import choices
from portal.applications.idcard import validate_id
from portal.formutil import (
    ChineseMessages,
    EndAfterStart,
    LooseDateField,
    SelectField,
    check_name,
    check_phone,
    record_id,
)
from portal.textutil import last_day
from portal.vocabulary import ASSESSMENT_RESULT_LABELS, KIND_LABELS, LEVEL_LABELS

NONE = "无"
REQUIRED = "此项不能为空；没有内容请填写“无”。"


def _pairs(values) -> list[tuple[str, str]]:
    """WTForms choices from a list of strings or (value, label) pairs."""
    out = []
    for v in values:
        out.append((v[0], v[1]) if isinstance(v, tuple | list) else (v, v))
    return out


def required_text(label: str, max_len: int = 200, **kw) -> StringField:
    """A text field that may not be blank (write 「无」 when there is nothing)."""
    return StringField(
        label,
        validators=[DataRequired(REQUIRED), Length(max=max_len, message=f"不超过{max_len}字。")],
        render_kw={"data-none": "1"},
        **kw,
    )


class SectionForm(FlaskForm):
    """Base of every section form: carries the version the clerk started from."""

    class Meta(ChineseMessages):
        pass

    version = HiddenField()


class RowForm(Form):
    """Base of the forms of repeating rows: WTForms' own messages in Chinese here too."""

    class Meta(ChineseMessages):
        pass


# 1. 基本信息 ---------------------------------------------------------------
class BasicForm(SectionForm):
    """Basic information, the target of the application and eligibility facts."""

    series_code = SelectField("申报系列")
    specialty = SelectField("申报专业")
    level = SelectField("申报级别")
    kind = SelectField("申报类型")
    name = StringField("姓名", validators=[DataRequired("请填写姓名。")])
    id_number = StringField(
        "身份证号",
        validators=[DataRequired("请填写18位身份证号。")],
        render_kw={"autocomplete": "off", "maxlength": 24},
    )
    gender = SelectField(
        "性别",
        choices=[("", "按身份证号"), *choices.GENDER_CHOICES],
        validators=[DataRequired("请选择性别。")],
        description="随身份证号自动填写",
        render_kw={"data-id-gender": "id_number"},
    )
    birth_date = LooseDateField(
        "出生日期",
        validators=[InputRequired("请填写出生日期。")],
        not_future=True,
        description="随身份证号自动填写",
        render_kw={"data-id-birth": "id_number"},
    )
    ethnicity = SelectField(
        "民族", choices=choices.ETHNICITY_CHOICES, validators=[DataRequired("请选择民族。")]
    )
    political_status = SelectField(
        "政治面貌",
        choices=choices.POLITICAL_STATUS_CHOICES,
        validators=[DataRequired("请选择政治面貌。")],
    )
    phone = StringField("联系电话", validators=[DataRequired("请填写联系电话。")])
    unit_id = SelectField("推荐单位（工作单位）", coerce=record_id)
    work_start = LooseDateField(
        "参加工作时间",
        validators=[InputRequired("请填写参加工作时间。")],
        not_future=True,
        months=True,
    )
    unit_nature = SelectField("单位性质")
    below_county_level = BooleanField("在县级以下基层单位工作")
    county = StringField(
        "工作所在县市", validators=[DataRequired("请填写工作所在县市，如 若羌县。")]
    )
    mandarin_level = SelectField(
        "普通话等级", choices=choices.MANDARIN_CHOICES, validators=[Optional()]
    )
    teaching_language = SelectField(
        "授课语言",
        choices=[("", "不适用")],
        validators=[Optional()],
        description="评审通知按授课语言规定普通话等级要求时选择。",
    )
    retired = BooleanField("已办理离退休手续或达到法定退休年龄")
    civil_servant = BooleanField("公务员或参照公务员法管理的人员")
    service_ground = SelectField(
        "参加的基层服务工作（免于答辩依据）",
        validators=[Optional()],
        description="如参加“访惠聚”驻村、南疆学前教育支教等，按评审通知免于答辩。",
    )
    sanction = SelectField("受处分情况", choices=choices.SANCTION_CHOICES)
    sanction_end = LooseDateField("处分期满日期", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Validate, first taking 性别 and 出生日期 left blank from a valid ID number."""
        found = validate_id(self.id_number.data)
        if found.birth_date is not None and self.birth_date.data is None:
            if not (self.birth_date.raw_data and self.birth_date.raw_data[0].strip()):
                self.birth_date.data = found.birth_date
                self.birth_date.raw_data = [found.birth_date.isoformat()]
        if found.gender and not self.gender.data:
            self.gender.data = found.gender
            self.gender.raw_data = [found.gender]
        return super().validate(extra_validators)

    def validate_name(self, field) -> None:
        """Chinese names with the middle dot; long names are valid."""
        value, error = check_name(field.data)
        if error:
            raise ValidationError(error)
        field.data = value

    def validate_id_number(self, field) -> None:
        """GB 11643 check digit, real region, agreement with birth date and gender."""
        result = validate_id(field.data, self.birth_date.data, self.gender.data)
        field.data = result.normalised
        if result.errors:
            raise ValidationError("；".join(result.errors))

    def validate_phone(self, field) -> None:
        """An 11-digit mobile or a landline with area code."""
        value, error = check_phone(field.data)
        if error:
            raise ValidationError(error)
        field.data = value

    def validate_sanction_end(self, field) -> None:
        """A sanction needs the date it ends."""
        if self.sanction.data and not field.data:
            raise ValidationError("有处分时请填写处分期满日期。")


# 2. 学历学位 ---------------------------------------------------------------
class EducationRow(RowForm):
    """One degree or diploma."""

    start = LooseDateField(
        "入学时间", validators=[InputRequired("请填写入学时间。")], not_future=True, months=True
    )
    end = LooseDateField(
        "毕业时间",
        validators=[InputRequired("请填写毕业时间。"), EndAfterStart()],
        not_future=True,
        months=True,
    )
    school = StringField("毕业院校", validators=[DataRequired("请填写毕业院校。")])
    major = StringField("所学专业", validators=[DataRequired("请填写专业。")])
    level = SelectField(
        "学历", choices=choices.EDUCATION_CHOICES, validators=[DataRequired("请选择学历。")]
    )
    degree = SelectField(
        "学位",
        choices=choices.DEGREE_CHOICES,
        validators=[DataRequired("请选择学位，没有请选“无”。")],
    )
    full_time = SelectField("学习形式", choices=[("全日制", "全日制"), ("非全日制", "非全日制")])


class EducationForm(SectionForm):
    """Education rows from lowest to highest (a new section starts with one blank row)."""

    rows = FieldList(FormField(EducationRow), min_entries=0, label="学历学位（从低到高）")


# 3. 现任专业技术资格 --------------------------------------------------------
class QualificationForm(SectionForm):
    """The current professional qualification."""

    title = required_text("现任专业技术职务任职资格", 60)
    series = required_text("所属系列", 60)
    level = SelectField(
        "级别",
        choices=[
            ("无", "无"),
            ("员级", "员级"),
            ("junior", "初级"),
            ("intermediate", "中级"),
            ("deputy_senior", "副高级"),
            ("senior", "正高级"),
        ],
    )
    obtained_on = LooseDateField("取得时间", validators=[Optional()], not_future=True, months=True)
    appointed_on = LooseDateField("聘任时间", validators=[Optional()], not_future=True, months=True)
    obtained_in = SelectField("取得地", choices=[("新疆", "新疆"), ("其他省区市", "其他省区市")])
    certificate_no = required_text("证书编号", 60)

    def validate_obtained_on(self, field) -> None:
        """A held title needs the date it was obtained."""
        if self.level.data != "无" and not field.data:
            raise ValidationError("请填写取得时间。")

    def validate_appointed_on(self, field) -> None:
        """Appointment comes after the qualification."""
        obtained = self.obtained_on.data
        if field.data and obtained and last_day(field.data) < obtained:
            raise ValidationError("聘任时间不能早于取得时间。")


# 4. 工作经历 ---------------------------------------------------------------
class WorkRow(RowForm):
    """One period of work; a blank end means up to now."""

    start = LooseDateField(
        "开始时间", validators=[InputRequired("请填写开始时间。")], not_future=True, months=True
    )
    end = LooseDateField(
        "结束时间",
        validators=[Optional(), EndAfterStart()],
        not_future=True,
        months=True,
        description="至今请留空",
    )
    unit = StringField("工作单位", validators=[DataRequired("请填写工作单位。")])
    work = StringField("从事工作及职务", validators=[DataRequired("请填写从事的工作。")])


class WorkForm(SectionForm):
    """Work history since starting work; periods must connect."""

    rows = FieldList(FormField(WorkRow), min_entries=0, label="工作经历")


# 5. 业绩成果 ---------------------------------------------------------------
class AchievementRow(RowForm):
    """One achievement."""

    period = StringField("时间", validators=[DataRequired("请填写时间，如 2019-2021。")])
    title = StringField("项目或成果名称", validators=[DataRequired("请填写名称。")])
    role = StringField("本人角色及贡献", validators=[DataRequired("请填写本人角色。")])


class AchievementsForm(SectionForm):
    """Achievements, and the summary printed on the publicity notice."""

    rows = FieldList(FormField(AchievementRow), min_entries=0, label="业绩成果")
    summary = TextAreaField(
        "近五年业绩成果及本人贡献（用于公示）",
        validators=[DataRequired(REQUIRED), Length(max=3000, message="不超过3000字。")],
        render_kw={"rows": 6, "data-none": "1"},
    )


# 6. 获奖情况 ---------------------------------------------------------------
class AwardRow(RowForm):
    """One award."""

    awarded_on = LooseDateField(
        "获奖时间", validators=[InputRequired("请填写获奖时间。")], not_future=True, months=True
    )
    name = StringField("奖项名称", validators=[DataRequired("请填写奖项名称。")])
    level = StringField("等级", validators=[DataRequired("请填写等级，如 州级二等奖。")])
    issuer = StringField("授奖单位", validators=[DataRequired("请填写授奖单位。")])


class AwardsForm(SectionForm):
    """Awards, or 「无」."""

    none = BooleanField("无获奖情况（填写“无”）")
    rows = FieldList(FormField(AwardRow), min_entries=0, label="获奖情况")

    def validate_none(self, field) -> None:
        """「无」 and rows contradict each other."""
        if field.data and len(self.rows.entries):
            raise ValidationError("已勾选“无”，请删除下方的获奖记录，或取消勾选。")


# 7. 论文著作 ---------------------------------------------------------------
PAPER_LEVELS = ["国家级", "自治区级", "地州级", "县级", "内部资料", "代表著作/业务总结"]


class PaperRow(RowForm):
    """One paper, book or representative work."""

    title = StringField("题目", validators=[DataRequired("请填写题目。")])
    journal = StringField("刊物或出版社", validators=[DataRequired("请填写刊物或出版社。")])
    published_on = LooseDateField(
        "发表时间", validators=[InputRequired("请填写发表时间。")], not_future=True, months=True
    )
    level = SelectField("刊物级别", choices=_pairs(PAPER_LEVELS))
    role = SelectField(
        "本人角色", choices=_pairs(["独著", "第一作者", "第二作者", "合著", "主编", "参编"])
    )


class PapersForm(SectionForm):
    """Papers and works, or 「无」."""

    none = BooleanField("无论文著作（填写“无”）")
    rows = FieldList(FormField(PaperRow), min_entries=0, label="论文著作")

    def validate_none(self, field) -> None:
        """「无」 and rows contradict each other."""
        if field.data and len(self.rows.entries):
            raise ValidationError("已勾选“无”，请删除下方的论文著作，或取消勾选。")


# 8. 年度考核 ---------------------------------------------------------------
ASSESSMENT_CHOICES = [
    ("", "请选择"),
    *ASSESSMENT_RESULT_LABELS.items(),
    ("not_assessed", "未考核"),
]


class AssessmentRow(RowForm):
    """The result of one year's assessment."""

    year = IntegerField(
        "年度", validators=[InputRequired("请填写年度。"), NumberRange(1950, 2100, "年度不正确。")]
    )
    result = SelectField(
        "考核结果", choices=ASSESSMENT_CHOICES, validators=[DataRequired("请选择考核结果。")]
    )


class AssessmentsForm(SectionForm):
    """One row per year the campaign asks for."""

    rows = FieldList(FormField(AssessmentRow), min_entries=0, label="年度考核")


# 9. 继续教育 ---------------------------------------------------------------
class CERow(RowForm):
    """Continuing-education hours of one year."""

    year = IntegerField(
        "年度", validators=[InputRequired("请填写年度。"), NumberRange(1950, 2100, "年度不正确。")]
    )
    public_hours = IntegerField(
        "公需科目学时",
        validators=[InputRequired("请填写学时，没有请填0。"), NumberRange(0, 1000, "学时不正确。")],
    )
    professional_hours = IntegerField(
        "专业科目学时",
        validators=[InputRequired("请填写学时，没有请填0。"), NumberRange(0, 1000, "学时不正确。")],
    )
    certificate = StringField("证书编号", validators=[Optional(), Length(max=60)])


class ContinuingEducationForm(SectionForm):
    """Yearly hours, or the exemption with its ground and approval."""

    exempt = BooleanField("申请免除继续教育（“访惠聚”驻村等）")
    exemption_ground = SelectField("免除理由", validators=[Optional()])
    exemption_approval = StringField(
        "免试审批表审批情况",
        validators=[Optional(), Length(max=120)],
        description="如：若羌县人社局 2023年8月10日 审核同意",
    )
    rows = FieldList(FormField(CERow), min_entries=0, label="继续教育")

    def validate_exemption_approval(self, field) -> None:
        """An exemption needs its ground and its approval."""
        if self.exempt.data and not (field.data or "").strip():
            raise ValidationError("申请免除继续教育时请填写审批情况。")

    def validate_exemption_ground(self, field) -> None:
        """An exemption needs a ground from the notice."""
        if self.exempt.data and not field.data:
            raise ValidationError("请选择免除理由。")


# 10. 思想政治表现 ------------------------------------------------------------
class PoliticalForm(SectionForm):
    """Political conduct for the publicity notice, and the political appraisal."""

    conduct = TextAreaField(
        "思想政治表现（用于公示）",
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"rows": 4, "data-none": "1"},
    )
    appraisal = TextAreaField(
        "现实表现政治鉴定",
        validators=[DataRequired(REQUIRED), Length(max=3000)],
        render_kw={"rows": 6, "data-none": "1"},
    )


# 11. 个人工作总结 ------------------------------------------------------------
class SummaryForm(SectionForm):
    """The personal work summary since taking up the current post."""

    text = TextAreaField(
        "任现职以来个人工作总结",
        validators=[DataRequired(REQUIRED), Length(max=20000)],
        render_kw={"rows": 16},
    )


# 12. 公示与推荐 -------------------------------------------------------------
class PublicityForm(SectionForm):
    """The unit's publicity: start date, objections and the recommendation sentence."""

    start = LooseDateField("公示开始日期", validators=[Optional()])
    objections = required_text("公示期间收到的异议", 500, default=NONE)
    objection_open = BooleanField("有尚未处理完毕的异议")
    recommendation = TextAreaField(
        "推荐意见", validators=[DataRequired(REQUIRED)], render_kw={"rows": 2}
    )


# 13. 纸质材料 ---------------------------------------------------------------
class MaterialRow(RowForm):
    """One item of the campaign's paper-materials list."""

    name = HiddenField()
    received = BooleanField("已收到")
    checked = BooleanField("已核对原件")
    copies = IntegerField("份数", validators=[Optional(), NumberRange(0, 99, "份数不正确。")])


class MaterialsForm(SectionForm):
    """The campaign's materials list, ticked off as the papers arrive."""

    rows = FieldList(FormField(MaterialRow), min_entries=0, label="纸质材料")


# Creating an application ----------------------------------------------------
class NewApplicationForm(FlaskForm):
    """Who applies to which campaign, for what."""

    class Meta(ChineseMessages):
        pass

    campaign_id = SelectField("评审通知", coerce=record_id)
    unit_id = SelectField("推荐单位", coerce=record_id)
    name = StringField("姓名", validators=[DataRequired("请填写姓名。")])
    id_number = StringField(
        "身份证号",
        validators=[DataRequired("请填写18位身份证号。")],
        render_kw={"autocomplete": "off", "maxlength": 24},
    )
    series_code = SelectField("申报系列")
    specialty = SelectField("申报专业")
    level = SelectField("申报级别")
    kind = SelectField("申报类型")
    copy_previous = BooleanField("从上一年复制（此人以前申报过时，复制其各部分内容）", default=True)

    def validate_name(self, field) -> None:
        """Chinese names with the middle dot."""
        value, error = check_name(field.data)
        if error:
            raise ValidationError(error)
        field.data = value

    def validate_id_number(self, field) -> None:
        """A valid GB 11643 number."""
        result = validate_id(field.data)
        field.data = result.normalised
        if result.errors:
            raise ValidationError("；".join(result.errors))


def specialty_choices(series, current: str | None = None) -> list[tuple[str, str]]:
    """Specialties of a series; a series the notice does not divide gets one empty choice."""
    values = list(series.specialties)
    if current and current not in values:
        values.append(current)
    return [(s, s) for s in values] or [("", "（本系列不分专业）")]


def set_target_choices(form, defn, keep_specialty: str | None = None) -> None:
    """Series, specialty, level and kind choices of a form from the campaign definition.

    `keep_specialty` stays selectable though the notice no longer lists it (a stored value);
    a series whose notice names no specialty takes any (Series.open_specialty).
    """
    form.series_code.choices = [(s.code, s.name) for s in defn.series]
    series = defn.series_by_code(form.series_code.data) or defn.series[0]
    keep = form.specialty.data if series.open_specialty else keep_specialty
    form.specialty.choices = specialty_choices(series, keep)
    form.level.choices = [(lv, LEVEL_LABELS[lv]) for lv in series.levels]
    form.kind.choices = [(k, KIND_LABELS[k]) for k in defn.kinds]
