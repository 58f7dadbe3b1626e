"""Organiser page for accounts and logins (账号与登录): adding accounts one by one or from a list (CSV or Excel,
previewed before anything is written, as `flask users import` reads it), resetting a password, deactivating an
account (never deleting it: its scores stay), password slips to print for the hall;
accounts slowed or held by failed logins, unlocking them, and signing an account out on every device. Every act is
recorded in the audit trail; what cannot be undone asks first.

A generated password is shown once, on the slips page that answers the act (no-store, like every page)."""
import io
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app import exports
from app.admin import bp
from app.admin.forms import AccountForm, AccountsConfirmForm, AccountsFileForm
from app.admin.uploads import UploadRefused, encoded, posted_back
from app.database import begin_write
from app.domain.accounts import template_rows
from app.extensions import db
from app.forms import ActionForm
from app.models import Organisation, Role, User, record, utcnow
from app.users import logins
from app.users.service import PlannedAccount, generate_password, save_account, set_password
from app.users.uploads import AccountsPreview, confirm_accounts, preview_accounts
from app.web import role_required, takes_upload


@dataclass(frozen=True)
class Slip:
    """One password slip (密码条) as the hall hands it out."""

    user: User
    password: str


MATCHES_SHOWN = 50


@bp.get("/accounts")
@role_required(Role.ORGANISER)
def accounts():
    return _accounts_page(request.args.get("q", "").strip()[:64])


def _matches(query: str, role: str, org: str) -> list[User]:
    """Accounts whose username or name holds the query, of a role and under an organisation (its code), if given."""
    conditions = []
    if query:
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"   # typed, not wildcards
        conditions.append(or_(User.username.ilike(like, escape="\\"), User.name.ilike(like, escape="\\")))
    if role in {r.value for r in Role}:
        conditions.append(User.role == role)
    if org:
        conditions.append(User.organisation.has(Organisation.code == org))
    if not conditions:
        return []
    return list(db.session.scalars(select(User).where(*conditions).options(selectinload(User.organisation))
                                   .order_by(User.username).limit(MATCHES_SHOWN + 1)))


def _accounts_page(query: str = "", **confirming: User):
    """The page, with a confirmation open when an act asks first (signing_out, resetting, deactivating)."""
    now = utcnow()
    found = _account(query) if query else None
    role, org = request.args.get("role", ""), request.args.get("org", "")[:64]
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.code)))
    return render_template("admin/accounts.html", throttled=logins.throttled(now), unknown=logins.unknown_names(now),
                           query=query, found=found, found_throttle=found and logins.throttled(now, found.username),
                           matches=_matches(query, role, org), role=role, org=org, organisations=organisations,
                           roles=list(Role), shown=MATCHES_SHOWN, policy=logins.policy(), **confirming)


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


# -- adding, resetting, deactivating ------------------------------------------------------------------------------

@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_account():
    form = AccountForm()
    form.organisation.choices = [SelectChoice("", "（无）")] + [
        SelectChoice(o.code, o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.code))]
    if not form.validate_on_submit():
        return render_template("admin/account_new.html", form=form), 422 if form.is_submitted() else 200
    begin_write()
    if _account(form.username.data):
        form.username.errors = [f"用户名 {form.username.data} 已被使用。"]
        return render_template("admin/account_new.html", form=form), 422
    saved = save_account(form.username.data, name=form.name.data, role=form.role.data,
                         org_code=form.organisation.data or None)
    record("user.created", saved.user.username, actor=current_user._get_current_object(), role=saved.user.role)
    user = saved.user
    return slips_page([Slip(user, saved.initial_password)], f"已添加账号 {user.name}（{user.username}）。")


# -- a list of accounts: previewed, then imported as previewed ----------------------------------------------------

@bp.get("/accounts/upload")
@role_required(Role.ORGANISER)
def account_upload():
    return _upload_page(None)


@bp.post("/accounts/upload")
@takes_upload
@role_required(Role.ORGANISER)
def accounts_preview():
    upload = AccountsFileForm().file.data
    if not upload or not upload.filename:
        raise UploadRefused("请选择名单文件（CSV 或 Excel）。")
    return _upload_page(preview_accounts(upload.filename, upload.read()))


@bp.post("/accounts/upload/confirm")
@takes_upload
@role_required(Role.ORGANISER)
def accounts_confirm():
    form = AccountsConfirmForm()
    files = posted_back(form.file_name.data, form.file_data.data)
    if len(files) != 1:
        raise UploadRefused("一次确认一个名单文件，请重新上传。")
    [(filename, data)] = files
    preview, result = confirm_accounts(filename, data, form.fingerprint.data or "", current_user._get_current_object())
    if result is None:
        return _upload_page(preview, changed=True)
    users = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_([username for username, _ in result.created])))}
    return slips_page([Slip(users[username], password) for username, password in result.created],
                      f"已导入 {filename}：新建 {len(result.created)} 个，更改 {len(result.updated)} 个，"
                      f"未变 {len(result.unchanged)} 个。")


@bp.get("/accounts/template.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def accounts_template_download(fmt: str):
    """The list to fill in, with Chinese headers and an example row under the first organisation, if any."""
    header, rows = template_rows(db.session.scalar(select(Organisation.name).order_by(Organisation.code)) or "")
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, rows), exports.CSV_TYPE
    else:
        data, mimetype = exports.to_xlsx(header, rows, sheet="账号"), exports.XLSX_TYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"账号名单模板.{fmt}",
                     max_age=0)


_FIELD_WORDS = {"name": "姓名", "role": "角色", "org": "组织"}


def _change_words(planned: PlannedAccount) -> list[str]:
    """What importing a row changes in an existing account, as the organiser reads it."""
    user, words = planned.user, []
    for key, (old, new) in planned.changes.items():
        if key == "role":
            old, new = Role(old).label, Role(new).label
        elif key == "org":
            old = user.organisation.name if user.organisation else "（无）"
            new = planned.organisation.name if planned.organisation else "（无）"
        words.append(f"{_FIELD_WORDS[key]}：{old} → {new}")
    return words


def _upload_page(preview: AccountsPreview | None, changed: bool = False):
    status = 409 if changed else 200 if preview is None or preview.importable else 422
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.code)))
    return render_template(
        "admin/account_upload.html", preview=preview, changed=changed,
        organisations=organisations, role_labels={role.value: role.label for role in Role},
        changes={p.row.line: _change_words(p) for p in preview.plan} if preview else {},
        encoded=[(preview.filename, encoded(preview.data))] if preview else [],
        fingerprint=preview.fingerprint() if preview else ""), status


@bp.post("/accounts/<username>/reset-password")
@role_required(Role.ORGANISER)
def reset_password(username: str):
    user = _account(username) or abort(404)
    if not ActionForm().is_confirmed():
        return _accounts_page(username, resetting=user)
    begin_write()
    password = generate_password()
    set_password(user, password)
    user.must_change_password = True
    logins.end_sessions(user)
    record("user.password_reset", username, actor=current_user._get_current_object())
    return slips_page([Slip(user, password)], f"已为 {user.name}（{username}）重设初始密码；原密码和所有登录都已失效。")


@bp.post("/accounts/<username>/deactivate")
@role_required(Role.ORGANISER)
def deactivate_account(username: str):
    user = _account(username) or abort(404)
    if user.id == current_user.id:
        flash("不能停用自己正在使用的账号。", "error")
        return _back(username)
    if not ActionForm().is_confirmed():
        return _accounts_page(username, deactivating=user)
    begin_write()
    user.active = False
    logins.end_sessions(user)
    record("user.deactivated", username, actor=current_user._get_current_object())
    flash(f"已停用 {user.name}（{username}）：不能再登录，已有的成绩和记录都保留。", "success")
    return _back(username)


@bp.post("/accounts/<username>/activate")
@role_required(Role.ORGANISER)
def activate_account(username: str):
    user = _account(username) or abort(404)
    begin_write()
    user.active = True
    record("user.activated", username, actor=current_user._get_current_object())
    flash(f"已恢复 {user.name}（{username}）：可以用原密码登录。", "success")
    return _back(username)


def slips_page(slips: list[Slip], message: str):
    """Password slips to print (密码条), each new password shown this once."""
    return render_template("admin/account_slips.html", slips=slips, message=message, site=request.host_url)
