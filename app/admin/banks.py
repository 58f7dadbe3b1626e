"""Organiser pages that bring banks in and out without a shell: upload bank files (any format import reads) and paper
blueprints, see their problems and a dry run of what would change, confirm; download a bank in each export format and
the empty Excel template."""
import io
from pathlib import Path

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin import bp
from app.admin.forms import BankConfirmForm, BankUploadForm
from app.admin.uploads import UploadRefused, bounded, encoded, posted_back
from app.banks.formats import FORMATS
from app.banks.service import bank_spec
from app.banks.uploads import UploadedFile, UploadPreview, confirm, preview, safe_name
from app.domain import workbooks
from app.extensions import db
from app.models import Bank, Question, Role
from app.web import role_required, takes_upload

# What the overview offers to download, with the names organisers know the formats by (FORMATS' writable ones).
DOWNLOAD_FORMATS = {"xlsx": "Excel", "yaml": "YAML", "moodle": "Moodle XML", "gift": "GIFT", "qti": "QTI 2.1 包"}


@bp.get("/banks/upload")
@role_required(Role.ORGANISER)
def bank_upload():
    return render_template("admin/bank_upload.html", form=BankUploadForm(), preview=None)


@bp.post("/banks/upload")
@takes_upload
@role_required(Role.ORGANISER)
def bank_preview():
    form = BankUploadForm()
    if not form.validate():
        return render_template("admin/bank_upload.html", form=form, preview=None), 400
    files = _uploaded(form)
    result = preview(files, form.defaults(), form.partial.data, current_user)
    return _preview_page(form, result)


@bp.post("/banks/upload/confirm")
@takes_upload
@role_required(Role.ORGANISER)
def bank_confirm():
    form = BankConfirmForm()
    if not form.validate():
        return render_template("admin/bank_upload.html", form=form, preview=None), 400
    result, imported = confirm(_posted_back(form), form.defaults(), form.partial.data, current_user,
                               form.fingerprint.data or "")
    if not imported:
        flash("预览之后，题库或上传的内容有了变化：下面是现在导入会发生的变化，请核对后再确认。", "error")
        return _preview_page(form, result, status=409)
    summary, papers = result.summary, result.papers
    flash(f"已导入：新增 {len(summary.added)} 道，修改 {len(summary.changed)} 道，停用 {len(summary.retired)} 道，"
          f"未变 {summary.unchanged} 道；试卷方案新增 {len(papers.added)} 个，修改 {len(papers.changed)} 个。",
          "success")
    return redirect(url_for("admin.index"))


@bp.get(f"/banks/<bank>.<any({', '.join(DOWNLOAD_FORMATS)}):export>")
@role_required(Role.ORGANISER)
def bank_download(bank: str, export: str):
    stored = db.session.scalar(select(Bank).where(Bank.slug == bank)
                               .options(selectinload(Bank.questions).selectinload(Question.current))) or abort(404)
    spec, bank_format = bank_spec(stored), FORMATS[export]
    return _attachment(bank_format.write(spec), f"{Path(spec.file).stem}{bank_format.suffix}")


@bp.get("/banks/template.xlsx")
@role_required(Role.ORGANISER)
def bank_template_download():
    return _attachment(workbooks.template(), "题库模板.xlsx")


def _uploaded(form: BankUploadForm) -> list[UploadedFile]:
    uploads = [(upload, False) for upload in form.banks.data or []] + [(u, True) for u in form.papers.data or []]
    files = [UploadedFile(safe_name(upload.filename or ""), upload.read(), paper)
             for upload, paper in uploads if upload and upload.filename]
    if not files:
        raise UploadRefused("请选择要上传的题库文件或试卷方案。")
    return bounded(files)


def _posted_back(form: BankConfirmForm) -> list[UploadedFile]:
    papers = form.file_paper.data
    if len(papers) != len(form.file_name.data):
        raise UploadRefused("确认的内容不完整，请重新上传文件。")
    files = posted_back(form.file_name.data, form.file_data.data)
    return [UploadedFile(safe_name(name), data, paper == "1")
            for (name, data), paper in zip(files, papers, strict=True)]


def _preview_page(form: BankUploadForm, result: UploadPreview, status: int = 200):
    encoded_files = [(upload.name, encoded(upload.data)) for upload in result.files]
    return render_template("admin/bank_upload.html", form=form, preview=result, encoded=encoded_files,
                           fingerprint=result.fingerprint()), status if result.importable else 422


def _attachment(data: bytes, filename: str):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, max_age=0)
