"""Organiser pages for exam sessions (考试场次): scheduling, watching a sitting, results, item analysis, re-marking."""
import io
import re

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app import exports
from app.admin import bp, results
from app.admin.forms import ExtendForm, KeyForm, ScheduleForm
from app.attempts.judging import MarkingError, correct_key, corrections
from app.attempts.letters import bank_letters
from app.attempts.release import shared_with_practice
from app.attempts.sweeper import sweep_all
from app.contests.rounds import RoundRefused, find_round, open_rounds
from app.errors import NotFound
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    ExamSession,
    PaperBlueprint,
    PaperItem,
    Response,
    Role,
    ScoreRelease,
    utcnow,
)
from app.scheduling.service import (
    ScheduleError,
    check_extendable,
    extend_attempt,
    extended_deadline,
    organisation_choices,
    schedule_session,
)
from app.web import role_required

UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


def session_or_404(session_id: int) -> ExamSession:
    return db.session.scalar(
        select(ExamSession).where(ExamSession.id == session_id)
        .options(selectinload(ExamSession.blueprint), selectinload(ExamSession.paper))) or abort(404)


# -- list and schedule ----------------------------------------------------------------------------------------

@bp.get("/sessions")
@role_required(Role.ORGANISER)
def sessions():
    return render_template("admin/sessions.html", listings=results.session_listings(), now=utcnow())


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_session():
    form = ScheduleForm()
    form.blueprint.choices = [SelectChoice(b.slug, f"{b.title}（{b.slug}）")
                              for b in db.session.scalars(select(PaperBlueprint).order_by(PaperBlueprint.slug))]
    form.organisation.choices = [SelectChoice("", "（不按组织选择）")] + [
        SelectChoice(code, label) for code, label in organisation_choices()]
    form.round.choices = [SelectChoice("", "（不计入比赛）")] + [
        SelectChoice(r.ref, f"{r.contest.title} · {r.title}") for r in open_rounds()]
    if not form.is_submitted():
        form.propose_times(utcnow(), current_app.config["TIMEZONE"])
    if not form.validate_on_submit():
        return _schedule_page(form, status=422 if form.is_submitted() else 200)
    try:
        session = schedule_session(
            blueprint_slug=form.blueprint.data, title=form.title.data, opens_at=form.opens_at(),
            closes_at=form.closes_at(), usernames=form.usernames_list(), org_code=form.organisation.data or None,
            review=form.review.data, show_key=form.show_key.data, actor=current_user, channel="web",
            round_=find_round(form.round.data) if form.round.data else None,
            mock=form.mock.data, max_attempts=form.max_attempts.data, away_alert_after=form.away_alert_after.data)
    except (ScheduleError, RoundRefused) as error:
        return _schedule_page(form, error.message, 422)
    flash(f"已安排考试“{session.title}”，考生 {len(session.candidates)} 人。", "success")
    if not session.mock:
        _warn_shared_with_practice(session)
    return redirect(url_for("admin.session", session_id=session.id))


def _warn_shared_with_practice(session: ExamSession) -> None:
    count, banks = shared_with_practice(session)
    if count:
        flash(f"试卷中有 {count} 道题来自开放练兵的题库：考生此前可能练过；考试结束前这些题暂停练习。"
              "正式比赛宜用不开放练兵的题库。", "error")
    if banks:
        flash(f"本场每人单独抽题，抽题的题库 {', '.join(banks)} 开放练兵：考试结束前这些题库整库暂停练习。", "error")


def _schedule_page(form: ScheduleForm, error: str | None = None, status: int = 200):
    return render_template("admin/session_new.html", form=form, error=error), status


# -- one session while it runs --------------------------------------------------------------------------------

@bp.get("/sessions/<int:session_id>")
@role_required(Role.ORGANISER)
def session(session_id: int):
    return _session_page(session_or_404(session_id))


def _session_page(exam: ExamSession, forms: dict[int, ExtendForm] | None = None, status: int = 200,
                  error: str | None = None, confirm: dict | None = None):
    now = utcnow()
    rows = results.candidate_rows(exam, now)
    return render_template("admin/session.html", exam=exam, rows=rows, counts=results.status_counts(rows), now=now,
                           review=ScoreRelease(exam.review).label,
                           forms=forms or {}, blank_form=ExtendForm(formdata=None),
                           overdue=sum(row.overdue for row in rows), error=error, confirm=confirm), status


@bp.post("/sessions/<int:session_id>/attempts/<int:attempt_id>/extend")
@role_required(Role.ORGANISER)
def extend(session_id: int, attempt_id: int):
    exam = session_or_404(session_id)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.session_id != exam.id:
        abort(404)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _session_page(exam, {attempt_id: form}, 422)
    try:
        check_extendable(attempt, utcnow())
    except ScheduleError as error:
        return _session_page(exam, {attempt_id: form}, 422, error.message)
    if not form.is_confirmed():
        return _session_page(exam, {attempt_id: form}, confirm={
            "attempt": attempt, "minutes": int(form.minutes.data), "reason": form.reason.data,
            "deadline": extended_deadline(attempt, int(form.minutes.data), utcnow())})
    try:
        extended = extend_attempt(attempt_id, int(form.minutes.data), current_user, utcnow(), form.reason.data)
    except (NotFound, ScheduleError) as error:
        return _session_page(exam, {attempt_id: form}, 422, error.message)
    flash(f"已为 {extended.user.name} 延长 {form.minutes.data} 分钟，新的截止时间已记录。", "success")
    return redirect(url_for("admin.session", session_id=exam.id))


@bp.post("/sessions/<int:session_id>/sweep")
@role_required(Role.ORGANISER)
def sweep_session(session_id: int):
    exam = session_or_404(session_id)
    closed = sweep_all(utcnow()).closed
    flash(f"已收取 {closed} 份超时答卷并评分。" if closed else "没有超时未收的答卷。", "success")
    return redirect(url_for("admin.session", session_id=exam.id))


@bp.get("/sessions/<int:session_id>/attempts/<int:attempt_id>")
@role_required(Role.ORGANISER)
def attempt_record(session_id: int, attempt_id: int):
    """One attempt replayed from raw data, for an appeal (申诉): every answer and mark, every step."""
    exam = session_or_404(session_id)
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.id == attempt_id, Attempt.session_id == exam.id)
        .options(selectinload(Attempt.events), selectinload(Attempt.responses).selectinload(Response.paper_item)
                 .selectinload(PaperItem.revision))) or abort(404)
    return render_template("admin/session_attempt.html", exam=exam, attempt=attempt,
                           status=AttemptStatus(attempt.status).label, answer_text=results.answer_text,
                           bank_letters=bank_letters)


# -- results --------------------------------------------------------------------------------------------------

@bp.get("/sessions/<int:session_id>/results")
@role_required(Role.ORGANISER)
def session_results(session_id: int):
    return _results_page(session_or_404(session_id))


def _results_page(exam: ExamSession, key_forms: dict[int, KeyForm] | None = None, status: int = 200,
                  confirm: dict | None = None):
    titles = results.section_titles(exam)
    columns = results.columns(titles)
    sort = request.args.get("sort", "username")
    sort = sort if sort in dict(columns) else "username"
    descending = request.args.get("dir") == "desc"
    rows = results.sort_rows(results.candidate_rows(exam, utcnow()), sort, descending)
    analyses = results.item_analyses(exam)
    forms = {a.revision.id: KeyForm(formdata=None, key=a.key_input, explanation=a.explanation)
             for a in analyses if a.objective}
    forms.update(key_forms or {})
    return render_template(
        "admin/session_results.html", exam=exam, columns=columns, rows=rows, cells=results.cells, sort=sort,
        descending=descending, bins=results.score_histogram(rows, exam), analyses=analyses, key_forms=forms,
        history=corrections(exam.id), confirm=confirm), status


@bp.get("/sessions/<int:session_id>/results.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def results_download(session_id: int, fmt: str):
    exam = session_or_404(session_id)
    header, body = results.table(results.candidate_rows(exam, utcnow()), results.section_titles(exam))
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, body), exports.CSV_TYPE
    else:
        data, mimetype = exports.to_xlsx(header, body), exports.XLSX_TYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"{UNSAFE_IN_FILENAME.sub('_', exam.title)}-成绩.{fmt}", max_age=0)


@bp.post("/sessions/<int:session_id>/keys/<int:revision_id>")
@role_required(Role.ORGANISER)
def correct(session_id: int, revision_id: int):
    exam = session_or_404(session_id)
    form = KeyForm()
    if not form.validate_on_submit():
        return _results_page(exam, {revision_id: form}, 422)
    try:
        done = correct_key(exam.id, revision_id, form.key.data, form.explanation.data, current_user, utcnow(),
                           form.reason.data or "", dry_run=not form.is_confirmed())
    except NotFound:
        abort(404)
    except MarkingError as error:
        form.form_errors.append(error.message)
        return _results_page(exam, {revision_id: form}, 422)
    if not form.is_confirmed():
        return _results_page(exam, {revision_id: form}, confirm={
            "revision_id": revision_id, "correction": done,
            "fields": {"key": form.key.data, "explanation": form.explanation.data, "reason": form.reason.data or ""}})
    flash(f"已更正 {done.question} 的答案并重新评分 {done.remarked} 份答卷，其中 {len(done.moved)} 份成绩变动。",
          "success")
    return redirect(url_for("admin.session_results", session_id=exam.id, _anchor="corrections"))
