"""Mock papers (模拟考试): drawn afresh per attempt, reviewed at once, sat again up to the allowed number."""
import pytest

from app.extensions import db
from app.scheduling.service import ScheduleError, schedule_session
from plugins.exams import BLUEPRINT, START, Candidate, load_exam_content

PER_ATTEMPT = BLUEPRINT.replace("paper: five", "paper: five-mock").replace("draw: per_session", "draw: per_attempt")


@pytest.fixture
def mock_session(app, make_user, clock):
    make_user("cadre", role="candidate")
    with app.app_context():
        load_exam_content()
        load_exam_content(blueprint=PER_ATTEMPT)
        from datetime import timedelta
        session = schedule_session(blueprint_slug="five-mock", title="模拟", opens_at=START,
                                   closes_at=START + timedelta(days=30), usernames=["cadre"], org_code=None,
                                   review="never", show_key=False, actor=None, mock=True, max_attempts=2)
        return session.id


def test_mock_is_sat_again_up_to_the_limit_with_full_review(client, mock_session):
    cadre = Candidate(client, "cadre")
    first = cadre.start(mock_session)
    assert cadre.start(mock_session)["id"] == first["id"], "unfinished: the same attempt"
    done = cadre.call("POST", f"/attempts/{first['id']}/submit").get_json()
    assert done["result"]["visible"] and "items" in done["result"], "a mock is reviewed at once, key included"
    second = cadre.start(mock_session)
    assert second["id"] != first["id"] and second["status"] == "in_progress"
    read_back = cadre.call("GET", f"/attempts/{second['id']}").get_json()
    assert {**second, "server_time": None} == {**read_back, "server_time": None}, "a drawn paper's reply as stored"
    cadre.call("POST", f"/attempts/{second['id']}/submit")
    assert cadre.start(mock_session)["id"] == second["id"], "no third attempt"


def test_a_mock_needs_a_per_attempt_paper(app, make_user, clock):
    make_user("cadre", role="candidate")
    with app.app_context():
        load_exam_content()
        with pytest.raises(ScheduleError, match="draw: per_attempt"):
            schedule_session(blueprint_slug="five", title="模拟", opens_at=START, closes_at=START.replace(year=2027),
                             usernames=["cadre"], org_code=None, review="never", show_key=False, actor=None, mock=True)
        db.session.rollback()


@pytest.fixture
def two_sitting(app, make_user, mock_session):
    """cadre2 in the mock too, already sitting it."""
    from app.models import SessionCandidate, User
    make_user("cadre2", role="candidate")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "cadre2"))
        db.session.add(SessionCandidate(session_id=mock_session, user_id=user.id))
        db.session.commit()
    return mock_session


def test_a_mock_start_draws_before_taking_the_write_lock_so_saves_go_on(app, monkeypatch, two_sitting):
    import threading

    import app.attempts.service as service
    from app.database import _WRITING
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 1000   # were the lock held, the save below would give up: 503 busy
    other = Candidate(app.test_client(), "cadre2")
    sitting = other.start(two_sitting)
    key = next(i["key"] for s in sitting["sections"] for i in s["items"] if i["type"] == "judge")
    during: dict[str, object] = {}
    real_draw = service.drawn_paper

    def draw_beside_a_save(*args, **kwargs):
        during["writing"] = db.session.info.get(_WRITING, False)
        save = threading.Thread(target=lambda: during.setdefault("save", other.call(
            "PUT", f"/attempts/{sitting['id']}/responses", {"responses": {key: True}, "seq": 1})))
        save.start()
        save.join()
        return real_draw(*args, **kwargs)

    monkeypatch.setattr(service, "drawn_paper", draw_beside_a_save)
    started = Candidate(app.test_client(), "cadre").start(two_sitting)
    assert started["status"] == "in_progress"
    assert during["writing"] is False
    assert during["save"].status_code == 200 and during["save"].get_json()["keys"] == [key]
