"""Practice during the hundred days (百日练兵): every answer given, drills in progress, the wrong-question book."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User
from app.models.banks import Question, QuestionRevision
from app.models.types import UTCDateTime, utcnow


class Drill(db.Model):
    """练习: one run through a list of questions, kept so leaving and coming back continues where one was."""

    __tablename__ = "drills"
    __table_args__ = (CheckConstraint("kind IN ('drill', 'daily', 'book')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    day: Mapped[date | None] = mapped_column(Date)               # the daily set's day
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)              # index of the next question to answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PracticeAnswer(db.Model):
    """One answer to one question outside a contest paper (drill, daily set, mock) or from a released exam."""

    __tablename__ = "practice_answers"
    __table_args__ = (
        CheckConstraint("source IN ('drill', 'daily', 'book', 'mock', 'exam')", name="source"),
        Index("ix_practice_answers_user_answered", "user_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    source: Mapped[str] = mapped_column(String(8))
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), index=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)   # in the bank's letters
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship()
    revision: Mapped[QuestionRevision] = relationship()
    drill: Mapped[Drill | None] = relationship()


class BookEntry(db.Model):
    """错题本: a question someone got wrong, until they get it right enough times in a row (or remove it)."""

    __tablename__ = "book_entries"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    misses: Mapped[int] = mapped_column(default=0)
    right_in_row: Mapped[int] = mapped_column(default=0)
    first_missed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    removed_by_hand_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship()
