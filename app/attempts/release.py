"""Which keys may be shown now: whether a session has ended for everyone, and which questions are withheld from
practice and review because an exam session that has not ended can still ask them (DESIGN §2).

Every place that shows a key or an explanation asks here: the exam review, drills, the daily set, the
wrong-question book and mocks. A question is withheld while it is on the paper of any formal (non-mock) session
that has not ended, and so is every question of its family (same bank, same non-empty `family`: the bank's word that
they give each other away); a formal session that draws per candidate withholds every bank it draws from, since any
of their questions may still be drawn for someone.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import aliased

from app.domain import review
from app.domain.papers import blueprint_from_spec
from app.domain.practice import DRILL_TYPES
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    Bank,
    ExamSession,
    PaperBlueprint,
    PaperItem,
    Question,
    QuestionRevision,
)


def grace() -> timedelta:
    """How long after a deadline saves already in flight are still taken (config EXAM_SAVE_GRACE_SECONDS)."""
    return timedelta(seconds=current_app.config["EXAM_SAVE_GRACE_SECONDS"])


def session_end(session: ExamSession) -> datetime:
    """The window's close, or the latest deadline of an attempt still in progress (an extension)."""
    latest = db.session.scalar(select(func.max(Attempt.deadline)).where(
        Attempt.session_id == session.id, Attempt.status == AttemptStatus.IN_PROGRESS))
    return review.session_end(session.closes_at, [latest] if latest else [])


def has_ended(session: ExamSession, now: datetime) -> bool:
    if not review.has_ended(session.closes_at, now, grace()):
        return False   # the common case while an exam runs: no query
    return review.has_ended(session_end(session), now, grace())


def _not_ended(now: datetime) -> ColumnElement[bool]:
    """Formal sessions someone may still be answering, as a condition on ExamSession."""
    cutoff = now - grace()
    still_answering = select(Attempt.id).where(
        Attempt.session_id == ExamSession.id, Attempt.status == AttemptStatus.IN_PROGRESS, Attempt.deadline >= cutoff)
    return and_(ExamSession.mock.is_(False), or_(ExamSession.closes_at >= cutoff, still_answering.exists()))


def withheld(now: datetime) -> ColumnElement[bool]:
    """A condition on Question: true for a question some unended formal session may still ask, or whose current
    revision is of the family of one it may ask (the sibling would give that one's key away)."""
    sessions = select(ExamSession.id).where(_not_ended(now))
    papers = select(ExamSession.paper_id).where(ExamSession.id.in_(sessions), ExamSession.paper_id.is_not(None)) \
        .union(select(Attempt.paper_id).where(Attempt.session_id.in_(sessions)))
    on_papers = select(QuestionRevision.question_id).join(PaperItem, PaperItem.revision_id == QuestionRevision.id) \
        .where(PaperItem.paper_id.in_(papers))
    condition = Question.id.in_(on_papers)
    if families := _families_on(papers):
        condition = or_(condition, _of_families(families))
    drawing = _banks_drawn_per_attempt(now)
    return or_(condition, Question.bank_id.in_(select(Bank.id).where(Bank.slug.in_(drawing)))) if drawing else condition


# The revisions and questions a family's siblings are read from, apart from those of any query around it (no
# correlation); made once, as an alias costs more to make than the look-up it serves.
_SIBLING_REVISION, _SIBLING = aliased(QuestionRevision), aliased(Question)


def _families_on(papers: Select) -> list[tuple[int, str]]:
    """The (bank, family) of every revision with a family on these papers: a few, or none."""
    return [tuple(row) for row in db.session.execute(
        select(Question.bank_id, QuestionRevision.family).distinct().select_from(PaperItem)
        .join(QuestionRevision, QuestionRevision.id == PaperItem.revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(PaperItem.paper_id.in_(papers), QuestionRevision.family != ""))]


def _of_families(families: list[tuple[int, str]]) -> ColumnElement[bool]:
    """A condition on Question: its current revision is of one of these families of its bank. The families are read
    first and named here as values, so the planner goes straight to them by the index on `family`: as one statement
    with the papers, PostgreSQL on fresh statistics joined every revision to every other of the same family (10 s on
    the organisers' home page after a bank import)."""
    revision, sibling = _SIBLING_REVISION, _SIBLING
    return Question.id.in_(
        select(sibling.id).join(revision, and_(revision.question_id == sibling.id,
                                               revision.number == sibling.latest_number))
        .where(or_(*(and_(revision.family == family, sibling.bank_id == bank) for bank, family in families))))


def _banks_drawn_per_attempt(now: datetime) -> set[str]:
    specs = db.session.scalars(
        select(PaperBlueprint.spec).join(ExamSession, ExamSession.blueprint_id == PaperBlueprint.id)
        .where(_not_ended(now), ExamSession.paper_id.is_(None)))
    return {bank for spec in specs for bank in blueprint_from_spec(spec).banks()}


@dataclass
class PracticeStatus:
    """Why a question is or isn't open to practice, for the organisers' question page."""

    bank_open: bool
    retired: bool
    drillable: bool                 # an objective type (a judge marks `short`, which practice cannot)
    holding: list[ExamSession]      # unended formal sessions that may still ask it or one of its family

    @property
    def available(self) -> bool:
        return self.bank_open and not self.retired and self.drillable and not self.holding


def practice_status(question: Question, now: datetime) -> PracticeStatus:
    return PracticeStatus(question.bank.practice, question.retired_at is not None,
                          question.current.type in DRILL_TYPES, holding_sessions(question, now))


def holding_sessions(question: Question, now: datetime) -> list[ExamSession]:
    """The unended formal sessions that may still ask this question or one of its family: why it is withheld, for the
    organisers."""
    sessions = db.session.scalars(select(ExamSession).where(_not_ended(now)).order_by(ExamSession.opens_at))
    family = question.current.family
    asks_it = QuestionRevision.question_id == question.id
    if family:
        asks_it = or_(asks_it, and_(QuestionRevision.family == family, Question.bank_id == question.bank_id))
    holding = []
    for session in sessions:
        papers = {session.paper_id} if session.paper_id else set(db.session.scalars(
            select(Attempt.paper_id).where(Attempt.session_id == session.id)))
        on_paper = db.session.scalar(select(PaperItem.id).join(QuestionRevision).join(Question).where(
            PaperItem.paper_id.in_(papers), asks_it).limit(1)) is not None
        drawn_from = (session.paper_id is None
                      and question.bank.slug in blueprint_from_spec(session.blueprint.spec).banks())
        if on_paper or drawn_from:
            holding.append(session)
    return holding


def shared_with_practice(session: ExamSession) -> tuple[int, list[str]]:
    """What a formal session takes from practice while it runs: how many of its paper's questions come from banks
    open to practice, and (drawing per candidate) which such banks it draws from. The organiser is told when
    scheduling: candidates may have practised these questions before."""
    open_banks = set(db.session.scalars(select(Bank.slug).where(Bank.practice.is_(True))))
    if session.paper_id is None:
        return 0, sorted(blueprint_from_spec(session.blueprint.spec).banks() & open_banks)
    count = db.session.scalar(
        select(func.count()).select_from(PaperItem).join(QuestionRevision).join(Question)
        .join(Bank, Question.bank_id == Bank.id).where(PaperItem.paper_id == session.paper_id, Bank.practice.is_(True)))
    return count, []


def withheld_counts(now: datetime) -> dict[int, int]:
    """Per bank id, how many live questions are withheld from practice now."""
    return dict(db.session.execute(
        select(Question.bank_id, func.count()).where(Question.retired_at.is_(None), withheld(now))
        .group_by(Question.bank_id)).all())


def open_to_practice(now: datetime) -> ColumnElement[bool]:
    """A condition on Question: its bank says `practice: true` and no unended formal session may ask it."""
    return and_(Question.bank_id.in_(select(Bank.id).where(Bank.practice.is_(True))), not_(withheld(now)))


def practicable(question_ids: set[int], now: datetime) -> set[int]:
    """Those of the questions whose key practice may show now."""
    if not question_ids:
        return set()
    return set(db.session.scalars(select(Question.id).where(Question.id.in_(question_ids), open_to_practice(now))))


def not_withheld(question_ids: set[int], now: datetime) -> set[int]:
    """Those of the questions no unended formal session may still ask (an exam's own review after it ended)."""
    if not question_ids:
        return set()
    return set(db.session.scalars(select(Question.id).where(Question.id.in_(question_ids), not_(withheld(now)))))

