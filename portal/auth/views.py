"""Login, logout, and user management for admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal import audit
from portal.auth import sessions, throttle
from portal.auth.forms import EmptyForm, LoginForm, PasswordForm, UserForm
from portal.auth.models import ROLE_LABELS, User
from portal.auth.passwords import check_login, password_problem
from portal.extensions import db
from portal.offices.models import Office
from portal.security import roles_required, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in (throttled per username and address)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or ""
        wait = throttle.wait_seconds(username, address)
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if wait:
            form.password.errors.append(
                f"登录失败次数过多，请{throttle.wait_text(wait)}后再试，或联系系统管理员。"
            )
            status = 429
        elif not check_login(user.password_hash if user else None, form.password.data):
            throttle.failed(username, address)
            audit.record(
                "login_failed",
                user,
                {"原因": "用户名或密码错误", "地址": address},
                username=username,
            )
            db.session.commit()
            form.password.errors.append("用户名或密码错误，请重新输入。")
        elif not user.active:
            audit.record("login_failed", user, {"原因": "账号已停用", "地址": address})
            db.session.commit()
            form.username.errors.append("该账号已停用，请联系系统管理员。")
        else:
            throttle.succeeded(username)
            throttle.purge()
            _log_in(user, remember=form.remember.data)
            audit.record("login", user, {"地址": address})
            db.session.commit()
            flash(f"欢迎，{user.display_name or user.username}。", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form), status


def _log_in(user: User, *, remember: bool) -> None:
    """Start a new login on the server and in the cookies (a fresh session: no fixation)."""
    session.clear()
    sessions.start(user, remember=remember)
    login_user(user, remember=remember)


def _log_out() -> None:
    """Forget the login in this browser, the remember cookie included.

    session.clear() comes first: logout_user() leaves Flask-Login's instruction to delete the
    remember cookie in the session, and clearing after it would drop that instruction.
    """
    session.clear()
    logout_user()


@bp.post("/logout")
def logout():
    """Sign out: this login ends on the server, so no copy of its cookies works any more."""
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        sessions.end(user)
        audit.record("logout", user)
        db.session.commit()
        _log_out()
        flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/logout-everywhere")
def logout_everywhere():
    """退出所有设备: end every login of this account, on every computer."""
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        ended = sessions.end_all(user)
        audit.record("logout_everywhere", user, {"结束的登录": ended})
        db.session.commit()
        _log_out()
        flash("已在所有设备上退出，请重新登录。", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.change_password"))


def _office_choices() -> list[tuple[int, str]]:
    offices = db.session.scalars(sa.select(Office).order_by(Office.code))
    return [(0, "（无）")] + [(o.id, f"{o.code} {o.name}") for o in offices]


@bp.get("/admin/users")
@roles_required("admin")
def users():
    """List every account."""
    rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows, form=EmptyForm())


def _changes(user: User, form: UserForm) -> list[str]:
    """What an admin's save changes in an account, in words (for the audit log)."""
    before = {
        "角色": ROLE_LABELS.get(user.role, user.role),
        "单位": _office_label(user.office_id),
        "地州": user.prefecture or "（无）",
        "状态": "启用" if user.active else "停用",
        "用户名": user.username,
    }
    after = {
        "角色": ROLE_LABELS.get(form.role.data, form.role.data),
        "单位": _office_label(form.office_id.data),
        "地州": (form.prefecture.data or "").strip() or "（无）",
        "状态": "启用" if form.active.data else "停用",
        "用户名": form.username.data,
    }
    changes = [f"{k}：{before[k]} → {after[k]}" for k in before if before[k] != after[k]]
    if form.password.data:
        changes.append("密码：已重设")
    return changes


def _office_label(office_id: int | None) -> str:
    office = db.session.get(Office, office_id) if office_id else None
    return office.name if office else "（无）"


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int | None = None):
    """Create or edit an account; a change of role, office, status or password ends its logins."""
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
        if form.role.data == "prefecture" and not (form.prefecture.data or "").strip():
            form.prefecture.errors.append("州职称办账号请填写所属地州，如 巴音郭楞蒙古自治州。")
            ok = False
        if user is None and not form.password.data:
            form.password.errors.append("新建账号请设置密码。")
            ok = False
        elif form.password.data:
            problem = password_problem(form.password.data, form.username.data)
            if problem:
                form.password.errors.append(problem)
                ok = False
        if ok:
            changes = _changes(user, form) if user is not None else []
            if user is None:
                user = User(role=form.role.data)
                db.session.add(user)
            user.username = form.username.data
            user.display_name = (form.display_name.data or "").strip()
            user.role = form.role.data
            user.office_id = form.office_id.data or None
            user.prefecture = (form.prefecture.data or "").strip() or None
            user.active = form.active.data
            if form.password.data:
                user.set_password(form.password.data)
            db.session.flush()
            if user_id is None:
                audit.record(
                    "user_create",
                    current_user,
                    {
                        "用户名": user.username,
                        "姓名": user.display_name,
                        "角色": user.role_label,
                        "单位": _office_label(user.office_id),
                        "地州": user.prefecture or "（无）",
                        "状态": "启用" if user.active else "停用",
                    },
                )
            elif changes:
                ended = 0
                if any(not c.startswith(("用户名", "姓名")) for c in changes):
                    ended = sessions.end_all(user)  # the old rights end with the old logins
                audit.record(
                    "user_update",
                    current_user,
                    {"用户名": user.username, "改动": "；".join(changes), "结束的登录": ended},
                )
            db.session.commit()
            flash(f"账号 {user.username} 已保存。", "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change the logged-in user's own password; every other login of the account ends."""
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        problem = password_problem(form.new.data, user.username)
        if not user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确。")
        elif problem:
            form.new.errors.append(problem)
        else:
            row = sessions.current_row(user)
            remember = bool(row and row.remember)
            user.set_password(form.new.data)
            ended = sessions.end_all(user)
            audit.record("password_change", user, {"结束的其他登录": max(ended - 1, 0)})
            _log_in(user, remember=remember)
            db.session.commit()
            flash("密码已修改；此账号在其他电脑上的登录已全部退出。", "success")
            return redirect(url_for("main.home"))
    return render_template(
        "auth/password.html", form=form, logins=sessions.count(user), logout_form=EmptyForm()
    )
