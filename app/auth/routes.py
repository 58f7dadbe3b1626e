"""Login, logout and choosing one's own password (DESIGN §3.4). Failed logins are throttled per (account, address)
and per account (app/users/logins.py), never per address alone, because a whole exam hall shares one address;
logout, a new password and an organiser's sign-out end every session the account has."""
from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from app.auth import bp
from app.auth.forms import LoginForm, PasswordForm
from app.database import begin_write
from app.domain import passwords
from app.domain.throttle import Verdict
from app.errors import PasswordChangeRequired
from app.extensions import csrf
from app.models import record, utcnow
from app.users import logins, service

BAD_CREDENTIALS = "用户名或密码错误。"
# Pages an account with a generated password may still reach before it chooses its own.
_OPEN_WHILE_PASSWORD_DUE = {"auth.change_password", "auth.logout", "static"}


# The login view runs CSRFProtect's checks itself, so that a form posted without the session it was served with
# gets the login page saying why (on a plain-HTTP intranet the browser may never have kept the cookie), not the
# bare 400 that CSRFProtect answers before any view.
@csrf.exempt
@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("index"))
    form = LoginForm()
    try:
        csrf.protect()
    except CSRFError:
        return _login_page(form, target, lost_session_message(), 400)
    if not form.validate_on_submit():
        return _login_page(form, target)
    return _log_in(form, target)


def _log_in(form: LoginForm, target: str | None):
    username, address = form.username.data, _address()
    verdict = logins.take_slot(username, address, utcnow())
    if not verdict.allowed:
        return _login_page(form, target, refusal_message(verdict), 429, retry_after(verdict))
    user = service.authenticate(username, form.password.data)
    if user is None:
        return _login_page(form, target, BAD_CREDENTIALS)
    upgraded = service.upgraded_hash(user, form.password.data)
    logins.forget_failures(username, address)
    if upgraded:
        user.password_hash = upgraded
    if not user.active:
        return _login_page(form, target, "该账号已停用，请联系组织者。")
    login_user(user)
    # Lasts PERMANENT_SESSION_LIFETIME, like the CSRF token, so a browser restart mid-exam keeps the login.
    session.permanent = True
    return redirect(target or url_for("index"))


def _login_page(form: LoginForm, target: str | None, error: str | None = None, status: int = 200,
                headers: dict[str, str] | None = None):
    return render_template("auth/login.html", form=form, next=target, error=error), status, headers or {}


def lost_session_message() -> str:
    """Why a login form came back without its session: the cookie was never kept, or the page grew old."""
    if current_app.session_interface.get_cookie_name(current_app) in request.cookies:
        return "页面已过期，请重新输入用户名和密码。"
    if current_app.config["SESSION_COOKIE_SECURE"] and not request.is_secure:
        # The production default on a plain-HTTP intranet: the browser drops a Secure cookie sent over HTTP.
        return ("浏览器没有保存登录所需的 Cookie：本系统设置为只通过 HTTPS 传送 Cookie（SESSION_COOKIE_SECURE=1），"
                "而本页是用 HTTP 打开的。请改用 https:// 地址访问；如果本系统只在内网用 HTTP 提供服务，"
                "请管理员设置环境变量 SESSION_COOKIE_SECURE=0 后重启服务。")
    return "浏览器没有保存本站的 Cookie，无法登录。请允许本站使用 Cookie，然后刷新本页重试。"


def _address() -> str:
    # Behind PROXY_COUNT proxies, ProxyFix (app/__init__.py) makes this the client's address;
    # the cut keeps whatever a proxy sends within the column.
    return (request.remote_addr or "unknown")[:64]


def refusal_message(verdict: Verdict) -> str:
    if verdict.held:
        return "该账号因连续多次密码错误已暂停登录，请联系组织者解锁。"
    return f"尝试过于频繁，请 {verdict.wait} 秒后再试。"


def retry_after(verdict: Verdict) -> dict[str, str]:
    """A hold has no time to wait for: only an organiser lifts it."""
    return {"Retry-After": str(verdict.wait)} if verdict.wait else {}


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
    # A copy of this session's cookie (or of any other device's) must not outlive the logout.
    if current_user.is_authenticated:
        begin_write()
        logins.end_sessions(current_user._get_current_object())
    logout_user()
    flash("您已退出登录；此账号在所有设备上的登录都已失效。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = PasswordForm(user)
    if not form.validate_on_submit():
        return _password_page(form)
    address = _address()
    # The current password is checked like a login, so a borrowed session can't be used to guess it.
    verdict = logins.take_slot(user.username, address, utcnow())
    if not verdict.allowed:
        return _password_page(form, refusal_message(verdict), 429, retry_after(verdict))
    if not service.check_password(user, form.current_password.data):
        form.current_password.errors.append("原密码不正确。")
        return _password_page(form)
    logins.forget_failures(user.username, address)
    service.set_password(user, form.new_password.data)
    user.must_change_password = False
    logins.end_sessions(user)
    record("user.password_changed", user.username, actor=user)
    login_user(user)   # this device carries on under the new session version; every other one is signed out
    flash("密码已修改；此账号在其他设备上的登录都已失效。", "success")
    return redirect(url_for("index"))


def _password_page(form: PasswordForm, error: str | None = None, status: int = 200,
                   headers: dict[str, str] | None = None):
    words = passwords.personal_words(username=form.account.username, name=form.account.name)
    return (render_template("auth/password.html", form=form, error=error, min_length=passwords.MIN_LENGTH,
                            personal_words=words), status, headers or {})


@bp.before_app_request
def require_own_password():
    """Accounts given a generated password choose their own before anything else."""
    endpoint = request.endpoint or ""
    if endpoint in _OPEN_WHILE_PASSWORD_DUE or endpoint.endswith(".static"):
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if request.path.startswith("/api/"):
        raise PasswordChangeRequired(logins.PASSWORD_DUE)
    return redirect(url_for("auth.change_password"))
