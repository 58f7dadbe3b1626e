"""Practice services: a drill answered one question at a time, the book, progress and the weekly report."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.domain.practice import DrillFilter
from app.extensions import db
from app.models import BookEntry, QuestionRevision, User
from app.practice.progress import participation, progress
from app.practice.service import PracticeError, answer, current_revision, daily_drill, start_drill
from plugins.exams import START, load_exam_content


@pytest.fixture
def cadre(app, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    make_user("idle", role="candidate", org="c01")
    with app.app_context():
        load_exam_content()
    return "cadre"


def wrong_response(revision: QuestionRevision):
    if revision.type == "judge":
        return not revision.answer
    if revision.type == "blank":
        return ["错"] * len(revision.answer)
    return {"single": "D" if revision.answer != "D" else "A", "multiple": ["A", "D"]}[revision.type]


def right_response(revision: QuestionRevision):
    return [variants[0] for variants in revision.answer] if revision.type == "blank" else revision.answer


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def test_drill_marks_each_answer_and_fills_then_empties_the_book(app, cadre):
    with app.app_context():
        drill = start_drill(user("cadre"), DrillFilter(types=("judge",), count=5), START)
        assert len(drill.question_ids) == 1, "short items are never drilled; the bank has one judge item"
        question_id = drill.question_ids[0]
        revision = current_revision(question_id)
        checked = answer(drill.id, user("cadre"), question_id, wrong_response(revision), START)
        assert not checked.correct and checked.finished
        with pytest.raises(PracticeError):
            answer(drill.id, user("cadre"), question_id, revision.answer, START)
        assert db.session.get(BookEntry, (user("cadre").id, question_id)).active
        for minute in (1, 2):
            book = start_drill(user("cadre"), DrillFilter(mode="book"), START + timedelta(minutes=minute))
            assert answer(book.id, user("cadre"), question_id, revision.answer, START).correct
        entry = db.session.get(BookEntry, (user("cadre").id, question_id))
        assert not entry.active and entry.misses == 1
        with pytest.raises(PracticeError, match="没有符合条件的题目"):
            start_drill(user("cadre"), DrillFilter(mode="book"), START)


def test_progress_and_participation(app, cadre):
    with app.app_context():
        drill = daily_drill(user("cadre"), START)
        assert daily_drill(user("cadre"), START).id == drill.id, "today's set resumes"
        for question_id in drill.question_ids:
            revision = current_revision(question_id)
            answer(drill.id, user("cadre"), question_id, right_response(revision), START)
        result = progress(user("cadre"), START)
        assert result.streak == 1 and result.days_practised == 1
        assert result.by_category["party_affairs"].right == len(drill.question_ids) == 3   # DAILY_MIX
        assert [(bank.slug, seen, total) for bank, seen, total in result.coverage] == [("party-affairs", 3, 4)]
        rows = participation(date(2026, 11, 30), date(2026, 12, 6))
        row = next(r for r in rows if r.organisation and r.organisation.code == "c01")
        assert (row.members, len(row.practising), row.tally.answered, row.tally.accuracy) == (2, 1, 3, 1.0)
        assert participation(date(2026, 12, 7), date(2026, 12, 13))[0].tally.answered == 0
