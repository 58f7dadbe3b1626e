"""Login, logout and choosing one's own password (DESIGN §3.4); failed logins are throttled per
(account, address) pair, never per address alone, because a whole exam hall shares one address."""
import math

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm, PasswordForm
from app.database import begin_write
from app.domain.throttle import Verdict
from app.extensions import db
from app.models import record, utcnow
from app.users import service

BAD_CREDENTIALS = "用户名或密码错误。"
# Pages an account with a generated password may still reach before it chooses its own.
_OPEN_WHILE_PASSWORD_DUE = {"auth.change_password", "auth.logout", "static"}


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, target)
    username, address, now = form.username.data, _address(), utcnow()
    verdict = service.login_verdict(username, address, now)
    if not verdict.allowed:
        return _login_page(form, target, refusal_message(verdict), 429, {"Retry-After": str(verdict.wait)})
    user = service.authenticate(username, form.password.data)
    if user is None:
        service.record_login_failure(username, address, now)
        return _login_page(form, target, BAD_CREDENTIALS)
    if not user.active:
        return _login_page(form, target, "该账号已停用，请联系组织者。")
    service.clear_login_failures(username, address)
    db.session.commit()
    login_user(user)
    # Lasts PERMANENT_SESSION_LIFETIME, like the CSRF token, so a browser restart mid-exam keeps the login.
    session.permanent = True
    return redirect(target or url_for("index"))


def _login_page(form: LoginForm, target: str | None, error: str | None = None, status: int = 200,
                headers: dict[str, str] | None = None):
    return render_template("auth/login.html", form=form, next=target, error=error), status, headers or {}


def _address() -> str:
    # Behind a proxy the deployment applies werkzeug's ProxyFix, which makes this the client's address;
    # the cut keeps whatever a proxy sends within the column.
    return (request.remote_addr or "unknown")[:64]


def refusal_message(verdict: Verdict) -> str:
    if verdict.locked:
        return f"该账号在此地址已被暂时锁定，请 {math.ceil(verdict.wait / 60)} 分钟后再试。"
    return f"尝试过于频繁，请 {verdict.wait} 秒后再试。"


def safe_next(target: str | None) -> str | None:
    """A path on this site to go on to after logging in, or None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "/\evil.example" as "//evil.example" and drop tabs and newlines before looking.
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 for ch in target):
        return None
    return target


@bp.post("/logout")
def logout():
    logout_user()
    flash("您已退出登录。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form)
    username, address, now = current_user.username, _address(), utcnow()
    # The current password is checked like a login, so a borrowed session can't be used to guess it.
    verdict = service.login_verdict(username, address, now)
    if not verdict.allowed:
        return (render_template("auth/password.html", form=form, error=refusal_message(verdict)), 429,
                {"Retry-After": str(verdict.wait)})
    if not service.check_password(current_user, form.current_password.data):
        service.record_login_failure(username, address, now)
        form.current_password.errors.append("原密码不正确。")
        return render_template("auth/password.html", form=form)
    service.clear_login_failures(username, address)
    begin_write()
    service.set_password(current_user, form.new_password.data)
    current_user.must_change_password = False
    record("user.password_changed", username, actor=current_user._get_current_object())
    db.session.commit()
    flash("密码已修改。", "success")
    return redirect(url_for("index"))


@bp.before_app_request
def require_own_password():
    """Accounts given a generated password choose their own before anything else."""
    endpoint = request.endpoint or ""
    if endpoint in _OPEN_WHILE_PASSWORD_DUE or endpoint.endswith(".static"):
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="password_change_required", message="请先修改初始密码。"), 403
    return redirect(url_for("auth.change_password"))
