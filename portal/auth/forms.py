"""Login and user-management forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from portal.auth.models import ROLE_LABELS
from portal.auth.passwords import POLICY_TEXT
from portal.formutil import SelectField, record_id


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST-only buttons."""


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("用户名", validators=[DataRequired("请输入用户名。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])
    remember = BooleanField("在此电脑上保持登录")


class UserForm(FlaskForm):
    """Create or edit a staff account."""

    username = StringField(
        "用户名",
        validators=[
            DataRequired("请输入用户名。"),
            Length(max=64, message="用户名不能超过64个字符。"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和横线。"),
        ],
    )
    display_name = StringField("姓名", validators=[Length(max=64)])
    role = SelectField("角色", choices=list(ROLE_LABELS.items()))
    office_id = SelectField("所属单位", coerce=record_id, validators=[Optional()])
    prefecture = StringField("所属地州（州职称办账号）", validators=[Length(max=50)])
    password = PasswordField(
        "密码",
        validators=[Optional()],
        description=f"新建账号必填；编辑时留空表示不修改。{POLICY_TEXT}。",
    )
    active = BooleanField("启用", default=True)


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new = PasswordField(
        "新密码", validators=[DataRequired("请输入新密码。")], description=POLICY_TEXT + "。"
    )
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")],
    )
