"""Judges' scores for `short` answers, and an organiser's answer-key correction with the re-mark it causes.

Both write under the attempt's row lock and keep every change as an AttemptEvent (DESIGN §2), so a disputed
result can be replayed: a judge changing a score adds an event, the earlier one stays.
"""
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from app.attempts.service import add_event, locked_attempt, mark_attempt, total
from app.database import begin_write, end_unit
from app.domain.questions import QUESTION_TYPES, QuestionType, option_letters, question_type
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    AuditEvent,
    ExamSession,
    PaperItem,
    QuestionRevision,
    Response,
    Round,
    RoundStatus,
    User,
    record,
)

SCORE_STEP = 0.5
JUDGED_TYPES = tuple(kind.name for kind in QUESTION_TYPES if not kind.objective)


class MarkingError(AppError):
    status, code = 422, "invalid_mark"


def question_ref(revision: QuestionRevision) -> str:
    return f"{revision.question.ref}@{revision.number}"


# -- judges' marking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MarkingLoad:
    session: ExamSession
    marked: int
    waiting: int


def _short_responses():
    """Answers to judge-marked items (short answers) of finished attempts: the only ones a judge may score."""
    return (select(Response).join(Attempt, Attempt.id == Response.attempt_id)
            .join(PaperItem, PaperItem.id == Response.paper_item_id)
            .join(QuestionRevision, QuestionRevision.id == PaperItem.revision_id)
            .where(QuestionRevision.type.in_(JUDGED_TYPES), Attempt.status != AttemptStatus.IN_PROGRESS))


def marking_loads() -> list[MarkingLoad]:
    """Every session with short answers to score, those still waiting first."""
    waiting = func.sum(case((Response.score.is_(None), 1), else_=0))
    rows = db.session.execute(
        _short_responses().with_only_columns(Attempt.session_id, func.count(Response.id), waiting)
        .group_by(Attempt.session_id)).all()
    sessions = {s.id: s for s in db.session.scalars(
        select(ExamSession).where(ExamSession.id.in_([row[0] for row in rows])))}
    loads = [MarkingLoad(sessions[sid], int(count) - int(left), int(left)) for sid, count, left in rows]
    return sorted(loads, key=lambda load: (load.waiting == 0, load.session.opens_at))


def session_short_responses(session_id: int) -> list[Response]:
    return list(db.session.scalars(
        _short_responses().where(Attempt.session_id == session_id).order_by(Response.attempt_id, Response.position)
        .options(selectinload(Response.paper_item).selectinload(PaperItem.revision),
                 selectinload(Response.marked_by))))


def next_unmarked(session_id: int, after: Response | None = None) -> int | None:
    """The next short answer waiting for a score, in attempt order after `after`, wrapping round."""
    query = (_short_responses().with_only_columns(Response.id)
             .where(Attempt.session_id == session_id, Response.score.is_(None))
             .order_by(Response.attempt_id, Response.position).limit(1))
    if after is not None:
        later = db.session.scalar(query.where(
            (Response.attempt_id > after.attempt_id)
            | and_(Response.attempt_id == after.attempt_id, Response.position > after.position)))
        if later is not None:
            return later
    return db.session.scalar(query)


def mark_response(response_id: int, score: float, judge: User, now: datetime) -> Response:
    """A judge's score for one short answer; the attempt's total follows, final once nothing waits."""
    found = db.session.get(Response, response_id)
    if found is None:
        raise NotFound("没有找到这份作答。")
    attempt = locked_attempt(found.attempt_id)
    response = db.session.get(Response, response_id)
    item = response.paper_item
    problem = _mark_problem(attempt, item, score)
    if problem:
        raise MarkingError(problem)
    old = response.score
    if old == score:
        return response
    response.score, response.marked_by, response.marked_at = score, judge, now
    add_event(attempt, "mark", now, judge.id, key=response.key, question=question_ref(item.revision), old=old,
              new=score)
    # Scored before its objective marks were written (they follow the submit's commit): write them now too, with
    # the event the marking thread would have recorded, so the trail still says when and what they came to.
    if attempt.score is None:
        mark_attempt(attempt)
        add_event(attempt, "auto_mark", now, None, score=attempt.score, fully_marked=attempt.fully_marked)
    else:
        total(attempt)
    db.session.flush()
    return response


def _mark_problem(attempt: Attempt, item: PaperItem, score: float) -> str:
    if item.revision.kind.objective:
        return "只有简答题由评委评分，客观题已自动评分。"
    if not attempt.finished:
        return "这份答卷尚未交卷，交卷后才能评分。"
    if closed := _closed_round(attempt.session_id):
        return closed
    if not 0 <= score <= item.points:
        return f"分数应在 0 到 {item.points:g} 分之间。"
    if (score / SCORE_STEP) % 1:
        return f"分数以 {SCORE_STEP:g} 分为单位。"
    return ""


# -- answer-key correction -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Correction:
    question: str
    old_key: Any
    new_key: Any
    remarked: int
    moved: list[dict[str, Any]]
    type: str = ""
    kind: QuestionType | None = None     # the revision's (bound to a material's parts); else the type's

    @property
    def old_text(self) -> str:
        return (self.kind or question_type(self.type)).describe_answer(self.old_key)

    @property
    def new_text(self) -> str:
        return (self.kind or question_type(self.type)).describe_answer(self.new_key)


def _closed_round(session_id: int) -> str:
    """Why the session's marks may no longer change: the round its scores feed is closed, and a closed round's
    scores are final (its last published version is what stands); empty if they may."""
    round_ = db.session.scalar(select(Round).join(ExamSession, ExamSession.round_id == Round.id)
                               .where(ExamSession.id == session_id))
    if round_ is None or round_.status != RoundStatus.CLOSED:
        return ""
    return f"本场考试计入{round_.title}，该轮已结束，成绩不能再修改。"


def session_paper_ids(session: ExamSession) -> set[int]:
    """The session's papers: its one drawing, or one per attempt when each candidate draws their own."""
    ids = set(db.session.scalars(select(Attempt.paper_id).where(Attempt.session_id == session.id).distinct()))
    return ids | ({session.paper_id} if session.paper_id else set())


def correct_key(session_id: int, revision_id: int, text: str, explanation: str, actor: User, now: datetime,
                reason: str = "", *, dry_run: bool = False) -> Correction:
    """Set a corrected key, with the explanation that goes with it, on the session's items of one question
    revision and re-mark every finished attempt. With dry_run, work out what would move and write nothing (the
    organiser's confirmation shows it).

    The bank's revision stays as imported: the correction lives on the session's paper items, and the
    candidates' review shows the new key and explanation with a note that the key was corrected.
    """
    begin_write()
    session = db.session.get(ExamSession, session_id)
    items = [] if session is None else list(db.session.scalars(
        select(PaperItem).where(PaperItem.paper_id.in_(session_paper_ids(session)),
                                PaperItem.revision_id == revision_id).options(selectinload(PaperItem.revision))))
    if not items:
        raise NotFound("本场考试没有这道题。")
    revision, old_key, old_explanation = items[0].revision, items[0].key, items[0].explanation
    new_key = revision.kind.parse_key(unicodedata.normalize("NFKC", text or "").strip())
    explanation = (explanation or "").strip()
    problem = revision.kind.key_problem(new_key, option_letters(revision.options), revision.slots)
    if not problem and new_key == old_key:
        problem = "新答案与现行答案相同，无需更正。"
    if not problem and (not explanation or explanation == old_explanation.strip()):
        problem = "答案更正后，解析也须随之更正：请写明与新答案一致的解析。"
    problem = problem or _closed_round(session.id)
    if problem:
        raise MarkingError(problem)
    attempts = _lock_attempts({item.paper_id for item in items})
    for item in items:
        item.answer_override = None if new_key == revision.answer else new_key
        item.explanation_override = None if new_key == revision.answer and explanation == revision.explanation \
            else explanation
    db.session.flush()
    ref = question_ref(revision)
    finished = [a for a in attempts if a.finished]
    moved = [change for attempt in finished
             if (change := _remark(attempt, revision_id, ref, old_key, new_key, actor, now))]
    correction = Correction(ref, old_key, new_key, len(finished), moved, revision.type, revision.kind)
    if dry_run:
        end_unit(keep=False)
        return correction
    record("exam.remark", f"session:{session.id}", actor=actor, channel="web", question=ref, revision=revision.id,
           type=revision.type, old_key=old_key, new_key=new_key, old_explanation=old_explanation,
           new_explanation=explanation, reason=reason, remarked=len(finished), moved=moved)
    db.session.flush()
    return correction


def _lock_attempts(paper_ids: set[int]) -> list[Attempt]:
    """Every attempt on those papers, in progress too: a submit racing the correction waits and marks by the new key."""
    return list(db.session.scalars(
        select(Attempt).where(Attempt.paper_id.in_(paper_ids)).order_by(Attempt.id).with_for_update()
        .options(selectinload(Attempt.user)).execution_options(populate_existing=True)))


def _remark(attempt: Attempt, revision_id: int, ref: str, old_key: Any, new_key: Any, actor: User,
            now: datetime) -> dict[str, Any] | None:
    response = next(r for r in attempt.responses if r.paper_item.revision_id == revision_id)
    old_item, old_total = response.score, attempt.score
    mark_attempt(attempt)
    if response.score == old_item:
        return None
    add_event(attempt, "remark", now, actor.id, key=response.key, question=ref, old_key=old_key, new_key=new_key,
              item_old=old_item, item_new=response.score, old=old_total, new=attempt.score)
    return {"attempt": attempt.id, "username": attempt.user.username, "name": attempt.user.name,
            "old": old_total, "new": attempt.score}


def corrections(session_id: int) -> list[dict[str, Any]]:
    """The session's key corrections, newest first, as recorded in the audit trail."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "exam.remark", AuditEvent.subject == f"session:{session_id}")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).options(selectinload(AuditEvent.actor)))
    return [{"at": e.at, "actor": e.actor, **e.details,
             "old_text": _event_kind(e.details).describe_answer(e.details["old_key"]),
             "new_text": _event_kind(e.details).describe_answer(e.details["new_key"])} for e in events]


def _event_kind(details: dict[str, Any]) -> QuestionType:
    """The corrected revision's type, bound to its parts (a material's key reads through them)."""
    revision = db.session.get(QuestionRevision, details["revision"]) if details.get("revision") else None
    return revision.kind if revision is not None else question_type(details["type"])
