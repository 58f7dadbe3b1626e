"""Papers, exam sessions and attempts: what was drawn, who sat it, every answer and every mark.

A Paper holds the question revisions it drew, so later edits to a bank never change it. An Attempt
holds one Response per item, in the order and with the option letters that candidate saw.
"""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User
from app.models.banks import QuestionRevision
from app.models.types import UTCDateTime, utcnow


class PaperBlueprint(db.Model):
    """试卷蓝图, as imported from question_banks/papers/*.yaml (the canonical spec as JSON)."""

    __tablename__ = "paper_blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Paper(db.Model):
    """试卷: one drawing of a blueprint, with the settings it was drawn under."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("paper_blueprints.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int]
    duration: Mapped[int]                      # minutes
    multiple_scoring: Mapped[str] = mapped_column(String(16))
    ordering_scoring: Mapped[str] = mapped_column(String(16), default="strict", server_default="strict")
    shuffle_questions: Mapped[bool]
    shuffle_options: Mapped[bool]
    total_points: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blueprint: Mapped[PaperBlueprint] = relationship()
    items: Mapped[list["PaperItem"]] = relationship(back_populates="paper", order_by="PaperItem.position")


class PaperItem(db.Model):
    __tablename__ = "paper_items"
    __table_args__ = (UniqueConstraint("paper_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    position: Mapped[int]                      # 0-based across the whole paper, in blueprint order
    section_index: Mapped[int]
    section_title: Mapped[str] = mapped_column(String(200))
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"), index=True)
    points: Mapped[float]
    # Set by an organiser's key correction (re-mark); marking and review use them instead of the revision's.
    answer_override: Mapped[Any] = mapped_column(JSON, nullable=True)
    explanation_override: Mapped[str | None] = mapped_column(Text)

    paper: Mapped[Paper] = relationship(back_populates="items")
    revision: Mapped[QuestionRevision] = relationship()

    @property
    def key(self) -> Any:
        return self.revision.answer if self.answer_override is None else self.answer_override

    @property
    def explanation(self) -> str:
        return self.revision.explanation if self.explanation_override is None else self.explanation_override


class ScoreRelease(StrEnum):
    IMMEDIATE = "immediate"       # 交卷后立即可见
    AFTER_CLOSE = "after_close"   # 考试结束后可见
    NEVER = "never"               # 不向考生公布

    @property
    def label(self) -> str:
        return {"immediate": "交卷后立即公布", "after_close": "考试结束后公布", "never": "不公布"}[self.value]


class ExamSession(db.Model):
    """考试场次: a paper, a window and the candidates who may sit it."""

    __tablename__ = "exam_sessions"
    __table_args__ = (
        CheckConstraint("review IN ('immediate', 'after_close', 'never')", name="review"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("paper_blueprints.id"), index=True)
    # Drawn once at scheduling for per_session blueprints; None when each attempt draws its own.
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review: Mapped[str] = mapped_column(String(16), default=ScoreRelease.AFTER_CLOSE)
    show_key: Mapped[bool] = mapped_column(default=False)   # key and explanations in the review
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A mock (模拟考试): practice, not competition; candidates may sit it up to max_attempts times.
    mock: Mapped[bool] = mapped_column(default=False, server_default=false())
    max_attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    # The round whose written component this session feeds (flask exam schedule --round CONTEST/ROUND).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    # Organisers are alerted to candidates who left the exam page more often than this (切屏); None: no alert.
    away_alert_after: Mapped[int | None]
    # When the session's released answers went into its candidates' practice history and wrong-question books.
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    blueprint: Mapped[PaperBlueprint] = relationship()
    paper: Mapped[Paper | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    candidates: Mapped[list["SessionCandidate"]] = relationship(back_populates="session")
    attempts: Mapped[list["Attempt"]] = relationship(back_populates="session")

    @property
    def duration(self) -> int:
        """The minutes an attempt at this session gets: its paper's when drawn at scheduling, since the attempt's
        deadline comes from that paper and a blueprint re-imported later does not change it; else the blueprint's,
        from which each attempt draws its paper at its start."""
        return self.paper.duration if self.paper is not None else self.blueprint.spec["duration"]


class SessionCandidate(db.Model):
    __tablename__ = "session_candidates"

    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)

    session: Mapped[ExamSession] = relationship(back_populates="candidates")
    user: Mapped[User] = relationship()


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"   # the candidate submitted
    CLOSED = "closed"         # the deadline closed it

    @property
    def label(self) -> str:
        return {"in_progress": "作答中", "submitted": "已交卷", "closed": "到时收卷"}[self.value]


class Attempt(db.Model):
    """答卷: one candidate's sitting of a session's paper."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", "number"),
        CheckConstraint("status IN ('in_progress', 'submitted', 'closed')", name="status"),
        Index("ix_attempts_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]                # objective + marked subjective so far
    max_score: Mapped[float]
    fully_marked: Mapped[bool] = mapped_column(default=False)

    session: Mapped[ExamSession] = relationship(back_populates="attempts")
    user: Mapped[User] = relationship()
    paper: Mapped[Paper] = relationship()
    responses: Mapped[list["Response"]] = relationship(back_populates="attempt", order_by="Response.position")
    events: Mapped[list["AttemptEvent"]] = relationship(back_populates="attempt", order_by="AttemptEvent.id")
    away: Mapped[list["AwayRecord"]] = relationship(back_populates="attempt", order_by="AwayRecord.number")

    # Not stored: on the instance a start has just laid out, its layout and key corrections (app/attempts/service.py
    # LaidOut), from which its reply is built; on an attempt loaded from the database it is None.
    laid_out_here = None   # LaidOut | None; unannotated, so that the ORM leaves it alone

    @property
    def finished(self) -> bool:
        return self.status != AttemptStatus.IN_PROGRESS


class Response(db.Model):
    """作答: one item of an attempt as the candidate saw it, their latest answer, and its mark."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("attempt_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    key: Mapped[str] = mapped_column(String(8))          # the number the candidate sees
    position: Mapped[int]
    section_index: Mapped[int]
    paper_item_id: Mapped[int] = mapped_column(ForeignKey("paper_items.id"), index=True)
    option_order: Mapped[list[str]] = mapped_column(JSON, default=list)  # bank letters in shown order
    value: Mapped[Any] = mapped_column(JSON, nullable=True)             # in shown letters, as sent
    seq: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    paper_item: Mapped[PaperItem] = relationship()
    marked_by: Mapped[User | None] = relationship()


class AttemptEvent(db.Model):
    """Every step of an attempt with its server time: start, save, submit, close, extend, mark, re-mark."""

    __tablename__ = "attempt_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    attempt: Mapped[Attempt] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class AwayRecord(db.Model):
    """切屏记录: one time the exam page was hidden or lost focus, and when it came back. Evidence for the
    organisers, never a deduction. Times are the server's clock as the page keeps it, so a record sent late (the
    network was down) still says when it happened; `received_at` is when the server got it."""

    __tablename__ = "away_records"
    __table_args__ = (UniqueConstraint("attempt_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    number: Mapped[int]                        # the page's own count, so a record sent twice is kept once
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # None: the page closed while away
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="away")

    @property
    def seconds(self) -> float | None:
        return (self.back_at - self.left_at).total_seconds() if self.back_at else None
