"""Organiser pages for the paper fallback (纸质备用卷): a session's paper printed in variants, each variant's key sheet
for markers, and entering a candidate's answer sheet so that it is marked like an online attempt."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ANSWER_FIELD, PaperSheetForm
from app.admin.sessions import session_or_404
from app.attempts import printed
from app.domain.printed import DEFAULT_VARIANTS, VARIANT_CODES, variant_code
from app.domain.scores import points_text
from app.errors import AppError
from app.models import ExamSession, Role, utcnow
from app.web import role_required


def _chosen_variant() -> str:
    return variant_code(request.args.get("variant", VARIANT_CODES[0])) or abort(404)


@bp.get("/sessions/<int:session_id>/paper")
@role_required(Role.ORGANISER)
def paper_print(session_id: int):
    """The paper to print for candidates: header, questions and answer sheet, and no key."""
    exam = session_or_404(session_id)
    chosen = printed.variant(exam, _chosen_variant())
    return render_template("admin/paper_print.html", exam=exam, variant=chosen, codes=VARIANT_CODES,
                           default_variants=DEFAULT_VARIANTS)


@bp.get("/sessions/<int:session_id>/paper/key")
@role_required(Role.ORGANISER)
def paper_key(session_id: int):
    """A variant's key sheet (答案页), for markers after the sitting: never handed out in the hall."""
    exam = session_or_404(session_id)
    chosen = printed.variant(exam, _chosen_variant(), with_key=True)
    return render_template("admin/paper_key.html", exam=exam, variant=chosen, codes=VARIANT_CODES)


@bp.route("/sessions/<int:session_id>/paper/entry", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def paper_entry(session_id: int):
    exam = session_or_404(session_id)
    printed.printable_paper(exam)
    if request.method == "GET":
        return _entry_page(exam, PaperSheetForm(request.args, meta={"csrf": False}))
    form = PaperSheetForm()
    try:
        sheet = printed.read(exam, form.candidate.data, form.variant.data, form.written())
        if not form.is_confirmed():
            return _entry_page(exam, form, confirm=sheet)
        attempt = printed.enter(exam, sheet, current_user, utcnow())
    except AppError as error:
        return _entry_page(exam, form, error=error.message, status=error.status)
    flash(f"已录入 {sheet.candidate.name} 的纸质答卷（变体 {sheet.variant.code}），"
          f"得分 {points_text(attempt.score)}{'' if attempt.fully_marked else '，简答题待评委评分'}。", "success")
    return redirect(url_for("admin.attempt_record", session_id=exam.id, attempt_id=attempt.id))


def _entry_page(exam: ExamSession, form: PaperSheetForm, *, confirm: printed.ReadSheet | None = None,
                error: str | None = None, status: int = 200):
    """Choosing the candidate and variant; then that variant's sheet to type in, refilled after a refusal."""
    code = variant_code(form.variant.data or "")
    chosen = printed.variant(exam, code) if code and form.candidate.data else None
    written = form.written() if request.method == "POST" else {}
    return render_template("admin/paper_entry.html", exam=exam, form=form, variant=chosen, written=written,
                           candidates=printed.candidates_without_attempt(exam), codes=VARIANT_CODES,
                           answer_field=ANSWER_FIELD, confirm=confirm, error=error), status
