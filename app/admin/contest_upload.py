"""Organiser pages that load a contest without a shell: upload the contest file and its candidates list, see every
problem and a dry run of what would change, confirm; new candidates' initial passwords come out as password slips."""
from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.admin.accounts import Slip, slips_page
from app.admin.forms import ContestConfirmForm, ContestUploadForm
from app.admin.uploads import bounded, encoded, posted_back
from app.contests.pages import change_words
from app.contests.uploads import ContestPreview, confirm_contest, preview_contest
from app.extensions import db
from app.models import Role, User
from app.web import role_required, takes_upload


@bp.get("/contests/upload")
@role_required(Role.ORGANISER)
def contest_upload():
    return render_template("admin/contest_upload.html", form=ContestUploadForm(), preview=None)


@bp.post("/contests/upload")
@takes_upload
@role_required(Role.ORGANISER)
def contest_preview():
    files = bounded([(upload.filename, upload.read()) for upload in ContestUploadForm().files.data or []
                     if upload and upload.filename])
    return _preview_page(preview_contest(files, current_user))


@bp.post("/contests/upload/confirm")
@takes_upload
@role_required(Role.ORGANISER)
def contest_confirm():
    form = ContestConfirmForm()
    result, loaded = confirm_contest(posted_back(form.file_name.data, form.file_data.data), current_user,
                                     form.fingerprint.data or "")
    if not loaded:
        return _preview_page(result, changed=True)
    summary = result.summary
    created = [username for username, _ in summary.new_accounts]
    users = {user.username: user for user in db.session.scalars(select(User).where(User.username.in_(created)))}
    message = (f"已加载比赛“{result.spec.title}”：{len(summary.changes)} 项变化，新建考生账号 "
               f"{len(summary.new_accounts)} 个。")
    return slips_page([Slip(users[username], password) for username, password in summary.new_accounts], message)


def _preview_page(result: ContestPreview, changed: bool = False):
    status = 409 if changed else 200 if result.loadable else 422
    return render_template("admin/contest_upload.html", form=ContestUploadForm(formdata=None), preview=result,
                           changes=[change_words(change) for change in (result.summary.changes if result.summary
                                                                        else [])],
                           encoded=[(name, encoded(data)) for name, data in result.files],
                           fingerprint=result.fingerprint(), changed=changed), status

