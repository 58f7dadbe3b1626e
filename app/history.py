"""Practice history (练兵记录) and the wrong-question book (错题本): every answer kept, from drills as they are
given, from mocks as they finish and from formal exams once their keys are released."""
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.attempts.letters import bank_letters
from app.domain import practice
from app.extensions import db
from app.models import (
    Attempt,
    BookEntry,
    Drill,
    PaperItem,
    PracticeAnswer,
    QuestionRevision,
    Response,
    User,
)


def record_answer(user: User, revision: QuestionRevision, response: Any, correct: bool, source: str, now: datetime,
                  *, drill: Drill | None = None, attempt: Attempt | None = None) -> None:
    db.session.add(PracticeAnswer(user_id=user.id, question_id=revision.question_id, revision_id=revision.id,
                                  source=source, drill=drill, attempt_id=attempt.id if attempt else None,
                                  response=response, correct=correct, answered_at=now))
    entry = db.session.get(BookEntry, (user.id, revision.question_id))
    state = practice.BookEntry(entry.misses, entry.right_in_row, entry.last_missed_at, entry.active) if entry \
        else practice.BookEntry()
    updated = practice.after_answer(state, correct, now, current_app.config["BOOK_LEAVE_AFTER"])
    if updated == state:
        return
    if entry is None:
        entry = BookEntry(user_id=user.id, question_id=revision.question_id, first_missed_at=now)
        db.session.add(entry)
    entry.misses, entry.right_in_row, entry.last_missed_at, entry.active = (
        updated.misses, updated.right_in_row, updated.last_missed_at, updated.active)


def collect_attempt(attempt: Attempt, source: str, now: datetime) -> int:
    """A finished mock or released exam's objective answers, into practice history and the book; once only."""
    already = db.session.scalar(select(PracticeAnswer.id).where(PracticeAnswer.attempt_id == attempt.id).limit(1))
    if already is not None:
        return 0
    responses = db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id)
        .options(selectinload(Response.paper_item).selectinload(PaperItem.revision)))
    count = 0
    for response in responses:
        item = response.paper_item
        if item.revision.type not in practice.DRILL_TYPES or response.score is None:
            continue
        record_answer(attempt.user, item.revision, bank_letters(response), response.score >= item.points, source,
                      now, attempt=attempt)
        count += 1
    return count
