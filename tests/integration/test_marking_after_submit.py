"""A submit is committed in a short write and marked after it (app/attempts/sweeper.py): the candidate is told
已交卷 at once, sees "成绩计算中" until the marks are in, and an attempt whose marking a crash cut off is marked by
the sweep."""
import os
import threading

import pytest
from sqlalchemy import select

from app.attempts.judging import mark_response
from app.attempts.service import mark_pending
from app.attempts.sweeper import Marker
from app.extensions import db
from app.models import Attempt, AttemptEvent, PaperItem, QuestionRevision, Response, User, utcnow
from plugins.exams import Candidate


class CrashedMarker:
    """A marking thread that takes the attempts and never marks them: the process died after the submit's commit."""

    def __init__(self):
        self.pid, self.taken = os.getpid(), []

    def add(self, attempt_id: int) -> None:
        self.taken.append(attempt_id)


@pytest.fixture
def crashed(app):
    app.extensions["marker"] = marker = CrashedMarker()
    return marker


@pytest.fixture
def submitted(client, exam, crashed):
    """cand1's attempt, answered and submitted, its marking handed to a marker that never runs."""
    cand = Candidate(client, "cand1")
    attempt = cand.start(exam)
    judge_key = next(i["key"] for s in attempt["sections"] for i in s["items"] if i["type"] == "judge")
    assert cand.call("PUT", f"/attempts/{attempt['id']}/responses",
                     {"responses": {judge_key: True}, "seq": 1}).status_code == 200
    reply = cand.call("POST", f"/attempts/{attempt['id']}/submit")
    return cand, attempt["id"], reply


def kinds(app, attempt_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)
                                       .order_by(AttemptEvent.id)))


def test_a_submit_is_answered_and_committed_before_it_is_marked(app, client, submitted, crashed):
    cand, attempt_id, reply = submitted
    body = reply.get_json()
    assert reply.status_code == 200 and body["status"] == "submitted" and body["marked"] is False
    assert body["result"] == {"visible": True, "pending": True, "max_score": 11.0}
    assert crashed.taken == [attempt_id]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "submitted" and attempt.finished_at is not None and attempt.score is None
    assert kinds(app, attempt_id) == ["start", "save", "submit"]
    page = client.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "已交卷" in page and "成绩计算中，请稍后刷新" in page and "js/result.js" in page
    assert "成绩计算中" in client.get("/exam/").get_data(as_text=True)
    again = cand.call("POST", f"/attempts/{attempt_id}/submit").get_json()
    assert again["status"] == "submitted" and kinds(app, attempt_id).count("submit") == 1


def test_the_sweep_marks_an_attempt_whose_marking_a_crash_cut_off(app, runner, client, submitted):
    cand, attempt_id, _ = submitted
    result = runner.invoke(args=["exam", "sweep"])
    assert result.exit_code == 0 and "marked 1" in result.output
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score == 1.0 and attempt.fully_marked is True   # the judge item right, the short one blank
        marked = db.session.scalar(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id,
                                                              AttemptEvent.kind == "auto_mark"))
        assert marked.actor is None and marked.details == {"score": 1.0, "fully_marked": True}
    assert "marked 0" in runner.invoke(args=["exam", "sweep"]).output, "marked once, whoever runs it"
    assert kinds(app, attempt_id) == ["start", "save", "submit", "auto_mark"]
    body = cand.call("GET", f"/attempts/{attempt_id}").get_json()
    assert body["marked"] is True and body["result"]["score"] == 1.0
    page = client.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "成绩计算中" not in page and "js/result.js" not in page


def test_the_marking_thread_marks_what_its_process_submitted(app, submitted):
    _, attempt_id, _ = submitted
    marker = Marker(app, threading.Event())
    marker.add(attempt_id)
    marker._mark(marker._take())
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 1.0
    assert kinds(app, attempt_id).count("auto_mark") == 1
    marker._mark([attempt_id])
    assert kinds(app, attempt_id).count("auto_mark") == 1, "an attempt already marked is left alone"


def test_without_a_marking_thread_the_submit_marks_after_its_commit(client, exam):
    cand = Candidate(client, "cand2")
    attempt = cand.start(exam)
    body = cand.call("POST", f"/attempts/{attempt['id']}/submit").get_json()
    assert body["marked"] is True and body["result"]["score"] == 0.0


def test_a_judge_scoring_before_the_marks_are_in_writes_them_with_their_event(app, submitted, make_user):
    """The judge's score comes first, so the objective marks are written with it; the trail says so, as the marking
    thread's would, and the sweep leaves the attempt alone."""
    _, attempt_id, _ = submitted
    judge = make_user("judge1", role="judge")
    with app.app_context():
        short = db.session.scalar(select(Response.id).join(PaperItem).join(QuestionRevision)
                                  .where(Response.attempt_id == attempt_id, QuestionRevision.type == "short"))
        mark_response(short, 3, db.session.get(User, judge.id), utcnow())
        db.session.commit()
        assert db.session.get(Attempt, attempt_id).score == 4.0
        marked = db.session.scalar(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id,
                                                              AttemptEvent.kind == "auto_mark"))
        assert marked.details == {"score": 4.0, "fully_marked": True}
        assert mark_pending(utcnow(), [attempt_id]) == 0
    assert kinds(app, attempt_id) == ["start", "save", "submit", "mark", "auto_mark"]
