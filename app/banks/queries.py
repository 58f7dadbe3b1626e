"""Read-side queries over banks for the organiser pages: overviews, filtered question lists, tags."""
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from app.extensions import db
from app.models import Bank, Question, QuestionRevision, RevisionTag

CURRENT = and_(QuestionRevision.question_id == Question.id, QuestionRevision.number == Question.latest_number)


@dataclass
class BankOverview:
    bank: Bank
    live: int = 0
    retired: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[int, int] = field(default_factory=dict)


def bank_overviews() -> list[BankOverview]:
    overviews = {bank.id: BankOverview(bank) for bank in db.session.scalars(select(Bank).order_by(Bank.slug))}
    rows = db.session.execute(
        select(Question.bank_id, Question.retired_at.is_(None), QuestionRevision.type,
               QuestionRevision.difficulty, func.count())
        .join(QuestionRevision, CURRENT)
        .group_by(Question.bank_id, Question.retired_at.is_(None), QuestionRevision.type, QuestionRevision.difficulty)
    )
    for bank_id, live, qtype, difficulty, count in rows:
        overview = overviews[bank_id]
        if not live:
            overview.retired += count
            continue
        overview.live += count
        overview.by_type[qtype] = overview.by_type.get(qtype, 0) + count
        overview.by_difficulty[difficulty] = overview.by_difficulty.get(difficulty, 0) + count
    return list(overviews.values())


@dataclass
class QuestionFilter:
    bank: str = ""
    type: str = ""
    tag: str = ""
    difficulty: int | None = None
    text: str = ""
    include_retired: bool = False


def question_query(filters: QuestionFilter) -> Select:
    query = (select(Question).join(Question.bank).join(QuestionRevision, CURRENT)
             .order_by(Bank.slug, Question.position))
    if filters.bank:
        query = query.where(Bank.slug == filters.bank)
    if filters.type:
        query = query.where(QuestionRevision.type == filters.type)
    if filters.difficulty:
        query = query.where(QuestionRevision.difficulty == filters.difficulty)
    if filters.tag:
        query = query.where(QuestionRevision.tag_rows.any(RevisionTag.tag == filters.tag))
    if filters.text:
        pattern = f"%{filters.text}%"
        query = query.where(or_(QuestionRevision.stem.ilike(pattern), Question.code.ilike(pattern)))
    if not filters.include_retired:
        query = query.where(Question.retired_at.is_(None))
    return query


def current_tags(*conditions: ColumnElement[bool]) -> list[str]:
    """Tags of live questions (and of those meeting the conditions, e.g. open to practice)."""
    query = (select(RevisionTag.tag).join(QuestionRevision).join(Question, CURRENT)
             .where(Question.retired_at.is_(None), *conditions).distinct().order_by(RevisionTag.tag))
    return list(db.session.scalars(query))
