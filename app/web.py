"""What every page shares: the logged-in user, role checks, local time, Markdown, error pages, and the bounds on
what a request may bring (body size, text, path ids)."""
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Request, abort, current_app, g, jsonify, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from app.database import DatabaseBusy
from app.domain.banks import describe_response
from app.domain.inputs import (
    BAD_TEXT,
    INT_LIMIT,
    JsonRefused,
    json_text_ok,
    parse_json,
    text_ok,
)
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
    app.register_error_handler(413, too_large)
    app.register_error_handler(DatabaseBusy, busy)
    app.register_error_handler(InputRefused, lambda refused: error_response(*refused.args))
    app.request_class = BoundedRequest
    app.before_request(refuse_bad_input)


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    key = User.parse_session_key(session_key)
    user = db.session.get(User, key[0]) if key else None
    # A deactivated account loses sessions it already had, not only future logins; so does every session (and
    # remember-me cookie) issued before its session version rose: logout, a new password, an organiser's sign-out.
    return user if user is not None and user.active and user.session_version == key[1] else None


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


# -- what a request may bring ---------------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """`<int:…>` in every route (registered before any route is added): ids live in 32-bit columns, so a path id
    past them is 404 like any other unknown id, never an overflow in the database driver."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, **kwargs):
        super().__init__(map, **{"max": INT_LIMIT - 1, **kwargs})


def takes_upload(view):
    """Marks a view that reads a file from request.files: its body may reach MAX_UPLOAD_LENGTH."""
    view.takes_upload = True
    return view


class BoundedRequest(Request):
    """Every body is bounded, before anything reads it (CSRF checks read the form first): MAX_CONTENT_LENGTH, or
    MAX_UPLOAD_LENGTH for a view marked @takes_upload. Past it the request is 413 and nothing is parsed."""

    @property
    def max_content_length(self) -> int | None:
        if not current_app:
            return super().max_content_length
        view = current_app.view_functions.get(self.endpoint or "")
        return current_app.config["MAX_UPLOAD_LENGTH" if getattr(view, "takes_upload", False)
                                  else "MAX_CONTENT_LENGTH"]


class InputRefused(Exception):
    """A request refused before any view sees it: args are error_response's (status, code, message)."""


def refuse_bad_input() -> None:
    """Before every view: query strings, form fields and file names must be text we can store and show
    (domain.inputs.text_ok), so a NUL typed into a name or reason is refused here rather than failing in the
    database; and a body that says it is JSON must be JSON we take (request_json)."""
    if request.content_length is None:
        # A chunked body has no length to refuse up front, and the stream stops quietly at the limit: read it whole,
        # and one byte more is 413, so a body cut short is never parsed as if it were all there.
        request.get_data(cache=True)
        request.stream.read(1)
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    names = [upload.filename or "" for upload in request.files.values()]
    if not (all(text_ok(key) and text_ok(value) for key, value in fields) and all(map(text_ok, names))):
        raise InputRefused(400, "invalid_text", f"提交的内容{BAD_TEXT}，请删除后重试。")
    request_json()


def request_json() -> Any:
    """The request's JSON document, read once; None when the body is not JSON or empty. Refused (InputRefused)
    when it is not UTF-8 JSON or nests too deep (400 invalid_json), or holds text that cannot be stored (422
    invalid_response: the exam page then sends its answers one by one, so one bad answer never holds up the rest)."""
    if "request_json" not in g:
        data = request.get_data(cache=True) if request.is_json else b""
        try:
            g.request_json = parse_json(data) if data else None
        except JsonRefused as refused:
            raise InputRefused(400, "invalid_json", refused.message) from None
        if not json_text_ok(g.request_json):
            raise InputRefused(422, "invalid_response", f"请求{BAD_TEXT}，请删除后重试。")
    return g.request_json


# -- error pages -------------------------------------------------------------------------------------------------

ERROR_MESSAGES = {
    400: "请求有误，请返回重试。",
    403: "您没有权限访问此页面。",
    404: "页面不存在。",
    405: "不支持此操作。",
    500: "服务器出错，请稍后重试；如果问题持续，请联系组织者。",
}
ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 500: "server_error"}


def busy(_error):
    """Too many writers at once (a deadline burst on SQLite): ask the client to retry; the exam page does."""
    return error_response(503, "busy", "服务器繁忙，请稍后重试；已作答的内容不会丢失。", {"Retry-After": "2"})


def error_page(error):
    code = getattr(error, "code", 500) or 500
    return error_response(code, ERROR_CODES.get(code, str(code)), ERROR_MESSAGES.get(code, "出错了。"))


def too_large(_error):
    limit = request.max_content_length or 0
    return error_response(413, "too_large", f"提交的内容过大，超过了 {limit / 2**20:g} MB 的上限，未作任何处理。")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    """JSON {"error", "message"} for the API's clients, the Chinese error page for everyone else."""
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=message), status, headers or {}
    return render_template("error.html", code=status, message=message), status, headers or {}
