"""What every page shares: the logged-in user, role checks, local time, Markdown and error pages."""
from datetime import datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from app.database import DatabaseBusy
from app.domain.banks import describe_response
from app.domain.markup import render_inline, render_markdown, render_stem
from app.domain.scores import points_text
from app.extensions import db, login_manager
from app.models import Role, User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    # "basic" only marks the session non-fresh when the address changes: a candidate whose
    # network switches mid-exam stays logged in ("strong" would log them out).
    login_manager.session_protection = "basic"
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["points"] = points_text
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    app.jinja_env.filters["inline_markdown"] = lambda text: Markup(render_inline(text or ""))
    app.jinja_env.filters["stem"] = lambda text: Markup(render_stem(text or ""))
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["describe_response"] = describe_response
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, error_page)
    app.register_error_handler(DatabaseBusy, busy)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    # A deactivated account loses sessions it already had, not only future logins.
    return user if user is not None and user.active else None


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in the configured zone (Asia/Shanghai unless told otherwise)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def confirmed() -> bool:
    """Whether a POST comes from the confirmation dialog (templates/_confirm.html) rather than the first click."""
    return request.form.get("confirmed") == "1"


def role_required(*roles: Role):
    """Views for one audience: others who are logged in get 403, strangers go to the login page."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


ERROR_MESSAGES = {
    400: "请求有误，请返回重试。",
    403: "您没有权限访问此页面。",
    404: "页面不存在。",
    405: "不支持此操作。",
    500: "服务器出错，请稍后重试；如果问题持续，请联系组织者。",
}


def busy(_error):
    """Too many writers at once (a deadline burst on SQLite): ask the client to retry; the exam page does."""
    message = "服务器繁忙，请稍后重试；已作答的内容不会丢失。"
    if request.path.startswith("/api/"):
        return jsonify(error="busy", message=message), 503, {"Retry-After": "2"}
    return render_template("error.html", code=503, message=message), 503, {"Retry-After": "2"}


def error_page(error):
    code = getattr(error, "code", 500) or 500
    message = ERROR_MESSAGES.get(code, "出错了。")
    if request.path.startswith("/api/"):
        return jsonify(error=str(code), message=message), code
    return render_template("error.html", code=code, message=message), code
