"""A small exam to sit in tests: one question of each type (plugins.banks.VALID), a blueprint over them; the clock and
exam fixtures; Candidate, a candidate talking to the exam API."""
import json
import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from app.banks.service import CheckedSources, import_sources
from app.domain.banks import validate_texts
from app.domain.papers import parse_blueprint
from app.extensions import db
from app.models import ExamSession
from app.scheduling.service import schedule_session
from plugins.accounts import csrf_from, login
from plugins.banks import VALID

BLUEPRINT = textwrap.dedent("""\
    paper: five
    title: 五题小卷
    duration: 30
    draw: per_session
    shuffle: {questions: true, options: true}
    multiple_scoring: half
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、多选, type: multiple, points: 2, pick: [{bank: party-affairs, count: 1}]}
      - {title: 三、判断, type: judge, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 四、填空, type: blank, points: 2, pick: [{bank: party-affairs, count: 1}]}
      - {title: 五、简答, type: short, points: 5, pick: [{bank: party-affairs, count: 1}]}
    """)
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)   # 09:00 in Shanghai


def load_exam_content(blueprint: str = BLUEPRINT, bank: str = VALID) -> None:
    banks, problems = validate_texts([("pa.yaml", bank)])
    spec, more = parse_blueprint(blueprint, "papers/five.yaml")
    assert spec is not None and not [p for p in problems + more if not p.warning]
    import_sources(CheckedSources(banks, [spec], []))
    db.session.commit()


def schedule(usernames: list[str], *, paper: str = "five", opens: datetime = START, minutes: int = 120,
             review: str = "immediate", show_key: bool = False) -> int:
    session = schedule_session(blueprint_slug=paper, title="测试场次", opens_at=opens,
                               closes_at=opens + timedelta(minutes=minutes), usernames=usernames, org_code=None,
                               review=review, show_key=show_key, actor=None)
    return session.id


class Clock:
    """The server's time in tests: the API and pages read it through app.models.utcnow."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(START + timedelta(minutes=1))
    for module in ("app.api.routes", "app.exam.routes", "app.admin.sessions", "app.admin.routes", "app.marking.routes",
                   "app.practice.routes", "app.api.practice", "app.admin.reports", "app.admin.paper",
                   "app.attempts.arrival"):
        monkeypatch.setattr(f"{module}.utcnow", fake, raising=False)
    return fake


@pytest.fixture
def exam(app, make_user, clock):
    """Three candidates scheduled into a session of the five-question paper; returns the session id."""
    for name in ("cand1", "cand2", "cand3"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content()
        return schedule(["cand1", "cand2", "cand3"])


def session_paper_refs(app, session_id: int) -> list[int]:
    with app.app_context():
        return [item.revision_id for item in db.session.get(ExamSession, session_id).paper.items]


def sit(username: str, session_id: int, answers: dict[str, object], at: datetime = START + timedelta(minutes=5)) -> int:
    """Start, answer by item type in the bank's letters ({"single": "A", "judge": True, …}) and submit.

    Call inside an app context; returns the attempt id.
    """
    from sqlalchemy import select

    from app.attempts.letters import shown_letters
    from app.attempts.service import mark_pending, save_responses, start_attempt, submit_attempt
    from app.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    attempt = start_attempt(session_id, user, at)
    values = {}
    for response in attempt.responses:
        qtype = response.paper_item.revision.type
        if qtype in answers:
            given = answers[qtype]
            values[response.key] = shown_letters(response, given) if qtype in ("single", "multiple") else given
    attempt_id = attempt.id
    save_responses(attempt_id, user, values, 1, at)
    submit_attempt(attempt_id, user, at)
    mark_pending(at, [attempt_id])
    return attempt_id


class Candidate:
    """A logged-in candidate talking JSON, with the CSRF header the exam page sends."""

    def __init__(self, client, username: str):
        login(client, username)
        self.client = client
        self.token = csrf_from(client.get("/exam/").get_data(as_text=True))

    def call(self, method: str, path: str, body=None):
        return self.client.open(f"/api/v1{path}", method=method, data=None if body is None else json.dumps(body),
                                headers={"X-CSRFToken": self.token, "Content-Type": "application/json"})

    def start(self, session_id: int) -> dict:
        response = self.call("POST", f"/sessions/{session_id}/attempts")
        assert response.status_code == 200, response.get_json()
        return response.get_json()
