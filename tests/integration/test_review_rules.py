"""Issue 8 §2 and §8: keys of a shared paper only once the session has ended for everyone; a mock's at once, except
what an unended exam may still ask; `immediate` keys refused for formal sessions; answers reach the book through
the sweep, never through a page view; and no GET changes anything."""
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.attempts.presenters import key_visible
from app.attempts.service import start_attempt
from app.attempts.sweeper import sweep_all
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    BookEntry,
    ExamSession,
    PracticeAnswer,
    User,
)
from app.scheduling.service import schedule_session
from plugins.accounts import csrf_from, login
from plugins.exams import BLUEPRINT, START, load_exam_content, schedule, sit

PER_ATTEMPT = BLUEPRINT.replace("paper: five", "paper: five-mock").replace("draw: per_session", "draw: per_attempt")
WRONG = {"single": "B", "judge": False}
JUDGE_ONLY = BLUEPRINT.replace("paper: five", "paper: judge-only").split("sections:")[0] + (
    "sections:\n  - {title: 一、判断, type: judge, points: 1, pick: [{bank: party-affairs, count: 1}]}\n")


def test_immediate_keys_on_a_formal_session_are_refused_on_the_command_line(app, runner, make_user):
    make_user("cand1")
    with app.app_context():
        load_exam_content()
    for extra in ([], ["--mock"]):
        result = runner.invoke(args=["exam", "schedule", "five", "--title", "复赛", "--opens", "2026-12-01T09:00",
                                     "--closes", "2026-12-01T11:00", "--users", "cand1", "--review", "immediate",
                                     "--show-key", *extra])
        if not extra:
            assert result.exit_code == 1 and "只能在考试结束后公布" in result.output and "--mock" in result.output
        else:
            assert result.exit_code == 1 and "draw: per_attempt" in result.output, "a mock needs its own paper"
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(ExamSession))
    fine = runner.invoke(args=["exam", "schedule", "five", "--title", "复赛", "--opens", "2026-12-01T09:00",
                               "--closes", "2026-12-01T11:00", "--users", "cand1", "--review", "after_close",
                               "--show-key", "--away-limit", "3"])
    assert fine.exit_code == 0, fine.output
    with app.app_context():
        assert db.session.scalar(select(ExamSession.away_alert_after)) == 3


def test_immediate_keys_on_a_formal_session_are_refused_on_the_form(app, organiser_client, make_user):
    make_user("cand1")
    with app.app_context():
        load_exam_content()
    page = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    assert "正式考试的答案与解析只在考试结束后公布" in page
    response = organiser_client.post("/admin/sessions/new", data={
        "blueprint": "five", "title": "复赛", "opens": "2026-12-01T09:00", "closes": "2026-12-01T11:00",
        "usernames": "cand1", "review": "immediate", "show_key": "y", "max_attempts": "1",
        "csrf_token": csrf_from(page)})
    assert response.status_code == 422 and "只能在考试结束后公布" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(ExamSession))


def test_scheduling_from_banks_open_to_practice_warns_the_organiser(app, organiser_client, make_user):
    make_user("cand1")
    with app.app_context():
        load_exam_content()
    page = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    organiser_client.post("/admin/sessions/new", data={
        "blueprint": "five", "title": "复赛", "opens": "2026-12-01T09:00", "closes": "2026-12-01T11:00",
        "usernames": "cand1", "review": "after_close", "max_attempts": "1", "csrf_token": csrf_from(page)})
    html = organiser_client.get("/admin/sessions").get_data(as_text=True)
    assert "试卷中有 5 道题来自开放练兵的题库" in html and "考试结束前这些题暂停练习" in html


@pytest.fixture
def shared(app, make_user, clock):
    """A per_session paper sat by three candidates, keys to be shown after close (09:00–11:00)."""
    for name in ("cand1", "cand2", "cand3"):
        make_user(name)
    with app.app_context():
        load_exam_content()
        return schedule(["cand1", "cand2", "cand3"], review="after_close", show_key=True)


def visible(app, attempt_id: int, now) -> bool:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return key_visible(attempt.session, attempt, now)


def test_keys_wait_for_the_close_the_grace_and_every_extension(app, shared, organiser):
    with app.app_context():
        early = sit("cand1", shared, WRONG)
        late = start_attempt(shared, db.session.scalar(select(User).where(User.username == "cand2")),
                             START + timedelta(minutes=100)).id      # deadline: the window's close, 11:00
    close = START + timedelta(hours=2)
    assert not visible(app, early, close), "at 11:00 saves may still be in flight"
    assert not visible(app, early, close + timedelta(seconds=30))
    assert visible(app, early, close + timedelta(seconds=31))

    from app.scheduling.service import extend_attempt
    with app.app_context():
        extend_attempt(late, 20, db.session.get(User, organiser.id), START + timedelta(minutes=110), "断电")
    assert not visible(app, early, close + timedelta(minutes=20)), "cand2 sits until 11:20"
    assert visible(app, early, close + timedelta(minutes=20, seconds=31))


def _mock_sat_before(app, client, exam_paper: str = "five") -> tuple[int, dict[str, str]]:
    """A cadre's mock of the five-question paper, drawn before a formal exam of `exam_paper` was scheduled on its
    questions; the single answered right (A), the judge wrong (its key is 对), submitted through the API. Returns
    the attempt and its item keys by type."""
    with app.app_context():
        load_exam_content()
        load_exam_content(blueprint=PER_ATTEMPT)
        load_exam_content(blueprint=JUDGE_ONLY)
        mock = schedule_session(blueprint_slug="five-mock", title="模拟", opens_at=START,
                                closes_at=START + timedelta(days=3), usernames=["cadre"], org_code=None,
                                review="immediate", show_key=True, actor=None, mock=True).id
        attempt = start_attempt(mock, db.session.scalar(select(User).where(User.username == "cadre")),
                                START + timedelta(minutes=2))
        keys = {r.paper_item.revision.type: r.key for r in attempt.responses}
        single = next(r for r in attempt.responses if r.paper_item.revision.type == "single")
        answers = {keys["single"]: "ABCD"[single.option_order.index("A")], keys["judge"]: False}
        attempt_id = attempt.id
        db.session.commit()
        schedule(["cadre"], paper=exam_paper, review="after_close", show_key=True)
    login(client, "cadre")
    token = csrf_from(client.get("/practice/").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    assert client.put(f"/api/v1/attempts/{attempt_id}/responses", headers=headers,
                      json={"responses": answers, "seq": 1}).status_code == 200
    assert client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers).status_code == 200
    return attempt_id, keys


def _result(client, attempt: int) -> dict:
    return client.get(f"/api/v1/attempts/{attempt}").get_json()["result"]


def _article(html: str, key: str) -> str:
    return html.split(f'id="q-{key}"', 1)[1].split("</article>", 1)[0]


def test_a_mock_drawn_before_an_exam_holds_back_the_keys_the_exam_may_still_ask(app, client, make_user, clock):
    make_user("cadre")
    attempt, _ = _mock_sat_before(app, client)       # the exam asks all five
    result = _result(client, attempt)
    assert result["visible"] and all(item == {"points": item["points"], "held_back": True}
                                     for item in result["items"].values()), "neither key nor mark"
    assert result["held_back"] == {"items": 5, "points": 11} and result["max_score"] == 0
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    assert "暂不公布：本题仍在其他尚未结束的考试中使用" in html and "支部工作条例第五条" not in html
    assert "都还在尚未结束的考试中使用" in html and 'class="mark zero"' not in html and "<th>大题</th>" not in html
    clock.now = START + timedelta(hours=3)
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    assert "支部工作条例第五条" in html, "once the exam has ended, the mock's review is whole"


def test_a_mock_gives_no_mark_of_what_an_exam_may_still_ask_nor_a_total_that_would(app, client, make_user, clock):
    """A judge item's mark is its key: held back, the item has none, its section none, and the mock's score covers
    only its other items, on every page that shows it; once the exam has ended the whole score shows."""
    make_user("cadre")
    attempt, keys = _mock_sat_before(app, client, exam_paper="judge-only")
    result = _result(client, attempt)
    assert result["items"][keys["judge"]] == {"points": 1, "held_back": True}
    assert result["items"][keys["single"]]["score"] == 1 and result["items"][keys["single"]]["answer"]
    assert result["held_back"] == {"items": 1, "points": 1}
    assert (result["score"], result["max_score"]) == (1, 10), "the single's 1 of the other ten points"
    assert [s.get("score") for s in result["sections"]] == [1, 0, None, 0, 0]
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    judged = _article(html, keys["judge"])
    assert 'class="mark held"' in judged and "得 0 分" not in judged and 'class="mark zero"' not in judged
    assert "另有 1 题（共 1 分）仍在尚未结束的考试中使用" in html and '<strong class="score">1</strong> / 10' in html
    assert re.search(r'三、判断</td>\s*<td class="num"><span class="muted">暂不公布', html)
    assert "1 / 10 分（另有 1 题暂不公布）" in client.get("/practice/").get_data(as_text=True)
    assert "另有 1 题暂不公布" in client.get("/exam/").get_data(as_text=True)

    clock.now = START + timedelta(hours=3)
    result = _result(client, attempt)
    assert "held_back" not in result and (result["score"], result["max_score"]) == (1, 11)
    assert result["items"][keys["judge"]]["score"] == 0


def test_practice_progress_leaves_out_answers_an_exam_may_still_ask(app, client, make_user, clock):
    """A mock's answers join practice history as it finishes; a tally moving by one would give a held-back mark away,
    so progress counts only questions open to practice now."""
    make_user("cadre")
    _mock_sat_before(app, client)
    assert "组织设置" not in client.get("/practice/progress").get_data(as_text=True)
    clock.now = START + timedelta(hours=3)
    assert "<td>组织设置</td>" in client.get("/practice/progress").get_data(as_text=True)


def test_an_ended_sessions_review_waits_while_another_session_may_ask_its_questions(app, client, make_user, clock):
    """Session A has ended; B, tomorrow, drew the same questions. A's total is the candidate's official score and
    shows; its items, marks and sections wait, since the total less any item's mark would give the rest away."""
    for name in ("cand1", "cand2"):
        make_user(name)
    with app.app_context():
        load_exam_content()
        first = schedule(["cand1"], review="after_close", show_key=True)
        attempt = sit("cand1", first, WRONG)
        schedule(["cand2"], opens=START + timedelta(days=1), review="after_close", show_key=True)
    clock.now = START + timedelta(hours=3)
    login(client, "cand1")
    result = _result(client, attempt)
    assert result["review_waits"] and "items" not in result and result["score"] == 0
    assert all("score" not in section for section in result["sections"])
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    assert "逐题答案与解析待这些考试结束后一并公布" in html and "<th>大题</th>" not in html
    clock.now = START + timedelta(days=1, hours=3)
    assert "items" in _result(client, attempt)


def test_a_formal_immediate_result_gives_the_total_alone_while_the_session_runs(app, client, make_user, clock):
    """`--review immediate` shows the total at once; a section's score (one item's mark, in a one-item section)
    waits with the keys until the session has ended."""
    for name in ("cand1", "cand2"):
        make_user(name)
    with app.app_context():
        load_exam_content()
        session = schedule(["cand1", "cand2"], review="immediate")
        attempt = sit("cand1", session, {"single": "A", "judge": False})
    clock.now = START + timedelta(minutes=10)
    login(client, "cand1")
    result = _result(client, attempt)
    assert result["score"] == 1 and all("score" not in section for section in result["sections"])
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    assert '<strong class="score">1</strong>' in html and "<th>大题</th>" not in html
    clock.now = START + timedelta(hours=3)
    html = client.get(f"/exam/attempts/{attempt}/result").get_data(as_text=True)
    assert "<td>三、判断</td>" in html


def test_released_answers_reach_the_book_through_the_sweep_never_a_page_view(app, client, shared, clock):
    with app.app_context():
        sit("cand1", shared, WRONG)
    login(client, "cand1")
    clock.now = START + timedelta(hours=3)
    for path in ("/practice/", "/practice/book", "/practice/progress", "/exam/"):
        client.get(path)
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(PracticeAnswer))
        swept = sweep_all(clock.now)
        assert swept.collected == 4 and db.session.scalar(select(ExamSession.collected_at)) is not None
        assert db.session.scalar(select(func.count()).select_from(BookEntry)) == 4
        assert sweep_all(clock.now).collected == 0, "once per session"
    assert "有正式党员（ ）人以上的" in client.get("/practice/book").get_data(as_text=True)


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_no_get_changes_state(app, client, shared, clock):
    """With an attempt past its deadline and a session whose keys are released, every page a candidate reads."""
    with app.app_context():
        submitted = sit("cand1", shared, WRONG)
        running = start_attempt(shared, db.session.scalar(select(User).where(User.username == "cand2")),
                                START + timedelta(minutes=5)).id
    login(client, "cand2")
    clock.now = START + timedelta(hours=3)
    with app.app_context():
        before = table_counts()
    for path in ("/exam/", f"/exam/attempts/{running}", f"/exam/attempts/{running}/result", "/practice/",
                 "/practice/book", "/practice/progress", "/standings/", "/api/v1/sessions",
                 f"/api/v1/attempts/{running}"):
        assert client.get(path).status_code in (200, 302), path
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/exam/").get_data(as_text=True))})
    login(client, "cand1")
    for path in ("/exam/", f"/exam/attempts/{submitted}/result", "/practice/", "/practice/book"):
        assert client.get(path).status_code == 200, path
    with app.app_context():
        after = table_counts()
        after.pop("login_failures"), before.pop("login_failures")
        assert after == before
        assert db.session.get(Attempt, running).status == AttemptStatus.IN_PROGRESS


@pytest.fixture
def schema_uri(_schema):
    """The URI of the test database the migrations built (the `_schema` fixture's value), for a second app on it."""
    return _schema


def test_each_app_process_sweeps_by_itself(app, schema_uri, make_user):
    """SWEEP_EVERY_SECONDS: the first request starts a thread that closes attempts nobody will submit."""
    make_user("cand1")
    with app.app_context():
        load_exam_content()
        session_id = schedule(["cand1"], review="after_close")
        attempt = start_attempt(session_id, db.session.scalar(select(User)), START).id   # deadline 09:30, long past
    swept = create_app("testing", SQLALCHEMY_DATABASE_URI=schema_uri, SWEEP_EVERY_SECONDS=0.05)
    try:
        swept.test_client().get("/login")
        status = None
        for _ in range(200):
            with swept.app_context():
                status = db.session.get(Attempt, attempt).status
                db.session.remove()
            if status == AttemptStatus.CLOSED:
                break
            time.sleep(0.05)
        assert status == AttemptStatus.CLOSED
        assert any(thread.name == "exam-sweeper" for thread in threading.enumerate())
    finally:
        swept.extensions["sweeper_stop"].set()
        for thread in threading.enumerate():
            if thread.name == "exam-sweeper":
                thread.join(timeout=5)
        with swept.app_context():
            db.engine.dispose()
