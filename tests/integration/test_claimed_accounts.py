"""The exam API's saves and submits check the account their session names inside their own write (issue 13,
app/users/logins.py `ClaimedAccount`): not read before it, and refused all the same, writing nothing, once the session
has ended, the account was deactivated or it must first choose its own password."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AttemptEvent, Response, User
from app.users.logins import end_sessions
from app.web import checks_account_in_write
from plugins.exams import Candidate


def _items(attempt: dict) -> dict[str, str]:
    return {item["type"]: item["key"] for section in attempt["sections"] for item in section["items"]}


def _change(app, username: str, change) -> None:
    with app.app_context():
        change(db.session.scalar(select(User).where(User.username == username)))
        db.session.commit()


def _written(app, attempt_id: int) -> tuple[str, list[str], int]:
    with app.app_context():
        events = list(db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)
                                         .order_by(AttemptEvent.id)))
        answered = db.session.scalar(select(func.count()).where(Response.attempt_id == attempt_id,
                                                                Response.saved_at.is_not(None)))
        return db.session.get(Attempt, attempt_id).status, events, answered


@pytest.mark.parametrize(("change", "status", "error"), [
    (end_sessions, 401, "unauthenticated"),
    (lambda user: setattr(user, "active", False), 401, "unauthenticated"),
    (lambda user: setattr(user, "must_change_password", True), 403, "password_change_required"),
], ids=["session ended", "deactivated", "password due"])
def test_a_save_or_submit_on_an_account_that_no_longer_stands_is_refused_and_writes_nothing(
        app, exam, change, status, error):
    cand = Candidate(app.test_client(), "cand1")
    started = cand.start(exam)
    single = _items(started)["single"]
    _change(app, "cand1", change)

    saved = cand.call("PUT", f"/attempts/{started['id']}/responses", {"responses": {single: "A"}, "seq": 1})
    submitted = cand.call("POST", f"/attempts/{started['id']}/submit")

    for answer in (saved, submitted):
        assert (answer.status_code, answer.get_json()["error"]) == (status, error)
    assert _written(app, started["id"]) == ("in_progress", ["start"], 0)


def test_a_save_and_a_submit_do_not_read_the_account_before_their_write(app, exam, monkeypatch):
    cand = Candidate(app.test_client(), "cand1")
    started = cand.start(exam)
    single = _items(started)["single"]

    def not_read(_key):
        raise AssertionError("the account was read before the write")

    monkeypatch.setattr("app.web.session_account", not_read)
    saved = cand.call("PUT", f"/attempts/{started['id']}/responses", {"responses": {single: "A"}, "seq": 1})
    submitted = cand.call("POST", f"/attempts/{started['id']}/submit")
    assert saved.status_code == 200 and saved.get_json()["keys"] == [single]
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    assert _written(app, started["id"]) == ("submitted", ["start", "save", "submit", "auto_mark"], 1)


def test_a_view_that_answers_on_a_claim_it_never_checked_raises(app, exam):
    app.add_url_rule("/api/v1/unchecked", "unchecked", checks_account_in_write(lambda: {"ok": True}),
                     methods=["POST"])
    cand = Candidate(app.test_client(), "cand1")
    with pytest.raises(RuntimeError, match="never checked"):
        cand.call("POST", "/unchecked")
