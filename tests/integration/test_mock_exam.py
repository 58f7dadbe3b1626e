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
