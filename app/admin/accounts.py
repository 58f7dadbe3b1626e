"""Organiser page for logins (账号与登录): accounts slowed or held by failed logins, unlocking them, and signing an
account out on every device. Both acts are recorded in the audit trail; signing out asks first."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.database import begin_write
from app.extensions import db
from app.forms import ActionForm
from app.models import Role, User, record, utcnow
from app.users import logins
from app.web import role_required


@bp.get("/accounts")
@role_required(Role.ORGANISER)
def accounts():
    return _accounts_page(request.args.get("q", "").strip()[:64])


def _accounts_page(query: str = "", signing_out: User | None = None):
    now = utcnow()
    found = _account(query) if query else None
    return render_template("admin/accounts.html", throttled=logins.throttled(now), unknown=logins.unknown_names(now),
                           query=query, found=found, found_throttle=found and logins.throttled(now, found.username),
                           signing_out=signing_out, policy=logins.policy())


@bp.post("/accounts/<username>/unlock")
@role_required(Role.ORGANISER)
def unlock_account(username: str):
    user = _account(username) or abort(404)
    lifted = logins.unlock(username, utcnow())
    if lifted is None:
        flash(f"{user.name}（{username}）没有登录限制，无需解锁。", "success")
        return _back(username)
    record("user.unlocked", username, actor=current_user._get_current_object(), **lifted.audit())
    flash(f"已解除 {user.name}（{username}）的登录限制：失败记录已清除，可以立即登录。", "success")
    return _back(username)


@bp.post("/accounts/<username>/sign-out")
@role_required(Role.ORGANISER)
def sign_out_account(username: str):
    user = _account(username) or abort(404)
    if not ActionForm().is_confirmed():
        return _accounts_page(username, signing_out=user)
    begin_write()
    logins.end_sessions(user)
    record("user.signed_out_everywhere", username, actor=current_user._get_current_object())
    flash(f"{user.name}（{username}）在所有设备上的登录都已失效。", "success")
    return _back(username)


def _account(username: str) -> User | None:
    return db.session.scalar(select(User).filter_by(username=username))


def _back(username: str):
    return redirect(url_for("admin.accounts", q=username))
