"""What practice adds up to: a cadre's progress (accuracy over time, coverage, streak) and the organisers'
participation report per organisation (the weekly 通报).

A cadre's progress counts only questions open to practice now: a closed bank's questions (met in a released exam,
or in a bank closed since) never show up in it, and neither do those an unended exam may still ask, for a mock's
answers are recorded as it finishes and a tally that moves by one answer would give that answer's mark away."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.attempts.release import open_to_practice
from app.banks.queries import CURRENT
from app.domain import practice
from app.extensions import db
from app.models import (
    Attempt,
    Bank,
    ExamSession,
    Organisation,
    PracticeAnswer,
    Question,
    QuestionRevision,
    RevisionTag,
    User,
)
from app.practice.service import local_day


@dataclass
class Tally:
    right: int = 0
    answered: int = 0

    def add(self, correct: bool) -> None:
        self.right += int(correct)
        self.answered += 1

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answered if self.answered else None


@dataclass
class Progress:
    streak: int
    days_practised: int
    by_category: dict[str, Tally]
    by_tag: dict[str, Tally]
    weekly: list[tuple[date, dict[str, Tally]]]            # week starting (Monday) → category → tally
    coverage: list[tuple[Bank, int, int]]                  # bank, questions answered at least once, live questions


def progress(user: User, now: datetime, weeks: int = 8) -> Progress:
    rows = db.session.execute(
        select(PracticeAnswer.answered_at, PracticeAnswer.correct, PracticeAnswer.question_id, Bank.category,
               PracticeAnswer.revision_id)
        .join(Question, PracticeAnswer.question_id == Question.id).join(Bank, Question.bank_id == Bank.id)
        .where(PracticeAnswer.user_id == user.id, open_to_practice(now))).all()
    today = local_day(now)
    first_week = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    by_category: dict[str, Tally] = {}
    weekly = {first_week + timedelta(weeks=n): {} for n in range(weeks)}
    days = set()
    for answered_at, correct, _question, category, _revision in rows:
        day = local_day(answered_at)
        days.add(day)
        by_category.setdefault(category, Tally()).add(correct)
        week = day - timedelta(days=day.weekday())
        if week in weekly:
            weekly[week].setdefault(category, Tally()).add(correct)
    return Progress(practice.streak(days, today), len(days), by_category, _by_tag(user, now), sorted(weekly.items()),
                    _coverage({question for _, _, question, _, _ in rows}))


def _by_tag(user: User, now: datetime) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    rows = db.session.execute(select(RevisionTag.tag, PracticeAnswer.correct)
                              .join(PracticeAnswer, PracticeAnswer.revision_id == RevisionTag.revision_id)
                              .join(Question, PracticeAnswer.question_id == Question.id)
                              .where(PracticeAnswer.user_id == user.id, open_to_practice(now)))
    for tag, correct in rows:
        tallies.setdefault(tag, Tally()).add(correct)
    return dict(sorted(tallies.items(), key=lambda item: -item[1].answered))


def _coverage(answered: set[int]) -> list[tuple[Bank, int, int]]:
    live = db.session.execute(select(Question.bank_id, Question.id).join(QuestionRevision, CURRENT)
                              .where(Question.retired_at.is_(None), QuestionRevision.type.in_(practice.DRILL_TYPES)))
    totals: dict[int, tuple[int, int]] = {}
    for bank_id, question_id in live:
        seen, count = totals.get(bank_id, (0, 0))
        totals[bank_id] = (seen + int(question_id in answered), count + 1)
    banks = db.session.scalars(select(Bank).where(Bank.practice.is_(True)).order_by(Bank.slug))
    return [(bank, *totals.get(bank.id, (0, 0))) for bank in banks]


@dataclass
class Participation:
    organisation: Organisation | None
    members: int = 0
    practising: set[int] = field(default_factory=set)
    tally: Tally = field(default_factory=Tally)
    mocks: int = 0


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local calendar days [start, end] as UTC instants."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return (datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone))


def participation(start: date, end: date) -> list[Participation]:
    """Per organisation over the period: people practising, answers, accuracy and mocks sat."""
    since, until = period_bounds(start, end)
    report: dict[int | None, Participation] = {}
    for org_id, count in db.session.execute(select(User.organisation_id, func.count()).where(User.role == "candidate")
                                            .group_by(User.organisation_id)):
        report[org_id] = Participation(None, members=count)
    answers = db.session.execute(
        select(User.organisation_id, PracticeAnswer.user_id, PracticeAnswer.correct)
        .join(User, PracticeAnswer.user_id == User.id)
        .where(PracticeAnswer.answered_at >= since, PracticeAnswer.answered_at < until))
    for org_id, user_id, correct in answers:
        row = report.setdefault(org_id, Participation(None))
        row.practising.add(user_id)
        row.tally.add(correct)
    mocks = db.session.execute(
        select(User.organisation_id, func.count()).join(Attempt, Attempt.user_id == User.id)
        .join(ExamSession, Attempt.session_id == ExamSession.id)
        .where(ExamSession.mock.is_(True), Attempt.finished_at >= since, Attempt.finished_at < until)
        .group_by(User.organisation_id))
    for org_id, count in mocks:
        report.setdefault(org_id, Participation(None)).mocks = count
    organisations = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(
        [key for key in report if key is not None])))}
    for org_id, row in report.items():
        row.organisation = organisations.get(org_id)
    return sorted(report.values(),
                  key=lambda r: (r.organisation is None, r.organisation.name if r.organisation else ""))


def current_streak(user: User, now: datetime) -> int:
    """The streak alone, for the practice home page."""
    times = db.session.scalars(select(PracticeAnswer.answered_at).where(PracticeAnswer.user_id == user.id))
    return practice.streak({local_day(at) for at in times}, local_day(now))
