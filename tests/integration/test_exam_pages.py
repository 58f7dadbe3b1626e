"""The candidate's pages over HTTP: home by session state, starting from the form, the exam page, the result."""
import json
import re
from datetime import timedelta

import pytest

from app.attempts.sweeper import sweep_all
from app.extensions import db
from app.models import Attempt
from app.scheduling.service import schedule_session
from plugins.accounts import csrf_from, login
from plugins.exams import START, load_exam_content


def plan(title: str, *, opens, minutes: int = 120, review: str = "immediate", show_key: bool = False,
         users=("cand1",)) -> int:
    return schedule_session(blueprint_slug="five", title=title, opens_at=opens,
                            closes_at=opens + timedelta(minutes=minutes), usernames=list(users), org_code=None,
                            review=review, show_key=show_key, actor=None).id


def part(html: str, section_id: str) -> str:
    """One section of the home page, so a title is checked under the heading it belongs to."""
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def start_from_home(client, session_id: int):
    """Press start and confirm in the dialog (issue 8 §4: starting fixes the deadline, so it asks first)."""
    token = csrf_from(client.get("/exam/").get_data(as_text=True))
    return client.post(f"/exam/sessions/{session_id}/start", data={"csrf_token": token, "confirmed": "1"})


def attempt_id_of(response) -> int:
    return int(re.search(r"/exam/attempts/(\d+)$", response.headers["Location"]).group(1))


def api(client, method: str, path: str, body=None):
    token = csrf_from(client.get("/exam/").get_data(as_text=True))
    return client.open(f"/api/v1{path}", method=method, data=None if body is None else json.dumps(body),
                       headers={"X-CSRFToken": token, "Content-Type": "application/json"})


def sit_and_submit(client, session_id: int) -> int:
    """Start, answer the judge and blank items correctly (3 of 11 points), leave the rest, submit."""
    attempt_id = attempt_id_of(start_from_home(client, session_id))
    attempt = api(client, "GET", f"/attempts/{attempt_id}").get_json()
    keys = {item["type"]: item["key"] for section in attempt["sections"] for item in section["items"]}
    saved = api(client, "PUT", f"/attempts/{attempt_id}/responses",
                {"responses": {keys["judge"]: True, keys["blank"]: ["义务", "纪律"], keys["short"]: "组织党员学习"},
                 "seq": 1})
    assert saved.status_code == 200
    assert api(client, "POST", f"/attempts/{attempt_id}/submit").status_code == 200
    return attempt_id


@pytest.fixture
def cand(app, client, make_user, clock):
    make_user("cand1", role="candidate", name="张三")
    make_user("cand2", role="candidate", name="李四")
    with app.app_context():
        load_exam_content()
    login(client, "cand1")
    return client


def test_home_sorts_sessions_into_open_upcoming_and_finished(app, cand, clock):
    with app.app_context():
        open_now = plan("十二月模拟考试", opens=START)
        plan("复赛笔试", opens=START + timedelta(days=2, hours=3))
        missed = plan("十一月模拟考试", opens=START - timedelta(days=30))
        taken = plan("十二月补考", opens=START)
    sit_and_submit(cand, taken)
    html = cand.get("/exam/").get_data(as_text=True)

    opened = part(html, "open")
    assert "十二月模拟考试" in opened and "开始答题" in opened
    assert f'action="/exam/sessions/{open_now}/start"' in opened
    assert "现在开始则为 <strong>09:31</strong>" in opened, "start now + 30 minutes, Beijing time"
    upcoming = part(html, "upcoming")
    assert "复赛笔试" in upcoming and "2026-12-03 12:00" in upcoming and "还有 2 天 2 小时" in upcoming
    finished = part(html, "finished")
    assert "十二月补考" in finished and "已交卷" in finished
    assert re.search(r'class="score">3</strong> / 11 分', finished) and "简答题待评分" in finished
    assert "十一月模拟考试" in finished and "未参加" in finished
    assert f"/exam/sessions/{missed}/start" not in html


def test_upcoming_session_reloads_the_home_page_at_its_opening(app, cand, clock):
    with app.app_context():
        plan("开考在即", opens=START + timedelta(minutes=9))
    html = cand.get("/exam/").get_data(as_text=True)
    assert "还有 8 分钟" in part(html, "upcoming")
    assert 'data-reload-in="480"' in html


def test_start_asks_first_saying_the_deadline_it_fixes_and_changes_nothing(app, cand, clock):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START)
    token = csrf_from(cand.get("/exam/").get_data(as_text=True))
    asked = cand.post(f"/exam/sessions/{session_id}/start", data={"csrf_token": token})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<dialog" in html and "开始“十二月模拟考试”" in html
    assert "交卷截止 <strong>09:31</strong>" in html and "不会暂停" in html and "离开考试页面" in html
    assert 'name="confirmed" value="1"' in html and f'action="/exam/sessions/{session_id}/start"' in html
    assert "js/confirm.js" in html
    assert api(cand, "GET", "/sessions").get_json()["sessions"][0]["attempt"] is None, "nothing started yet"


def test_start_from_the_form_opens_the_exam_page_and_a_second_start_resumes(app, cand):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START)
    first = start_from_home(cand, session_id)
    assert first.status_code == 302
    attempt_id = attempt_id_of(first)
    page = cand.get(first.headers["Location"]).get_data(as_text=True)
    assert f'data-api="/api/v1/attempts/{attempt_id}"' in page and "js/exam.js" in page
    assert "交卷截止 <span id=\"deadline\">09:31:00</span>" in page
    assert attempt_id_of(start_from_home(cand, session_id)) == attempt_id
    token = csrf_from(cand.get("/exam/").get_data(as_text=True))
    resumed = cand.post(f"/exam/sessions/{session_id}/start", data={"csrf_token": token})
    assert attempt_id_of(resumed) == attempt_id, "resuming needs no confirmation: the clock is already running"
    home = part(cand.get("/exam/").get_data(as_text=True), "open")
    assert "继续作答" in home and f"/exam/attempts/{attempt_id}" in home and "09:31:00" in home


def test_start_refused_with_a_chinese_message(app, cand, clock, make_user):
    with app.app_context():
        not_mine = plan("别人的考试", opens=START, users=("cand2",))
        later = plan("明天的考试", opens=START + timedelta(days=1))
    for session_id, message in ((not_mine, "您不在本场考生名单中"), (later, "考试尚未开始")):
        response = start_from_home(cand, session_id)
        assert response.status_code == 302 and response.headers["Location"].endswith("/exam/")
        assert message in cand.get("/exam/").get_data(as_text=True)


def test_start_without_the_csrf_token_is_refused(app, cand):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START)
    assert cand.post(f"/exam/sessions/{session_id}/start").status_code == 400


def test_exam_page_is_the_owners_alone(app, client, cand):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START, users=("cand1", "cand2"))
    attempt_id = attempt_id_of(start_from_home(cand, session_id))
    assert cand.get(f"/exam/attempts/{attempt_id}").status_code == 200
    cand.post("/logout", data={"csrf_token": csrf_from(cand.get("/exam/").get_data(as_text=True))})
    login(client, "cand2")
    assert client.get(f"/exam/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/exam/attempts/{attempt_id}/result").status_code == 404


def test_exam_page_of_a_finished_attempt_goes_to_the_result(app, cand):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START)
    attempt_id = sit_and_submit(cand, session_id)
    response = cand.get(f"/exam/attempts/{attempt_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/exam/attempts/{attempt_id}/result")


def test_time_running_out_while_away_closes_the_attempt_at_its_deadline(app, cand, clock):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START)
    attempt_id = attempt_id_of(start_from_home(cand, session_id))
    assert cand.get(f"/exam/attempts/{attempt_id}/result").headers["Location"].endswith(f"/exam/attempts/{attempt_id}")
    clock.advance(minutes=45)
    opened = part(cand.get("/exam/").get_data(as_text=True), "open")
    assert "时间已到" in opened, "listed as over, though only a write closes it"
    assert cand.get(f"/exam/attempts/{attempt_id}").status_code == 200, "the page submits by itself at zero"
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "in_progress", "no GET changes state (issue 8 §8)"
        sweep_all(clock.now)
    finished = part(cand.get("/exam/").get_data(as_text=True), "finished")
    assert "十二月模拟考试" in finished and "到时收卷" in finished
    result = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "到时收卷" in result and "收卷时间" in result and "2026-12-01 09:31:00" in result


def test_result_with_key_shows_scores_answers_key_and_explanations_once_the_session_ends(app, cand, clock):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START, show_key=True, review="after_close")
    attempt_id = sit_and_submit(cand, session_id)
    clock.now = START + timedelta(minutes=120, seconds=31)   # closes at 11:00, plus the 30 s grace
    html = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert re.search(r'class="score">3</strong> / 11 分', html)
    assert re.search(r"三、判断</td>\s*<td class=\"num\">1</td>", html)
    assert re.search(r"四、填空</td>\s*<td class=\"num\">2</td>", html)
    assert "五、简答</td>" in html and "0（1 题待评分）" in html
    assert "支部工作条例第五条" in html and "党章第一章第七条" in html, "explanations"
    assert "（1）义务 / 党员义务；（2）纪律" in html, "the blank's key with its variants"
    assert "（1）义务；（2）纪律" in html, "the candidate's own blanks"
    assert "宣传和执行党的路线方针政策" in html, "the short item's reference answer"
    assert '<span class="mark pending">待评分</span>' in html
    assert html.count("未作答") == 2, "single and multiple were left blank"


def test_result_immediately_without_key_shows_the_score_alone(app, cand):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START, show_key=False)
    attempt_id = sit_and_submit(cand, session_id)
    html = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert re.search(r'class="score">3</strong> / 11 分', html) and "本场考试不公布答案与解析" in html
    for hidden in ("支部工作条例第五条", "党员义务", "宣传和执行党的路线方针政策", "正确答案"):
        assert hidden not in html


def test_result_after_close_waits_for_the_session_to_close(app, cand, clock):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START, review="after_close")
    attempt_id = sit_and_submit(cand, session_id)
    before = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "成绩将在考试结束（2026-12-01 11:00）后公布" in before
    assert 'class="score"' not in before and "支部工作条例第五条" not in before
    assert "考试结束（2026-12-01 11:00）后公布" in part(cand.get("/exam/").get_data(as_text=True), "finished")
    clock.advance(hours=2)
    after = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert re.search(r'class="score">3</strong> / 11 分', after) and "支部工作条例第五条" not in after, "no key asked"
    assert re.search(r'class="score">3</strong> / 11 分', part(cand.get("/exam/").get_data(as_text=True), "finished"))


def test_result_never_published(app, cand, clock):
    with app.app_context():
        session_id = plan("十二月模拟考试", opens=START, review="never")
    attempt_id = sit_and_submit(cand, session_id)
    clock.advance(days=1)
    html = cand.get(f"/exam/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "本场考试的成绩不向考生公布" in html and 'class="score"' not in html and "党员义务" not in html
    assert "不向考生公布成绩" in part(cand.get("/exam/").get_data(as_text=True), "finished")


def test_judges_see_their_own_home(client, make_user):
    make_user("judge1", role="judge", name="评委甲")
    login(client, "judge1")
    html = client.get("/exam/").get_data(as_text=True)
    assert "评分任务" in html and "开始答题" not in html
    assert client.get("/exam/attempts/1").status_code == 403
