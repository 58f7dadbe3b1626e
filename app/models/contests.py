"""Contests and their rounds (初赛 → 复赛 → 决赛): who is in each round, and every score entered.

Scores are kept append-only: a correction is a new ScoreEntry pointing at the one it replaces, so the
old value, who entered it and when all stay. Standings are never stored; they are computed from these.
"""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.standings import RoundRules
from app.extensions import db
from app.models.accounts import Organisation, User
from app.models.types import UTCDateTime, utcnow

contest_organisations = Table(
    "contest_organisations", db.metadata,
    Column("contest_id", ForeignKey("contests.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class Contest(db.Model):
    """比赛: one year's competition, loaded from contest YAML."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    demo: Mapped[bool] = mapped_column(default=False)   # generated demo data, shown as such everywhere
    source_file: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(secondary=contest_organisations)
    candidates: Mapped[list["ContestCandidate"]] = relationship(back_populates="contest")
    rounds: Mapped[list["Round"]] = relationship(back_populates="contest", order_by="Round.position")


class ContestCandidate(db.Model):
    """A contest's entrant, with the organisation they compete for (fixed for the contest)."""

    __tablename__ = "contest_candidates"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    contest: Mapped[Contest] = relationship(back_populates="candidates")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class RoundStatus(StrEnum):
    DRAFT = "draft"           # scores coming in; candidates don't see the standings
    PUBLISHED = "published"   # candidates see the standings
    CLOSED = "closed"         # final; the qualifiers have been entered into the next round

    @property
    def label(self) -> str:
        return {"draft": "未公布", "published": "已公布", "closed": "已结束"}[self.value]


class Round(db.Model):
    """轮次: its rules are the canonical form of the contest YAML's round (components, weights, …), stored as a
    JSON document and read through `rules`."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("contest_id", "slug"),
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    group_by: Mapped[str] = mapped_column(String(20))
    rules_document: Mapped[dict[str, Any]] = mapped_column("rules", JSON)
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    entries: Mapped[list["RoundEntry"]] = relationship(back_populates="round")
    versions: Mapped[list["StandingsVersion"]] = relationship(back_populates="round",
                                                              order_by="StandingsVersion.number")

    @property
    def rules(self) -> RoundRules:
        return RoundRules.from_document(self.rules_document)

    @property
    def ref(self) -> str:
        return f"{self.contest.slug}/{self.slug}"


class RoundEntry(db.Model):
    """Who competes in a round, and how they got there."""

    __tablename__ = "round_entries"
    __table_args__ = (CheckConstraint("via IN ('list', 'advanced', 'direct')", name="via"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # list: named in the contest; advanced / direct: from the round before
    via: Mapped[str] = mapped_column(String(16))
    # 出场顺序 of the round's Party lectures (1 speaks first), set by the organisers; None until they do.
    speaking_order: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="entries")
    user: Mapped[User] = relationship()


class JudgeAssignment(db.Model):
    """A judge scoring a round's group ('*' for every group)."""

    __tablename__ = "judge_assignments"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(64), primary_key=True)

    round: Mapped[Round] = relationship()
    judge: Mapped[User] = relationship()


class ScoreEntry(db.Model):
    """One score as entered: by a judge for a candidate's lecture, or a written score from a CSV."""

    __tablename__ = "score_entries"
    __table_args__ = (
        CheckConstraint("hundredths BETWEEN 0 AND 10000", name="range"),
        Index("ix_score_entries_round_component", "round_id", "component"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    component: Mapped[str] = mapped_column(String(64))
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Hundredths of a point (0–10000): exact on every database, no binary fractions.
    hundredths: Mapped[int]
    channel: Mapped[str] = mapped_column(String(8))          # web | csv
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("score_entries.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    judge: Mapped[User | None] = relationship(foreign_keys=[judge_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    replaces: Mapped["ScoreEntry | None"] = relationship(remote_side=[id])


class StandingsVersion(db.Model):
    """排名版本: a round's standings as published, frozen. Candidates and the projector see the latest one; scores
    entered later go into the draft, which is published as the next version with what moved."""

    __tablename__ = "standings_versions"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(8))           # web | cli
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)    # the standings as shown, every row and note
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)   # who moved since the version before

    round: Mapped[Round] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship()
