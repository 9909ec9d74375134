"""Recommending-unit form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from portal.formutil import SelectField, check_local_phone, record_id
from portal.vocabulary import UNIT_NATURES


class UnitForm(FlaskForm):
    """Create or edit a recommending unit."""

    office_id = SelectField("所属主管部门", coerce=record_id)
    name = StringField(
        "单位名称",
        validators=[DataRequired("请填写单位全称。"), Length(max=100, message="不超过100字。")],
    )
    nature = SelectField("单位性质", choices=[(n, n) for n in UNIT_NATURES])
    below_county_level = BooleanField("县级以下基层单位")
    county = StringField(
        "所在县市", validators=[DataRequired("请填写所在县市，如 若羌县。"), Length(max=50)]
    )
    head_title = StringField(
        "单位负责人职务",
        validators=[Length(max=50)],
        description="公示落款“签字：（单位负责人签字）”处印出，如 局长；不填则印“单位负责人”。",
    )
    objection_office = StringField(
        "受理异议的办公室",
        validators=[
            DataRequired("请填写受理异议的办公室，如 县文体广旅局办公室。"),
            Length(max=100),
        ],
    )
    supervision_phone = StringField(
        "监督电话",
        validators=[DataRequired("请填写监督电话，如 0996-8888888。"), Length(max=40)],
    )

    def validate_supervision_phone(self, field: StringField) -> None:
        """A local office number, a landline with area code or a mobile."""
        value, error = check_local_phone(field.data)
        if error:
            raise ValidationError(error)
        field.data = value


class OfficeForm(FlaskForm):
    """An office (县市主管部门) and its settings."""

    code = StringField(
        "代码",
        validators=[
            DataRequired("请填写代码，如 652824-wtgl。"),
            Length(max=32, message="不超过32个字符。"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="代码只能包含字母、数字、横线、下划线和点。"),
        ],
    )
    name = StringField("名称", validators=[DataRequired("请填写主管部门全称。"), Length(max=100)])
    county = StringField(
        "县市", validators=[DataRequired("请填写县市，如 若羌县。"), Length(max=50)]
    )
    prefecture = StringField(
        "地州", validators=[DataRequired("请填写地州，如 巴音郭楞蒙古自治州。"), Length(max=50)]
    )
    show_full_id_on_publicity = BooleanField(
        "推荐单位公示中显示完整身份证号",
        description="默认只显示前6位和后4位；如本单位要求公示完整号码，请勾选。",
    )
