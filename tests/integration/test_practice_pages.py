"""Practice pages over HTTP, the way a cadre's phone reaches them without JavaScript: the home page, a drill
answered by plain form posts, the wrong-question book, progress and mock papers."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Drill, PracticeAnswer
from app.scheduling.service import schedule_session
from plugins.accounts import csrf_from, login
from plugins.exams import START, load_exam_content
from plugins.practice import (
    EXPLANATIONS,
    OBJECTIVE,
    PER_ATTEMPT,
    answer_by_form,
    answers_kept,
    book_of,
    drill_state,
    post,
    revision_at,
    right,
    start,
    wrong,
)

# -- who may see what ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/practice/", "/practice/book", "/practice/progress", "/practice/drills/1"])
def test_practice_pages_are_for_candidates(app, client, make_user, organiser, path):
    assert client.get(path).status_code == 302 and "/login" in client.get(path).location
    make_user("judge1", role="judge")
    for username in ("organiser1", "judge1"):
        someone = app.test_client()
        login(someone, username)
        assert someone.get(path).status_code == 403


def test_nav_shows_practice_to_candidates_only(app, cadre_client, organiser):
    assert 'href="/practice/">练兵</a>' in cadre_client.get("/exam/").get_data(as_text=True)
    organiser_client = app.test_client()
    login(organiser_client, "organiser1")
    html = organiser_client.get("/admin/").get_data(as_text=True)
    assert ">练兵</a>" not in html and 'href="/admin/reports/practice">练兵通报</a>' in html


def test_someone_elses_drill_is_not_found(app, client, cadre):
    other = app.test_client()
    login(other, "other")
    theirs = start(other)
    revision = revision_at(app, theirs)
    login(client, "cadre")
    assert client.get(f"/practice/drills/{theirs}").status_code == 404
    assert answer_by_form(client, theirs, revision, right(revision)).status_code == 404
    assert answers_kept(app) == 0


# -- the home page and starting drills ---------------------------------------------------------------------------

def test_home_offers_the_daily_set_a_drill_and_the_book(cadre_client):
    html = cadre_client.get("/practice/").get_data(as_text=True)
    assert "每日一练" in html and "开始每日一练" in html
    assert re.search(r'id="streak"><strong>0</strong>', html)
    for mode in ("没做过的题", "我最薄弱的类别", "错题本", "按条件练习"):
        assert mode in html
    assert "继续上次练习" not in html and "现在没有安排给您的模拟考试" in html


def test_the_daily_set_is_started_resumed_and_shown_done(app, cadre_client):
    reply = post(cadre_client, "/practice/daily", {})
    drill_id = int(reply.location.rsplit("/", 1)[1])
    assert int(post(cadre_client, "/practice/daily", {}).location.rsplit("/", 1)[1]) == drill_id
    total = len(drill_state(app, drill_id).question_ids)
    assert total == 3, "DAILY_MIX asks 3 party_affairs questions; the other categories have none here"
    revision = revision_at(app, drill_id)
    answer_by_form(cadre_client, drill_id, revision, right(revision))
    html = cadre_client.get("/practice/").get_data(as_text=True)
    assert re.search(rf"已做 <strong>1</strong> / {total} 题", html) and "继续每日一练" in html
    assert re.search(r'id="streak"><strong>1</strong>', html)
    while drill_state(app, drill_id).position < total:
        revision = revision_at(app, drill_id)
        answer_by_form(cadre_client, drill_id, revision, right(revision))
    assert "今天已完成" in cadre_client.get("/practice/").get_data(as_text=True)
    assert f"答对 <strong>{total}</strong> / {total} 题" in cadre_client.get(f"/practice/drills/{drill_id}").get_data(
        as_text=True)


def test_a_drill_follows_the_filters(app, cadre_client):
    judge_only = start(cadre_client, types="judge", scope="category:party_affairs", low="1", high="5")
    assert len(drill_state(app, judge_only).question_ids) == 1
    assert revision_at(app, judge_only).type == "judge"
    easy = start(cadre_client, low="2", high="2", tag="支部工作条例")
    assert [revision_at(app, easy).stem] == ["有正式党员（ ）人以上的，应当成立党支部。"]
    everything = start(cadre_client, scope="bank:party-affairs", count="50")
    assert len(drill_state(app, everything).question_ids) == OBJECTIVE


@pytest.mark.parametrize("fields, message", [
    ({"mode": "guess"}, "练习设置有误"),
    ({"count": "500"}, "练习设置有误"),
    ({"low": "9"}, "练习设置有误"),
    ({"types": "short"}, "练习设置有误"),
    ({"scope": "bank:no-such-bank"}, "没有符合条件的题目"),
    ({"mode": "book"}, "没有符合条件的题目"),
])
def test_a_drill_nobody_can_answer_is_refused_with_a_reason(app, cadre_client, fields, message):
    reply = post(cadre_client, "/practice/drills", {"mode": "filtered", **fields})
    assert reply.status_code == 302 and "/practice/drills/" not in reply.location
    assert message in cadre_client.get(reply.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Drill)) == 0


def test_unseen_questions_run_out_once_all_are_answered(app, cadre_client):
    drill_id = start(cadre_client, mode="unseen", count="2")
    for _ in range(2):
        revision = revision_at(app, drill_id)
        answer_by_form(cadre_client, drill_id, revision, right(revision))
    rest = start(cadre_client, mode="unseen", count="10")
    assert len(drill_state(app, rest).question_ids) == OBJECTIVE - 2


# -- one drill, by plain forms ---------------------------------------------------------------------------------

def test_the_key_reaches_the_page_only_after_the_answer(app, cadre_client):
    drill_id = start(cadre_client, count="10")
    for position in range(OBJECTIVE):
        revision = revision_at(app, drill_id, position)
        html = cadre_client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
        assert f'name="question_id" value="{revision.question_id}"' in html
        assert not any(text in html for text in EXPLANATIONS)
        assert "正确答案" not in html and "纪律" not in html and "correct" not in html and "verdict ok" not in html
        after = answer_by_form(cadre_client, drill_id, revision, right(revision)).get_data(as_text=True)
        assert "✓ 回答正确" in after and "正确答案" in after and revision.explanation.rstrip("。") in after
        assert ("下一题" if position < OBJECTIVE - 1 else "查看本次结果") in after


def test_a_wrong_answer_marks_the_choice_and_goes_in_the_book(app, cadre_client):
    drill_id = start(cadre_client, types="single")
    revision = revision_at(app, drill_id)
    html = answer_by_form(cadre_client, drill_id, revision, "D").get_data(as_text=True)
    assert "✗ 回答错误" in html
    assert re.search(r'class="choice correct">\s*<input type="radio" name="response" value="A"', html)
    assert re.search(r'class="choice wrong">\s*<input type="radio" name="response" value="D" checked', html)
    assert "<dd>D</dd>" in html and '<dd class="answer-text">A</dd>' in html
    assert [entry.misses for entry in book_of(app, "cadre")] == [1]


def test_a_resent_answer_shows_the_first_verdict_and_changes_nothing(app, cadre_client):
    drill_id = start(cadre_client, types="judge")
    revision = revision_at(app, drill_id)
    answer_by_form(cadre_client, drill_id, revision, wrong(revision))
    again = answer_by_form(cadre_client, drill_id, revision, right(revision))
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "这道题已经答过了" in html and "✗ 回答错误" in html
    assert answers_kept(app) == 1 and book_of(app, "cadre")[0].misses == 1


def test_an_empty_answer_is_asked_again(app, cadre_client):
    drill_id = start(cadre_client, types="blank")
    revision = revision_at(app, drill_id)
    reply = answer_by_form(cadre_client, drill_id, revision, ["", " "])
    assert reply.status_code == 422 and "请先作答。" in reply.get_data(as_text=True)
    reply = answer_by_form(cadre_client, drill_id, revision_at(app, start(cadre_client, types="multiple")), [])
    assert reply.status_code == 302   # a question from another drill: sent back to this drill's page
    assert answers_kept(app) == 0 and drill_state(app, drill_id).position == 0


def test_leaving_and_coming_back_continues_where_one_was(app, cadre_client):
    drill_id = start(cadre_client, count="10")
    for _ in range(2):
        revision = revision_at(app, drill_id)
        answer_by_form(cadre_client, drill_id, revision, right(revision))
    home = cadre_client.get("/practice/").get_data(as_text=True)
    assert "继续上次练习" in home and re.search(rf"已做 <strong>2</strong> / {OBJECTIVE} 题", home)
    assert f'href="/practice/drills/{drill_id}"' in home
    page = cadre_client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
    assert f"第 3 / {OBJECTIVE} 题" in page
    assert f'value="{revision_at(app, drill_id, 2).question_id}"' in page


def test_the_end_of_a_drill_sums_up(app, cadre_client):
    drill_id = start(cadre_client, count="10")
    for position in range(OBJECTIVE):
        revision = revision_at(app, drill_id)
        answer_by_form(cadre_client, drill_id, revision, wrong(revision) if position == 0 else right(revision))
    html = cadre_client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
    assert f"答对 <strong>{OBJECTIVE - 1}</strong> / {OBJECTIVE} 题" in html and "去错题本" in html
    assert html.count('class="mark ok"') == OBJECTIVE - 1 and html.count('class="mark bad"') == 1
    assert "继续上次练习" not in cadre_client.get("/practice/").get_data(as_text=True)


# -- the book --------------------------------------------------------------------------------------------------

def test_the_book_fills_on_a_miss_and_empties_after_enough_right_answers(app, cadre_client):
    assert "错题本是空的" in cadre_client.get("/practice/book").get_data(as_text=True)
    drill_id = start(cadre_client, types="judge")
    revision = revision_at(app, drill_id)
    answer_by_form(cadre_client, drill_id, revision, wrong(revision))
    html = cadre_client.get("/practice/book").get_data(as_text=True)
    assert 'id="book-size">1<' in html and revision.stem in html and "<strong>1</strong> 次" in html
    assert "2026-12-01 09:01" in html, "when it was missed, in Beijing time"
    for _ in range(app.config["BOOK_LEAVE_AFTER"]):
        assert 'id="book-size">1<' in cadre_client.get("/practice/book").get_data(as_text=True)
        reply = post(cadre_client, "/practice/drills", {"mode": "book", "count": "20"}, page="/practice/book")
        book_drill = int(reply.location.rsplit("/", 1)[1])
        answer_by_form(cadre_client, book_drill, revision, right(revision))
    assert "错题本是空的" in cadre_client.get("/practice/book").get_data(as_text=True)


def test_a_question_is_removed_from_the_book_by_hand_with_a_token(app, cadre_client):
    drill_id = start(cadre_client, types="single")
    revision = revision_at(app, drill_id)
    answer_by_form(cadre_client, drill_id, revision, "C")
    refused = cadre_client.post(f"/practice/book/{revision.question_id}/remove")
    assert refused.status_code == 400 and len(book_of(app, "cadre")) == 1
    reply = post(cadre_client, f"/practice/book/{revision.question_id}/remove", {}, page="/practice/book")
    assert reply.status_code == 302 and book_of(app, "cadre") == []
    html = cadre_client.get(reply.location).get_data(as_text=True)
    assert "已将这道题移出错题本" in html and "错题本是空的" in html


# -- progress --------------------------------------------------------------------------------------------------

def test_progress_shows_accuracy_by_category_and_tag_coverage_and_streak(app, cadre_client, clock):
    drill_id = start(cadre_client, count="10")
    for position in range(OBJECTIVE):
        revision = revision_at(app, drill_id)
        answer_by_form(cadre_client, drill_id, revision, wrong(revision) if position == 0 else right(revision))
    clock.advance(days=1)
    judge = start(cadre_client, types="judge")
    revision = revision_at(app, judge)
    answer_by_form(cadre_client, judge, revision, right(revision))
    html = cadre_client.get("/practice/progress").get_data(as_text=True)
    assert re.search(r'id="streak"><strong>2</strong>', html)
    assert re.search(r"<td>党务业务</td><td class=\"num\">5</td><td class=\"num\">4</td>\s*<td class=\"num\">80%</td>",
                     html)
    chart = re.search(r'id="chart-party_affairs">.*?</svg>', html, re.S).group(0)
    assert "<polyline" not in chart and chart.count("<circle") == 1, "one week with answers: one point"
    assert "80%" in chart and "5题" in chart
    assert re.search(r"<td>支部工作条例</td><td class=\"num\">1</td>", html)
    assert "4 / 4" in html, "every objective question of the bank answered once"


def test_progress_before_any_practice(cadre_client):
    html = cadre_client.get("/practice/progress").get_data(as_text=True)
    assert "还没有练习记录" in html and "0 / 4" in html


# -- mock papers -----------------------------------------------------------------------------------------------

@pytest.fixture
def mock_paper(app, cadre):
    with app.app_context():
        load_exam_content(blueprint=PER_ATTEMPT)
        return schedule_session(blueprint_slug="five-mock", title="第一次模拟考试", opens_at=START,
                                closes_at=START + timedelta(days=30), usernames=["cadre"], org_code=None,
                                review="never", show_key=False, actor=None, mock=True, max_attempts=2).id


def test_a_mock_is_started_from_practice_sat_again_and_feeds_the_book(app, cadre_client, mock_paper):
    home = cadre_client.get("/practice/").get_data(as_text=True)
    assert "第一次模拟考试" in home and "已用 <strong>0</strong> / 2 次" in home and "开始模拟考试" in home
    for number in (1, 2):
        asked = post(cadre_client, f"/practice/mocks/{mock_paper}/start", {})
        dialog = asked.get_data(as_text=True)
        assert asked.status_code == 200 and "<dialog" in dialog and f"这是第 {number} 次（共 2 次）" in dialog
        assert "交卷截止 <strong>" in dialog and "交卷后立即可以看到得分、答案和解析" in dialog
        reply = post(cadre_client, f"/practice/mocks/{mock_paper}/start", {"confirmed": "1"})
        assert re.search(r"/exam/attempts/\d+$", reply.location)
        attempt_id = int(reply.location.rsplit("/", 1)[1])
        home = cadre_client.get("/practice/").get_data(as_text=True)
        assert "继续作答" in home and f'href="/exam/attempts/{attempt_id}"' in home
        token = csrf_from(home)
        submitted = cadre_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token})
        assert submitted.status_code == 200
        home = cadre_client.get("/practice/").get_data(as_text=True)
        assert f"已用 <strong>{number}</strong> / 2 次" in home and "0 / 11 分" in home
        assert f'href="/exam/attempts/{attempt_id}/result"' in home
    assert "再考一次" not in home and "作答次数已用完" in home
    spent = post(cadre_client, f"/practice/mocks/{mock_paper}/start", {})
    assert spent.location.endswith(f"/exam/attempts/{attempt_id}/result")
    assert len(book_of(app, "cadre")) == OBJECTIVE, "unanswered objective items of both mocks are in the book"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PracticeAnswer)) == 2 * OBJECTIVE


def test_a_mock_that_is_not_open_cannot_be_started(app, cadre_client, mock_paper, clock):
    clock.advance(days=31)
    assert "已结束" in cadre_client.get("/practice/").get_data(as_text=True)
    reply = post(cadre_client, f"/practice/mocks/{mock_paper}/start", {})
    assert reply.location.endswith("/practice/")
    assert "考试已经结束" in cadre_client.get("/practice/").get_data(as_text=True)


def test_a_real_exam_cannot_be_started_from_practice(app, cadre_client):
    from plugins.exams import schedule
    with app.app_context():
        session_id = schedule(["cadre"])
    assert post(cadre_client, f"/practice/mocks/{session_id}/start", {}).status_code == 404
    assert "测试场次" not in cadre_client.get("/practice/").get_data(as_text=True)
