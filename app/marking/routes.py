"""Scoring short answers: the sessions waiting, one answer at a time, then on to the next unmarked one.

Judges never see who wrote an answer: pages name the attempt by its number only.
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.attempts.judging import (
    MarkingError,
    mark_response,
    marking_loads,
    next_unmarked,
    session_short_responses,
)
from app.domain.scores import points_text
from app.errors import NotFound
from app.extensions import db
from app.marking import bp
from app.marking.forms import MarkForm
from app.models import Attempt, AttemptEvent, ExamSession, Response, Role, utcnow
from app.web import role_required

MARKERS = (Role.JUDGE, Role.ORGANISER)


@bp.get("/")
@role_required(*MARKERS)
def index():
    return render_template("marking/index.html", loads=marking_loads())


@bp.get("/sessions/<int:session_id>")
@role_required(*MARKERS)
def session(session_id: int):
    exam = db.session.get(ExamSession, session_id) or abort(404)
    responses = session_short_responses(exam.id)
    return render_template("marking/session.html", exam=exam, responses=responses,
                           waiting=sum(r.score is None for r in responses))


@bp.get("/sessions/<int:session_id>/next")
@role_required(*MARKERS)
def next_response(session_id: int):
    exam = db.session.get(ExamSession, session_id) or abort(404)
    return _go_on(exam.id, None)


def _go_on(session_id: int, after: Response | None):
    following = next_unmarked(session_id, after)
    if following is None:
        flash("本场简答题已全部评完。", "success")
        return redirect(url_for("marking.session", session_id=session_id))
    return redirect(url_for("marking.response", response_id=following))


@bp.route("/responses/<int:response_id>", methods=["GET", "POST"])
@role_required(*MARKERS)
def response(response_id: int):
    answer = _short_answer(response_id)
    form = MarkForm()
    if not form.is_submitted():
        form.score.data = points_text(answer.score)
        return _response_page(answer, form)
    if not form.validate():
        return _response_page(answer, form, 422)
    try:
        marked = mark_response(answer.id, float(form.score.data), current_user, utcnow())
    except (NotFound, MarkingError) as error:
        form.score.errors = [*form.score.errors, error.message]
        return _response_page(_short_answer(response_id), form, 422)
    flash(f"已保存答卷 #{marked.attempt_id} 第 {marked.key} 题的评分：{points_text(marked.score)} 分。", "success")
    return _go_on(marked.attempt.session_id, marked)


def _short_answer(response_id: int) -> Response:
    """A short answer of a finished attempt; anything else is not a judge's business."""
    answer = db.session.get(Response, response_id)
    if answer is None or answer.paper_item.revision.kind.objective or not answer.attempt.finished:
        abort(404)
    return answer


def _response_page(answer: Response, form: MarkForm, status: int = 200):
    attempt: Attempt = answer.attempt
    history = [event for event in db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "mark")
        .order_by(AttemptEvent.id)) if event.details.get("key") == answer.key]
    waiting = sum(r.score is None for r in session_short_responses(attempt.session_id))
    return render_template("marking/response.html", answer=answer, attempt=attempt, item=answer.paper_item,
                           revision=answer.paper_item.revision, form=form, history=history, waiting=waiting), status
