"""Question banks as imported: a bank holds questions, a question holds its revisions.

A revision is never changed once written; papers point at revisions, so a question edited in YAML
never changes under a paper already drawn (DESIGN §2).
"""
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from app.domain.questions import QUESTION_TYPES, QuestionType, question_type
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Bank(db.Model):
    """题库: one YAML file under question_banks/."""

    __tablename__ = "banks"
    __table_args__ = (
        CheckConstraint("category IN ('theory', 'policy', 'party_affairs')", name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    source_file: Mapped[str] = mapped_column(String(255), default="")
    # SHA-256 of that file when the bank was imported from all of it ("" otherwise): an import skips the same file.
    source_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # `practice: true` in the YAML opens the bank to drills, the daily set and mocks; closed unless it says so.
    practice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list["Question"]] = relationship(back_populates="bank", order_by="Question.position")


class Question(db.Model):
    """A question's identity (bank + id); its content lives in its revisions."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))          # the `id` in YAML, e.g. PA-0001
    position: Mapped[int] = mapped_column(default=0)       # order in the YAML file, kept for export
    latest_number: Mapped[int] = mapped_column(default=1)  # number of the current revision
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    revisions: Mapped[list["QuestionRevision"]] = relationship(
        back_populates="question", order_by="QuestionRevision.number"
    )
    current: Mapped["QuestionRevision"] = relationship(
        primaryjoin=lambda: and_(
            foreign(QuestionRevision.question_id) == Question.id,
            QuestionRevision.number == Question.latest_number,
        ),
        viewonly=True,
        uselist=False,
    )

    @property
    def ref(self) -> str:
        """The question's public reference, `bank/id`, as used by paper blueprints."""
        return f"{self.bank.slug}/{self.code}"


class QuestionRevision(db.Model):
    """题目版本: one immutable version of a question's content."""

    __tablename__ = "question_revisions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        CheckConstraint(f"type IN ({', '.join(repr(kind.name) for kind in QUESTION_TYPES)})", name="type"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Canonical form: single "A"; multiple ["A", "C"]; judge true/false; blank [[variant, ...], ...]; short null.
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    blank_order: Mapped[str] = mapped_column(String(8), default="fixed")
    reference_answer: Mapped[str] = mapped_column(Text, default="")
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A material's sub-questions without their keys (app/domain/questions/material.py); empty for every other type.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A matching question's left items, in bank order; empty for every other type.
    prompts: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Questions of one bank that give each other away (app/domain/banks.py): a draw takes at most one of a family, and
    # practice withholds a family while an exam may ask one of it (indexed for that: app/attempts/release.py).
    family: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="revisions")
    tag_rows: Mapped[list["RevisionTag"]] = relationship(cascade="all, delete-orphan")

    @property
    def kind(self) -> QuestionType:
        """The question type, which knows this revision's response, marking and key (bound to its parts, if any)."""
        return question_type(self.type).bind(self.parts)

    @property
    def slots(self) -> int:
        """How many answers it takes (blanks, steps, prompts): what its responses and keys are checked against."""
        return self.kind.slots(self.stem, self.prompts or [])


class RevisionTag(db.Model):
    """One tag of one revision, so that filtering by tag is an indexed query on any database."""

    __tablename__ = "revision_tags"

    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
