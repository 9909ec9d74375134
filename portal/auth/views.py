"""Login, logout, and user management for admins."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth.forms import EmptyForm, LoginForm, PasswordForm, UserForm
from portal.auth.models import User
from portal.extensions import db
from portal.offices.models import Office
from portal.security import login_throttle, roles_required, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(sa.select(User).where(User.username == username))
        minutes = login_throttle().blocked(username)
        if minutes:
            form.password.errors.append(
                f"登录失败次数过多，请{minutes}分钟后再试，或联系系统管理员。"
            )
        elif user is None or not user.check_password(form.password.data):
            login_throttle().failed(username)
            form.password.errors.append("用户名或密码错误，请重新输入。")
        elif not user.active:
            form.username.errors.append("该账号已停用，请联系系统管理员。")
        else:
            login_throttle().succeeded(username)
            session.clear()
            login_user(user, remember=form.remember.data)
            session["last_seen"] = int(time.time())
            flash(f"欢迎，{user.display_name or user.username}。", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out and return to the login page."""
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


def _office_choices() -> list[tuple[int, str]]:
    offices = db.session.scalars(sa.select(Office).order_by(Office.code))
    return [(0, "（无）")] + [(o.id, f"{o.code} {o.name}") for o in offices]


@bp.get("/admin/users")
@roles_required("admin")
def users():
    """List every account."""
    rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows, form=EmptyForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int | None = None):
    """Create or edit an account."""
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.office_id.choices = _office_choices()
    if request.method == "GET" and user is not None:
        form.office_id.data = user.office_id or 0
        form.password.data = ""
    if form.validate_on_submit():
        ok = True
        clash = db.session.scalar(
            sa.select(User).where(User.username == form.username.data, User.id != (user_id or 0))
        )
        if clash:
            form.username.errors.append("该用户名已被使用。")
            ok = False
        if form.role.data == "clerk" and not form.office_id.data:
            form.office_id.errors.append("县市经办人必须属于一个单位。")
            ok = False
        if form.role.data == "prefecture" and not form.prefecture.data.strip():
            form.prefecture.errors.append("州职称办账号请填写所属地州，如 巴音郭楞蒙古自治州。")
            ok = False
        if user is None and not form.password.data:
            form.password.errors.append("新建账号请设置密码（至少8位）。")
            ok = False
        if ok:
            if user is None:
                user = User(role=form.role.data)
                db.session.add(user)
            user.username = form.username.data
            user.display_name = form.display_name.data.strip()
            user.role = form.role.data
            user.office_id = form.office_id.data or None
            user.prefecture = form.prefecture.data.strip() or None
            user.active = form.active.data
            if form.password.data:
                user.set_password(form.password.data)
            db.session.commit()
            flash(f"账号 {user.username} 已保存。", "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change the logged-in user's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确。")
        else:
            current_user.set_password(form.new.data)
            db.session.commit()
            flash("密码已修改，下次登录请使用新密码。", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)
