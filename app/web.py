"""What every page shares: the logged-in user, role checks, local time, Markdown, the one error handler (`refusal`),
and the bounds on what a request may bring (body size, text, path ids)."""
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from app.database import end_unit
from app.domain.inputs import (
    BAD_TEXT,
    INT_LIMIT,
    JsonRefused,
    json_text_ok,
    parse_json,
    text_ok,
)
from app.domain.markup import render_inline, render_markdown, render_stem
from app.domain.questions import question_type
from app.domain.scores import points_text
from app.errors import AppError, InvalidJson, InvalidResponse, InvalidText, TooLarge
from app.extensions import login_manager
from app.forms import csrf_field
from app.models import Role
from app.users.logins import NOT_LOGGED_IN, ClaimedAccount, claimed_account, session_account


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = NOT_LOGGED_IN
    # "basic" only marks the session non-fresh when the address changes: a candidate whose
    # network switches mid-exam stays logged in ("strong" would log them out).
    login_manager.session_protection = "basic"
    login_manager.user_loader(_session_user)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["points"] = points_text
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    app.jinja_env.filters["inline_markdown"] = lambda text: Markup(render_inline(text or ""))
    app.jinja_env.filters["stem"] = lambda text: Markup(render_stem(text or ""))
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.globals["question_type"] = question_type
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, error_page)
    app.register_error_handler(413, too_large)
    app.register_error_handler(AppError, refusal)
    app.request_class = BoundedRequest
    app.before_request(refuse_bad_input)
    app.session_interface = PageRefreshedSession()
    app.after_request(_claims_checked)


def checks_account_in_write(view):
    """For a view whose one write checks the account its session names (app/users/logins.py ClaimedAccount): the
    request does not read the account before it. The write must pass `current_user` on to refused_claims."""
    view.checks_account_in_write = True
    return view


def _session_user(session_key: str):
    """Flask-Login's loader: the account as read, or only as claimed for a view that checks it in its write."""
    view = current_app.view_functions.get(request.endpoint) if has_request_context() else None
    if getattr(view, "checks_account_in_write", False):
        return claimed_account(session_key)
    return session_account(session_key)


def _claims_checked(response: Response) -> Response:
    """A claimed account answered for without its write having checked it would be a request served on a session
    that may have ended: a bug, so it raises rather than answer."""
    user = g.get("_login_user")
    if isinstance(user, ClaimedAccount) and not user.checked and response.status_code < 400:
        raise RuntimeError(f"{request.endpoint} answered on an account it never checked")
    return response


class PageRefreshedSession(SecureCookieSessionInterface):
    """A login lasts PERMANENT_SESSION_LIFETIME from the last page opened: the cookie is signed and sent again with
    pages only, not with every API call or static file (an exam page's autosaves, a deadline burst), where re-signing
    it cost more than the rest of the answer. A session that changed is always sent."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        page = request.blueprint != "api" and request.endpoint != "static"
        return page and super().should_set_cookie(app, session)


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in the configured zone (Asia/Shanghai unless told otherwise)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


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

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, **{"max": INT_LIMIT - 1, **kwargs})


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
        raise InvalidText(f"提交的内容{BAD_TEXT}，请删除后重试。")
    request_json()


def request_json() -> Any:
    """The request's JSON document, read once; None when the body is not JSON or empty. Refused when it is not
    UTF-8 JSON or nests too deep (400 invalid_json), or holds text that cannot be stored (422
    invalid_response: the exam page then sends its answers one by one, so one bad answer never holds up the rest)."""
    if "request_json" not in g:
        data = request.get_data(cache=True) if request.is_json else b""
        try:
            g.request_json = parse_json(data) if data else None
        except JsonRefused as refused:
            raise InvalidJson(refused.message) from None
        if not json_text_ok(g.request_json):
            raise InvalidResponse(f"请求{BAD_TEXT}，请删除后重试。")
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


def error_page(error):
    """Werkzeug's errors (abort(404), a wrong method, any unexpected exception as 500), answered as a refusal."""
    status = getattr(error, "code", 500) or 500
    return refusal(AppError(ERROR_MESSAGES.get(status, "出错了。"), status, ERROR_CODES.get(status, str(status))))


def too_large(_error):
    limit = request.max_content_length or 0
    return refusal(TooLarge(f"提交的内容过大，超过了 {limit / 2**20:g} MB 的上限，未作任何处理。"))


def refusal(error: AppError):
    """The one answer to an AppError: the request's writes are rolled back (or kept, if the error says so), and
    API clients get JSON {"error", "message"}, everyone else the error page in the site's layout."""
    end_unit(keep=error.keeps_changes)
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    if request.path.startswith("/api/"):
        return jsonify(error=error.code, message=error.message), error.status, headers
    return render_template("error.html", code=error.status, message=error.message), error.status, headers


def refused_back(error: AppError, target: str):
    """A refusal that a view shows on the page it sends the user back to: nothing of the refused work is kept."""
    end_unit(keep=False)
    flash(error.message, "error")
    return redirect(target)
