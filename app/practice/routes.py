"""The practising cadre's pages: the practice home, a drill one question at a time, the book and progress.

A drill page works with or without its script: the form posts here and the page comes back with the verdict;
practice.js sends the same answer to the JSON API instead and shows the verdict in place.
"""
from datetime import date, datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.attempts.letters import shown_key
from app.attempts.presenters import deadline_if_started, score_summary
from app.attempts.release import open_to_practice, practicable
from app.attempts.service import start_attempt
from app.banks.queries import current_tags
from app.domain.banks import CATEGORIES
from app.domain.practice import DRILL_TYPES, DrillFilter
from app.domain.questions import LETTERS, TYPES, option_letters
from app.errors import AppError, InvalidResponse, NotFound, SessionNotOpen
from app.extensions import db
from app.forms import ActionForm
from app.models import Drill, ExamSession, QuestionRevision, Role, User, utcnow
from app.practice import bp
from app.practice.charts import Bar, Point, bar_chart, line_chart
from app.practice.forms import UNSETTLED, AnswerForm, DrillForm
from app.practice.progress import Tally, current_streak, progress
from app.practice.service import (
    MockSitting,
    PracticeError,
    answer_given,
    answer_in_drill,
    book,
    current_revision,
    daily_drill,
    drill_answers,
    mocks_for,
    next_position,
    open_drill,
    own_drill,
    practice_banks,
    remove_from_book,
    revealed,
    shown_order,
    start_drill,
    todays_daily,
    weakest_category,
)
from app.web import refused_back, role_required

KINDS = {"drill": "专项练习", "daily": "每日一练", "book": "错题本练习"}
MODE_LABELS = {"filtered": "按条件练习", "unseen": "没做过的题", "weakest": "我最薄弱的类别", "book": "错题本"}
COUNTS = (5, 10, 20, 30, 50)
BOOK_DRILL_SIZE = 20


def _me() -> User:
    return current_user._get_current_object()


# -- home ------------------------------------------------------------------------------------------------------

@bp.get("/")
@role_required(Role.CANDIDATE)
def home():
    return _home_page()


def _home_page(starting: MockSitting | None = None):
    """The practice home; with `starting`, the confirmation that starting that mock starts its clock."""
    me, now = _me(), utcnow()
    banks = practice_banks()
    mocks = mocks_for(me, now)
    return render_template(
        "practice/home.html", streak=current_streak(me, now), daily=todays_daily(me, now), current=open_drill(me),
        book_size=len(book(me, now)), weakest=CATEGORIES.get(weakest_category(me, now), ""), mocks=mocks,
        latest_scores={m.latest.id: score_summary(m.latest, now) for m in mocks if m.latest and m.latest.finished},
        banks=banks, categories={c: CATEGORIES[c] for c in sorted({bank.category for bank in banks})},
        tags=current_tags(open_to_practice(now)), types={t: TYPES[t] for t in DRILL_TYPES}, modes=MODE_LABELS,
        counts=COUNTS, kinds=KINDS, starting=starting,
        deadline=deadline_if_started(starting.session, now) if starting else None)


@bp.post("/drills")
@role_required(Role.CANDIDATE)
def start():
    form = DrillForm()
    try:
        drill = start_drill(_me(), _wanted(form), utcnow())
    except PracticeError as error:
        return refused_back(error, url_for("practice.book_page" if form.mode.data == "book" else "practice.home"))
    return redirect(url_for("practice.drill", drill_id=drill.id))


def _wanted(form: DrillForm) -> DrillFilter:
    """The drill asked for on the home page's form, refused like any other reason a drill cannot start."""
    if not form.validate():
        raise PracticeError(UNSETTLED)
    return form.drill_filter()


@bp.post("/daily")
@role_required(Role.CANDIDATE)
def daily():
    drill = daily_drill(_me(), utcnow())
    if not drill.question_ids:
        flash("题库里还没有可以练习的题目。", "error")
        return redirect(url_for("practice.home"))
    return redirect(url_for("practice.drill", drill_id=drill.id))


@bp.post("/mocks/<int:session_id>/start")
@role_required(Role.CANDIDATE)
def start_mock(session_id: int):
    session = db.session.get(ExamSession, session_id)
    if session is None or not session.mock:
        abort(404)
    sitting = next((m for m in mocks_for(_me(), utcnow()) if m.session.id == session_id), None)
    if not ActionForm().is_confirmed() and sitting is not None and sitting.may_start:
        return _home_page(starting=sitting)
    try:
        attempt = start_attempt(session_id, _me(), utcnow())
    except (NotFound, SessionNotOpen) as error:
        return refused_back(error, url_for("practice.home"))
    if attempt.finished:
        flash(f"“{session.title}”的 {session.max_attempts} 次机会已经用完，这是您最后一次的成绩。", "error")
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    return redirect(url_for("exam.sit", attempt_id=attempt.id))


# -- one drill ---------------------------------------------------------------------------------------------------

def _drill(drill_id: int) -> Drill:
    try:
        return own_drill(drill_id, _me())
    except NotFound:
        abort(404)


@bp.get("/drills/<int:drill_id>")
@role_required(Role.CANDIDATE)
def drill(drill_id: int):
    drill, now = _drill(drill_id), utcnow()
    position = next_position(drill, now)
    if position is None:
        return _summary(drill, now)
    return _question_page(drill, current_revision(drill.question_ids[position]), position)


@bp.post("/drills/<int:drill_id>/answer")
@role_required(Role.CANDIDATE)
def answer(drill_id: int):
    drill = _drill(drill_id)
    form = AnswerForm()
    question_id = form.question_id.data
    revision = current_revision(question_id) if question_id in drill.question_ids else None
    if revision is None:
        flash("这道题不在本次练习中。", "error")
        return redirect(url_for("practice.drill", drill_id=drill.id))
    kind = revision.kind
    response = (kind.form_parts([request.form.getlist(f"part-{n}") for n in range(1, len(kind.parts) + 1)])
                if kind.parts else kind.form_response(form.response.data))
    try:
        checked = answer_given(drill.id, _me(), question_id, response, utcnow())
    except (PracticeError, InvalidResponse) as error:
        return _refused(drill, revision, error)
    return _question_page(drill, checked.revision, drill.question_ids.index(question_id),
                          verdict={"correct": checked.correct, "response": checked.response})


def _refused(drill: Drill, revision: QuestionRevision, error: AppError):
    """Nothing chosen: ask again. Sent twice (a reload, a flaky network): show the answer already kept, with its
    key only while the question is still open to practice."""
    position = drill.question_ids.index(revision.question_id)
    if error.status == 422:
        return _question_page(drill, revision, position, problem=error.message), 422
    given = answer_in_drill(drill, revision.question_id)
    if given is None or not practicable({given.question_id}, utcnow()):
        return refused_back(error, url_for("practice.drill", drill_id=drill.id))
    order = shown_order(drill, given.revision)
    return _question_page(drill, given.revision, position, problem="这道题已经答过了，下面是您第一次提交的结果。",
                          verdict={"correct": given.correct,
                                   "response": shown_key(order, given.response, given.revision.kind)})


def _question_page(drill: Drill, revision: QuestionRevision, position: int, *,
                   verdict: dict[str, Any] | None = None, problem: str | None = None):
    """One question; with a verdict, also the key and explanation (only ever after the answer is kept). An
    always-shuffled item's options are shown in the drill's order as A, B, …, the verdict in those letters too."""
    order = shown_order(drill, revision)
    if verdict is not None:
        verdict |= revealed(revision, order) | {"said": revision.kind.describe_response(verdict["response"])}
    return render_template(
        "practice/drill.html", drill=drill, kind=KINDS[drill.kind], revision=revision, number=position + 1,
        total=len(drill.question_ids), letters=option_letters(revision.options), blanks=revision.slots,
        shown=[(LETTERS[n], revision.options[letter]) for n, letter in enumerate(order)],
        verdict=verdict, problem=problem,
        finished=drill.position >= len(drill.question_ids))


def _summary(drill: Drill, now: datetime):
    """The drill's answers; keys only of questions still open to practice (an exam may have taken one since)."""
    answers = drill_answers(drill)
    shown = practicable({given.question_id for given in answers}, now)
    reviewed = [(given, given.revision.kind.describe_answer(given.revision.answer)
                 if given.question_id in shown else None,
                 given.revision.kind.describe_response(given.response)) for given in answers]
    return render_template("practice/summary.html", drill=drill, kind=KINDS[drill.kind], reviewed=reviewed,
                           right=sum(given.correct for given in answers))


# -- the book and progress -------------------------------------------------------------------------------------

@bp.get("/book")
@role_required(Role.CANDIDATE)
def book_page():
    return render_template("practice/book.html", entries=book(_me(), utcnow()), categories=CATEGORIES,
                           leave_after=current_app.config["BOOK_LEAVE_AFTER"],
                           drill_size=BOOK_DRILL_SIZE)


@bp.post("/book/<int:question_id>/remove")
@role_required(Role.CANDIDATE)
def remove(question_id: int):
    remove_from_book(_me(), question_id, utcnow())
    flash("已将这道题移出错题本。", "success")
    return redirect(url_for("practice.book_page"))


@bp.get("/progress")
@role_required(Role.CANDIDATE)
def progress_page():
    mine = progress(_me(), utcnow())
    charts = {category: _weekly_chart(label, category, mine.weekly)
              for category, label in CATEGORIES.items() if category in mine.by_category}
    coverage = bar_chart([Bar(bank.title, 100 * seen / total if total else 0, f"{seen} / {total}")
                          for bank, seen, total in mine.coverage], title="各题库覆盖率", scale=100)
    return render_template("practice/progress.html", mine=mine, charts=charts, coverage=coverage,
                           categories=CATEGORIES)


def _weekly_chart(label: str, category: str, weekly: list[tuple[date, dict[str, Tally]]]):
    points = []
    for week, tallies in weekly:
        tally = tallies.get(category)
        points.append(Point(f"{week.month}/{week.day}", 100 * tally.accuracy if tally else None,
                            f"{tally.answered}题" if tally else ""))
    return line_chart(points, title=f"{label}：近{len(weekly)}周每周正确率")
