"""Drills from start to finish, one answer at a time, each feeding the wrong-question book.

Answers are kept in the bank's letters: practice shows options in bank order, except those of an always-shuffled
type (an ordering, a matching), shown in a fixed shuffle per drill and question (`shown_order`) and mapped back when
answered.
Practice only ever asks, or shows the key of, a question that is open to practice now (app/attempts/release.py): its
bank says `practice: true` and no exam session that has not ended may still ask it. A drill begun before a question
was withheld skips it.
"""
import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.attempts.letters import in_bank_letters, shown_key
from app.attempts.release import has_ended, open_to_practice, practicable
from app.banks.queries import CURRENT
from app.database import begin_write
from app.domain import practice
from app.domain.marking import is_answered, mark, shape_ok
from app.domain.markup import render_markdown
from app.domain.questions import option_letters
from app.errors import AppError, InvalidResponse, NotFound
from app.extensions import db
from app.history import collect_attempt, record_answer
from app.models import (
    Attempt,
    AttemptStatus,
    Bank,
    BookEntry,
    Drill,
    ExamSession,
    PracticeAnswer,
    Question,
    QuestionRevision,
    ScoreRelease,
    SessionCandidate,
    User,
)


class PracticeError(AppError):
    """A drill that cannot be started, or go on, as asked."""

    code = "practice_refused"


class AlreadyAnswered(PracticeError):
    status, code = 409, "already_answered"


class NotAvailable(PracticeError):
    """A question no longer open to practice: an exam that has not ended may ask it."""

    status, code = 409, "not_available"


def local_day(at: datetime) -> date:
    return at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def practice_pool(now: datetime) -> list[practice.PracticeItem]:
    """Every live question open to practice now."""
    rows = db.session.execute(
        select(Question.id, Bank.slug, Bank.category, QuestionRevision)
        .join(Bank, Question.bank_id == Bank.id).join(QuestionRevision, CURRENT)
        .where(Question.retired_at.is_(None), open_to_practice(now)).options(selectinload(QuestionRevision.tag_rows)))
    return [practice.PracticeItem(ref=str(qid), bank=slug, category=category, type=rev.type,
                                  difficulty=rev.difficulty, tags=frozenset(t.tag for t in rev.tag_rows))
            for qid, slug, category, rev in rows]


def start_drill(user: User, wanted: practice.DrillFilter, now: datetime) -> Drill:
    """A new drill from the filter; PracticeError when nothing matches."""
    if wanted.mode not in practice.MODES:
        raise PracticeError("未知的练习方式")
    refs = practice.choose_drill(practice_pool(now), wanted, seen=_seen(user), book=_book(user),
                                 weakest_category=weakest_category(user, now),
                                 seed=random.SystemRandom().randrange(2**31))
    if not refs:
        raise PracticeError("没有符合条件的题目，请放宽筛选条件。")
    # The choice above is all reads: only the insert holds the write lock.
    begin_write()
    drill = Drill(user=user, kind="book" if wanted.mode == "book" else "drill", question_ids=[int(r) for r in refs],
                  settings=_settings(wanted), created_at=now)
    db.session.add(drill)
    db.session.flush()
    return drill


def _settings(wanted: practice.DrillFilter) -> dict[str, Any]:
    return {"mode": wanted.mode, "banks": list(wanted.banks), "categories": list(wanted.categories),
            "types": list(wanted.types), "tags": list(wanted.tags), "difficulty": list(wanted.difficulty),
            "count": wanted.count}


def daily_drill(user: User, now: datetime) -> Drill:
    """Today's 每日一练 for this user: the same questions as everyone's, resumed if already begun."""
    day = local_day(now)
    query = select(Drill).where(Drill.user_id == user.id, Drill.kind == "daily", Drill.day == day)
    drill = db.session.scalar(query)
    if drill is not None:
        return drill
    refs = practice.daily_refs(practice_pool(now), day, current_app.config["DAILY_MIX"])
    begin_write()
    drill = db.session.scalar(query)   # again under the lock: a second tab may have begun it meanwhile
    if drill is None:
        drill = Drill(user=user, kind="daily", day=day, question_ids=[int(r) for r in refs], created_at=now)
        db.session.add(drill)
        db.session.flush()
    return drill


def open_drill(user: User) -> Drill | None:
    """The user's unfinished drill (not the daily set), to continue where they left off."""
    return db.session.scalar(select(Drill).where(Drill.user_id == user.id, Drill.kind != "daily",
                                                 Drill.finished_at.is_(None)).order_by(Drill.id.desc()).limit(1))


def own_drill(drill_id: int, user: User) -> Drill:
    drill = db.session.get(Drill, drill_id)
    if drill is None or drill.user_id != user.id:
        raise NotFound("没有找到这次练习。")
    return drill


def current_revision(question_id: int) -> QuestionRevision:
    return db.session.scalar(select(QuestionRevision).join(Question, CURRENT).where(Question.id == question_id))


@dataclass
class Checked:
    """The outcome of one drill answer, shown at once."""

    correct: bool
    revision: QuestionRevision
    response: Any       # as given, in the letters shown
    finished: bool
    next: int           # the drill's position after this answer
    order: tuple[str, ...] = ()    # the bank letters in the order shown, when not the bank's own


def shown_order(drill: Drill, revision: QuestionRevision) -> tuple[str, ...]:
    """The bank letters in the order the drill shows them ("" for the bank's own order, which most types keep)."""
    if not revision.kind.always_shuffled:
        return ()
    return practice.drill_order(option_letters(revision.options), revision.answer, drill.id, revision.question_id)


def next_position(drill: Drill, now: datetime) -> int | None:
    """Where the drill goes on: its next question that is still open to practice (None: nothing left to ask)."""
    return _next_askable(drill.question_ids, drill.position, _askable(drill, now))


def _askable(drill: Drill, now: datetime) -> set[int]:
    return practicable(set(drill.question_ids[drill.position:]), now)


def _next_askable(question_ids: list[int], start: int, askable: set[int]) -> int | None:
    return next((index for index in range(start, len(question_ids)) if question_ids[index] in askable), None)


def _asking(drill: Drill, question_id: int, now: datetime) -> tuple[int, set[int]]:
    """Where the drill asks this question, and what it may still ask: refused unless it is the drill's current
    question, open to practice now."""
    askable = _askable(drill, now)
    position = None if drill.finished_at is not None else _next_askable(drill.question_ids, drill.position, askable)
    if position is None or drill.question_ids[position] != question_id:
        if question_id in drill.question_ids[:drill.position]:
            raise AlreadyAnswered("这道题已经答过了，请继续下一题。")
        raise NotAvailable("这道题现在不能练习，请继续下一题。")
    return position, askable


def answer(drill_id: int, user: User, question_id: int, response: Any, now: datetime) -> Checked:
    """Check the drill's current question; answering an earlier one again (a resent form) changes nothing."""
    begin_write()
    drill = own_drill(drill_id, user)
    position, askable = _asking(drill, question_id, now)
    revision = current_revision(question_id)
    letters = option_letters(revision.options)
    if response is None or not shape_ok(revision.kind, response, letters, revision.slots):
        raise InvalidResponse("请先作答。")
    order = shown_order(drill, revision)
    kept = in_bank_letters(revision, order, response)
    correct = mark(revision.kind, revision.answer, kept, 1, multiple_scoring="strict",
                   blank_order=revision.blank_order, ordering_scoring="strict") == 1
    record_answer(user, revision, kept, correct, drill.kind, now, drill=drill)
    drill.position = position + 1
    if _next_askable(drill.question_ids, drill.position, askable) is None:
        drill.finished_at = now
    db.session.flush()
    return Checked(correct, revision, response, drill.finished_at is not None, drill.position, order)


def remove_from_book(user: User, question_id: int, now: datetime) -> None:
    begin_write()
    entry = db.session.get(BookEntry, (user.id, question_id))
    if entry is not None and entry.active:
        entry.active, entry.right_in_row, entry.removed_by_hand_at = False, 0, now
        db.session.flush()


def released_sessions(now: datetime) -> list[int]:
    """Formal sessions whose keys are now released and whose answers practice has not collected yet."""
    sessions = db.session.scalars(select(ExamSession).where(
        ExamSession.mock.is_(False), ExamSession.show_key.is_(True), ExamSession.review != ScoreRelease.NEVER,
        ExamSession.collected_at.is_(None), ExamSession.closes_at < now))
    return [session.id for session in sessions if has_ended(session, now)]


def collect_session(session_id: int, now: datetime) -> int:
    """A released session's finished attempts' objective answers into practice history and the book, once. Run
    by the sweep, never on a page view."""
    begin_write()
    session = db.session.get(ExamSession, session_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.session_id == session_id,
                                                        Attempt.status != AttemptStatus.IN_PROGRESS))
    count = sum(collect_attempt(attempt, "exam", now) for attempt in attempts)
    session.collected_at = now
    db.session.flush()
    return count


def _seen(user: User) -> set[str]:
    return {str(qid) for qid in db.session.scalars(
        select(PracticeAnswer.question_id).where(PracticeAnswer.user_id == user.id).distinct())}


def _book(user: User) -> set[str]:
    return {str(qid) for qid in db.session.scalars(
        select(BookEntry.question_id).where(BookEntry.user_id == user.id, BookEntry.active.is_(True)))}


def practice_banks() -> list[Bank]:
    """The banks open to practice (`practice: true`), by category."""
    return list(db.session.scalars(select(Bank).where(Bank.practice.is_(True)).order_by(Bank.category, Bank.slug)))


def practice_categories() -> list[str]:
    return sorted({bank.category for bank in practice_banks()})


def _tallies(user: User, now: datetime) -> dict[str, tuple[int, int]]:
    """Right and answered per category, over questions open to practice now."""
    rows = db.session.execute(
        select(Bank.category, PracticeAnswer.correct).join(Question, PracticeAnswer.question_id == Question.id)
        .join(Bank, Question.bank_id == Bank.id).where(PracticeAnswer.user_id == user.id, open_to_practice(now)))
    tallies: dict[str, tuple[int, int]] = {}
    for category, correct in rows:
        right, answered = tallies.get(category, (0, 0))
        tallies[category] = (right + int(correct), answered + 1)
    return tallies


# -- what the practice pages read ----------------------------------------------------------------------------

def answer_given(drill_id: int, user: User, question_id: int, response: Any, now: datetime) -> Checked:
    """`answer` from a page: a submission with nothing chosen or filled in is a slip, not a wrong answer. Whether the
    drill asks the question at all is checked first: a slip is shown on the question's page, which must never be one
    practice withholds, so such a question is refused as an answer to it would be."""
    if not is_answered(response):
        _asking(own_drill(drill_id, user), question_id, now)
        raise InvalidResponse("请先作答。")
    return answer(drill_id, user, question_id, response, now)


def todays_daily(user: User, now: datetime) -> Drill | None:
    """Today's 每日一练 if begun, without starting it (the home page only looks)."""
    return db.session.scalar(select(Drill).where(Drill.user_id == user.id, Drill.kind == "daily",
                                                 Drill.day == local_day(now)))


def weakest_category(user: User, now: datetime) -> str | None:
    return practice.weakest(_tallies(user, now), practice_categories())


def drill_answers(drill: Drill) -> list[PracticeAnswer]:
    """A drill's answers in the order given, each with the revision that was asked."""
    return list(db.session.scalars(
        select(PracticeAnswer).where(PracticeAnswer.drill_id == drill.id).order_by(PracticeAnswer.id)
        .options(selectinload(PracticeAnswer.revision))))


def answer_in_drill(drill: Drill, question_id: int) -> PracticeAnswer | None:
    """The answer already given to a drill's question: a resent form shows it again instead of an error."""
    return db.session.scalar(select(PracticeAnswer).where(PracticeAnswer.drill_id == drill.id,
                                                          PracticeAnswer.question_id == question_id)
                             .order_by(PracticeAnswer.id.desc()).limit(1))


def book(user: User, now: datetime) -> list[tuple[BookEntry, QuestionRevision, Bank]]:
    """The questions in the user's book that can be drilled now, the most recently missed first: a question of a
    closed bank, or one an exam that has not ended may still ask, is held back with its key."""
    rows = db.session.execute(
        select(BookEntry, QuestionRevision, Bank)
        .join(Question, BookEntry.question_id == Question.id).join(QuestionRevision, CURRENT)
        .join(Bank, Question.bank_id == Bank.id)
        .where(BookEntry.user_id == user.id, BookEntry.active.is_(True), Question.retired_at.is_(None),
               open_to_practice(now))
        .order_by(BookEntry.last_missed_at.desc(), BookEntry.question_id))
    return [tuple(row) for row in rows]


@dataclass
class MockSitting:
    """A mock (模拟考试) open to the user, with how many of its attempts they have used."""

    session: ExamSession
    used: int
    latest: Attempt | None
    state: str                 # upcoming | open | closed

    @property
    def may_start(self) -> bool:
        return self.state == "open" and (self.latest is None or
                                         self.latest.finished and self.used < self.session.max_attempts)


MOCK_STATES = ("open", "upcoming", "closed")


def mocks_for(user: User, now: datetime) -> list[MockSitting]:
    """Open mocks first, then those to come, then those over."""
    sessions = db.session.scalars(
        select(ExamSession).join(SessionCandidate)
        .where(SessionCandidate.user_id == user.id, ExamSession.mock.is_(True))
        .options(selectinload(ExamSession.blueprint), selectinload(ExamSession.paper)))
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).join(ExamSession)
                                      .where(Attempt.user_id == user.id, ExamSession.mock.is_(True))
                                      .order_by(Attempt.number)):
        attempts.setdefault(attempt.session_id, []).append(attempt)
    sittings = [MockSitting(session, len(attempts.get(session.id, [])), (attempts.get(session.id) or [None])[-1],
                            "upcoming" if now < session.opens_at else "open" if now < session.closes_at else "closed")
                for session in sessions]
    return sorted(sittings, key=lambda s: (MOCK_STATES.index(s.state), s.session.opens_at))


def revealed(revision: QuestionRevision, order: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a drill shows once a question is answered: the key as a person reads it (in the letters shown, when the
    drill showed the options in its own order), the explanation, the source."""
    key = shown_key(order, revision.answer, revision.kind)
    return {"answer": key, "answer_text": revision.kind.describe_answer(key),
            "explanation_html": render_markdown(revision.explanation or ""), "source": revision.source or ""}
