"""Judges scoring short answers, and organisers correcting an answer key, over HTTP as they do it."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.attempts.service import mark_pending, start_attempt, submit_attempt
from app.extensions import db
from app.models import (
    Attempt,
    AttemptEvent,
    AuditEvent,
    ExamSession,
    PaperItem,
    QuestionRevision,
    Response,
    User,
)
from plugins.accounts import csrf_from, login
from plugins.exams import BLUEPRINT, START, load_exam_content, schedule, sit

RIGHT = {"single": "A", "multiple": ["A", "B", "C"], "judge": True, "blank": ["义务", "纪律"]}
SHORT = "宣传和执行党的路线方针政策，组织党员认真学习。"


@pytest.fixture
def judge(make_user):
    return make_user("judge1", role="judge", name="评委甲")


@pytest.fixture
def sat(app, exam):
    """Three submitted attempts, each with a short answer waiting for a judge; usernames renamed to real names."""
    with app.app_context():
        for username, name in (("cand1", "王小明"), ("cand2", "李小红"), ("cand3", "赵小刚")):
            db.session.scalar(select(User).where(User.username == username)).name = name
        db.session.commit()
        ids = [sit("cand1", exam, {**RIGHT, "short": SHORT}),
               sit("cand2", exam, {"single": "B", "short": "不知道"}),
               sit("cand3", exam, {"single": "A", "judge": False})]
    return exam, ids


def short_response_id(app, attempt_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Response.id).join(PaperItem).where(
            Response.attempt_id == attempt_id, PaperItem.points == 5))


def attempt_state(app, attempt_id: int) -> tuple:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return attempt.score, attempt.fully_marked


def mark(client, response_id: int, score: str):
    url = f"/marking/responses/{response_id}"
    return client.post(url, data={"score": score, "csrf_token": csrf_from(client.get(url).get_data(as_text=True))})


def events(app, kind: str) -> list[AttemptEvent]:
    with app.app_context():
        found = list(db.session.scalars(
            select(AttemptEvent).where(AttemptEvent.kind == kind).order_by(AttemptEvent.id)))
        for event in found:
            event.actor  # noqa: B018  (loaded before the session closes)
        db.session.expunge_all()
        return found


# -- who marks -----------------------------------------------------------------------------------------------------

def test_judges_and_organisers_reach_marking_candidates_do_not(app, client, judge, organiser, sat):
    exam_id, ids = sat
    urls = ["/marking/", f"/marking/sessions/{exam_id}", f"/marking/responses/{short_response_id(app, ids[0])}"]
    for username, status in (("judge1", 200), ("organiser1", 200), ("cand1", 403)):
        login(client, username)
        for url in urls:
            assert client.get(url).status_code == status, (username, url)
        home = client.get("/", follow_redirects=True).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(home)})


def test_judges_nav_links_to_marking(client, judge):
    login(client, "judge1")
    assert 'href="/marking/">阅卷</a>' in client.get("/exam/").get_data(as_text=True)


def test_marking_lists_sessions_with_waiting_short_answers_of_finished_attempts_only(app, client, judge, exam):
    login(client, "judge1")
    assert "目前没有待评的简答题" in client.get("/marking/").get_data(as_text=True)
    with app.app_context():
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        start_attempt(exam, cand1, START + timedelta(minutes=2))
        sit("cand2", exam, {"short": SHORT})
    html = client.get("/marking/").get_data(as_text=True)
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "测试场次" in row and re.findall(r'<td class="num">(?:<strong>)?(\d+)', row) == ["0", "1"]
    assert f'href="/marking/sessions/{exam}/next">开始评分</a>' in row


# -- scoring -------------------------------------------------------------------------------------------------------

def test_response_page_is_anonymous_and_shows_question_reference_and_rubric(app, client, judge, sat):
    exam_id, ids = sat
    login(client, "judge1")
    html = client.get(f"/marking/responses/{short_response_id(app, ids[0])}").get_data(as_text=True)
    assert SHORT in html and "简述党支部的基本任务" in html
    assert "宣传和执行党的路线方针政策……" in html and "组织党员学习" in html and "<td class=\"num\">3</td>" in html
    assert f"答卷 #{ids[0]}" in html
    assert 'type="number"' in html and 'max="5.0"' in html and 'step="0.5"' in html
    for secret in ("cand1", "王小明"):
        assert secret not in html
    listing = client.get(f"/marking/sessions/{exam_id}").get_data(as_text=True)
    for secret in ("cand1", "cand2", "cand3", "王小明", "李小红", "赵小刚"):
        assert secret not in listing


def test_candidate_answer_is_shown_as_text_never_as_markup(app, client, judge, exam):
    with app.app_context():
        attempt_id = sit("cand1", exam, {"short": "<script>alert(1)</script>**粗体**"})
    login(client, "judge1")
    html = client.get(f"/marking/responses/{short_response_id(app, attempt_id)}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;**粗体**" in html and "<script>alert" not in html


def test_start_goes_to_the_first_waiting_answer(app, client, judge, sat):
    exam_id, ids = sat
    login(client, "judge1")
    response = client.get(f"/marking/sessions/{exam_id}/next")
    assert response.headers["Location"] == f"/marking/responses/{short_response_id(app, ids[0])}"


@pytest.mark.parametrize("score, message", [
    ("6", "分数应在 0 到 5 分之间。"),
    ("-1", "分数应在 0 到 5 分之间。"),
    ("2.3", "分数以 0.5 分为单位。"),
    ("很好", "请输入分数，如 3 或 3.5。"),
    ("", "请输入分数，如 3 或 3.5。"),
])
def test_a_score_out_of_range_is_refused_and_changes_nothing(app, client, judge, sat, score, message):
    _, ids = sat
    login(client, "judge1")
    response = mark(client, short_response_id(app, ids[0]), score)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert attempt_state(app, ids[0]) == (6, False)
    assert events(app, "mark") == []


def test_marking_sets_the_score_records_it_and_moves_to_the_next(app, client, judge, sat):
    exam_id, ids = sat
    login(client, "judge1")
    first = short_response_id(app, ids[0])
    response = mark(client, first, "4.5")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/marking/responses/{short_response_id(app, ids[1])}"
    assert attempt_state(app, ids[0]) == (10.5, True), "all items marked: the total is final"
    with app.app_context():
        row = db.session.get(Response, first)
        assert row.score == 4.5 and row.marked_by.username == "judge1" and row.marked_at == START + timedelta(minutes=1)
    [event] = events(app, "mark")
    assert event.attempt_id == ids[0] and event.actor.username == "judge1"
    assert event.details["old"] is None and event.details["new"] == 4.5
    assert event.details["question"] == "party-affairs/PA-0005@1"


def test_the_last_answer_returns_to_the_session_and_every_total_is_final(app, client, judge, sat):
    exam_id, ids = sat
    login(client, "judge1")
    for attempt_id, score in zip(ids, ("5", "0", "1"), strict=True):
        response = mark(client, short_response_id(app, attempt_id), score)
    assert response.headers["Location"] == f"/marking/sessions/{exam_id}"
    assert "本场简答题已全部评完。" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert [attempt_state(app, a) for a in ids] == [(11, True), (0, True), (2, True)]
    assert "已评完" in client.get("/marking/").get_data(as_text=True)


def test_a_changed_score_is_a_new_event_and_the_old_one_stays(app, client, judge, organiser, sat):
    _, ids = sat
    target = short_response_id(app, ids[0])
    login(client, "judge1")
    mark(client, target, "4")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/marking/").get_data(as_text=True))})
    login(client, "organiser1")
    mark(client, target, "3.5")
    assert [(e.details["old"], e.details["new"], e.actor.username) for e in events(app, "mark")] == [
        (None, 4, "judge1"), (4, 3.5, "organiser1")]
    assert attempt_state(app, ids[0]) == (9.5, True)
    html = client.get(f"/marking/responses/{target}").get_data(as_text=True)
    assert re.search(r"评委甲：\s+未评 → 4", html) and re.search(r"组织者甲：\s+4 → 3.5", html)
    assert 'value="3.5"' in html


def test_an_attempt_in_progress_cannot_be_marked(app, client, judge, exam):
    with app.app_context():
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        attempt_id = start_attempt(exam, cand1, START + timedelta(minutes=2)).id
    login(client, "judge1")
    assert client.get(f"/marking/responses/{short_response_id(app, attempt_id)}").status_code == 404


def test_objective_items_are_not_for_judges(app, client, judge, sat):
    _, ids = sat
    with app.app_context():
        objective = db.session.scalar(select(Response.id).join(PaperItem).where(
            Response.attempt_id == ids[0], PaperItem.points == 1).limit(1))
    login(client, "judge1")
    assert client.get(f"/marking/responses/{objective}").status_code == 404


# -- answer-key correction and re-mark -----------------------------------------------------------------------------

def revision_of(app, exam_id: int, type_: str) -> int:
    with app.app_context():
        session = db.session.get(ExamSession, exam_id)
        return next(item.revision_id for item in session.paper.items if item.revision.type == type_)


def correct(client, exam_id: int, revision_id: int, key: str, reason: str = "", *, explanation: str | None = None,
            confirmed: bool = True):
    """The correction form as an organiser sends it, confirmed in its dialog (issue 8 §4) unless told not to."""
    page = client.get(f"/admin/sessions/{exam_id}/results").get_data(as_text=True)
    data = {"key": key, "reason": reason, "csrf_token": csrf_from(page),
            "explanation": f"依据原文，本题答案应为 {key}。" if explanation is None else explanation}
    return client.post(f"/admin/sessions/{exam_id}/keys/{revision_id}",
                       data=data | ({"confirmed": "1"} if confirmed else {}))


def totals(app, ids: list[int]) -> list[float]:
    with app.app_context():
        return [db.session.get(Attempt, a).score for a in ids]


def test_correcting_a_key_remarks_every_finished_attempt_and_records_it(app, organiser_client, sat):
    exam_id, ids = sat
    single = revision_of(app, exam_id, "single")
    assert totals(app, ids) == [6, 0, 1]
    response = correct(organiser_client, exam_id, single, "b", "题库答案有误，依据条例第五条更正")
    assert response.status_code == 302 and response.headers["Location"].endswith("/results#corrections")
    assert totals(app, ids) == [5, 1, 0]
    with app.app_context():
        session = db.session.get(ExamSession, exam_id)
        item = next(i for i in session.paper.items if i.revision_id == single)
        assert item.answer_override == "B" and item.revision.answer == "A", "the bank's revision is untouched"
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert audit.actor.username == "organiser1" and audit.subject == f"session:{exam_id}"
        assert audit.details["old_key"] == "A" and audit.details["new_key"] == "B"
        assert audit.details["question"] == "party-affairs/PA-0001@1" and audit.details["remarked"] == 3
        assert [(m["username"], m["old"], m["new"]) for m in audit.details["moved"]] == [
            ("cand1", 6, 5), ("cand2", 0, 1), ("cand3", 1, 0)]
    remarks = events(app, "remark")
    assert [(e.attempt_id, e.details["item_old"], e.details["item_new"]) for e in remarks] == [
        (ids[0], 1, 0), (ids[1], 0, 1), (ids[2], 1, 0)]
    assert all(e.actor.username == "organiser1" for e in remarks)

    html = organiser_client.get(f"/admin/sessions/{exam_id}/results").get_data(as_text=True)
    assert "已更正 party-affairs/PA-0001@1 的答案并重新评分 3 份答卷，其中 3 份成绩变动。" in html
    history = html.split('id="corrections"')[1]
    assert "原答案 <span class=\"diff-del\">A</span> → 新答案 <span class=\"diff-add\">B</span>" in history
    assert "组织者甲" in history and "题库答案有误" in history
    assert "王小明（cand1）</td><td class=\"num\">6</td><td class=\"num\">5</td>" in history
    assert "答案已更正" in html and "<strong>现行答案：</strong>B" in html


def test_a_correction_first_shows_what_it_will_move_and_changes_nothing(app, organiser_client, sat):
    exam_id, ids = sat
    single = revision_of(app, exam_id, "single")
    asked = correct(organiser_client, exam_id, single, "B", "题库答案有误", confirmed=False)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<dialog" in html and "更正 party-affairs/PA-0001@1 的答案" in html
    assert '<span class="diff-del">A</span> → <span class="diff-add">B</span>' in html
    assert "<strong>3</strong> 份答卷将按新答案重新评分，其中 <strong>3</strong> 份成绩会变动" in html
    assert "王小明（cand1）6 → 5 分" in html and "李小红（cand2）0 → 1 分" in html
    for name, value in (("key", "B"), ("reason", "题库答案有误"), ("confirmed", "1")):
        assert f'name="{name}" value="{value}"' in html
    assert totals(app, ids) == [6, 0, 1]
    with app.app_context():
        assert not db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert db.session.scalar(select(func.count()).select_from(PaperItem).where(
            PaperItem.answer_override.is_not(None) | PaperItem.explanation_override.is_not(None))) == 0
    assert events(app, "remark") == []


@pytest.mark.parametrize("explanation, message", [
    ("", "请写明与新答案一致的解析。"),
    ("支部工作条例第五条。", "答案更正后，解析也须随之更正"),    # the bank's explanation, unchanged
])
def test_a_correction_must_bring_its_explanation(app, organiser_client, sat, explanation, message):
    exam_id, ids = sat
    response = correct(organiser_client, exam_id, revision_of(app, exam_id, "single"), "B", explanation=explanation)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert totals(app, ids) == [6, 0, 1]


def test_candidates_see_the_corrected_key_the_old_one_and_the_new_explanation(app, organiser_client, client, sat,
                                                                             clock):
    exam_id, ids = sat
    with app.app_context():
        db.session.get(ExamSession, exam_id).show_key = True
        db.session.commit()
    correct(organiser_client, exam_id, revision_of(app, exam_id, "single"), "B", explanation="依据条例，答案是五人。")
    with app.app_context():
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert audit.details["old_explanation"] == "支部工作条例第五条。"
        assert audit.details["new_explanation"] == "依据条例，答案是五人。"
    admin_page = organiser_client.get("/admin/").get_data(as_text=True)
    organiser_client.post("/logout", data={"csrf_token": csrf_from(admin_page)})
    login(client, "cand2")
    clock.now = START + timedelta(hours=3)      # the session (09:00–11:00) has ended for everyone
    html = client.get(f"/exam/attempts/{ids[1]}/result").get_data(as_text=True)
    article = html[html.index('class="review-item"'):]
    article = article[:article.index("</article>")]
    assert "本题答案已更正" in article and "依据条例，答案是五人。" in article
    assert "支部工作条例第五条" not in article, "the wrong key's explanation is no longer shown"
    letters = re.search(r"原答案 ([A-D])，更正为 ([A-D])", article)
    assert letters and letters.group(1) != letters.group(2), "old and new key, in the letters this candidate saw"


def test_a_correction_reaches_attempts_submitted_later(app, organiser_client, exam):
    with app.app_context():
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        attempt_id = start_attempt(exam, cand1, START + timedelta(minutes=2)).id
    correct(organiser_client, exam, revision_of(app, exam, "multiple"), "A B")
    with app.app_context():
        sit("cand2", exam, {"multiple": ["A", "B"]})
        submit_attempt(attempt_id, db.session.scalar(select(User).where(User.username == "cand1")),
                       START + timedelta(minutes=3))
        mark_pending(START + timedelta(minutes=3), [attempt_id])
        later = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        assert later.score == 2, "marked by the corrected key [A, B]"
        assert db.session.get(Attempt, attempt_id).score == 0


@pytest.mark.parametrize("type_, key, message", [
    ("single", "Z", "单选题答案应是 A/B/C/D 中的一个字母"),
    ("single", "", "请填写更正后的答案。"),
    ("single", "A", "新答案与现行答案相同，无需更正。"),
    ("multiple", "A", "多选题答案应是至少两个选项字母"),
    ("multiple", "AE", "多选题答案应是至少两个选项字母"),
    ("judge", "也许", "判断题答案应是 正确 或 错误"),
    ("blank", "义务", "填空题答案应有 2 个空，每空至少一个可接受的写法"),
])
def test_a_bad_key_is_refused_and_nothing_changes(app, organiser_client, sat, type_, key, message):
    exam_id, ids = sat
    response = correct(organiser_client, exam_id, revision_of(app, exam_id, type_), key)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "<details class=\"correct-key\" open>" in html
    assert totals(app, ids) == [6, 0, 1]
    with app.app_context():
        assert not db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert not db.session.scalar(
            select(func.count()).select_from(PaperItem).where(PaperItem.answer_override.is_not(None)))
    assert events(app, "remark") == []


def test_judge_and_blank_keys_in_the_forms_organisers_type(app, organiser_client, sat):
    exam_id, ids = sat
    correct(organiser_client, exam_id, revision_of(app, exam_id, "judge"), "错误")
    assert totals(app, ids) == [5, 0, 2]
    correct(organiser_client, exam_id, revision_of(app, exam_id, "blank"), "义务｜责任\n纪律 | 规矩")
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.remark")
                                   .order_by(AuditEvent.id)).all()
        assert audit[1].details["new_key"] == [["义务", "责任"], ["纪律", "规矩"]]
        assert audit[1].details["moved"] == [], "nobody's blank answer changes its mark"
    html = organiser_client.get(f"/admin/sessions/{exam_id}/results").get_data(as_text=True)
    assert "（1）义务 / 责任；（2）纪律 / 规矩" in html and "成绩变动 0 份。" in html


def test_correcting_back_to_the_banks_key_clears_the_override(app, organiser_client, sat):
    exam_id, ids = sat
    single = revision_of(app, exam_id, "single")
    correct(organiser_client, exam_id, single, "B")
    correct(organiser_client, exam_id, single, "A")
    assert totals(app, ids) == [6, 0, 1]
    with app.app_context():
        assert db.session.scalar(select(PaperItem.answer_override).where(PaperItem.revision_id == single)) is None
    results = organiser_client.get(f"/admin/sessions/{exam_id}/results").get_data(as_text=True)
    history = results.split('id="corrections"')[1]
    assert history.count('class="card correction"') == 2


PER_ATTEMPT = BLUEPRINT.replace("paper: five", "paper: mock").replace("draw: per_session", "draw: per_attempt")


def test_per_attempt_papers_are_each_corrected(app, client, make_user, organiser):
    for name in ("m1", "m2"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(PER_ATTEMPT)
        exam_id = schedule(["m1", "m2"], paper="mock")
        ids = [sit("m1", exam_id, RIGHT), sit("m2", exam_id, RIGHT)]
        papers = {db.session.get(Attempt, a).paper_id for a in ids}
        single = db.session.scalar(select(QuestionRevision.id).where(QuestionRevision.type == "single"))
    assert len(papers) == 2 and totals(app, ids) == [6, 6]
    login(client, "organiser1")
    assert correct(client, exam_id, single, "C").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(PaperItem.answer_override).where(
            PaperItem.paper_id.in_(papers), PaperItem.revision_id == single)).all() == ["C", "C"]
    assert totals(app, ids) == [5, 5]


def test_key_correction_is_for_organisers_only(app, client, judge, sat):
    exam_id, _ = sat
    login(client, "judge1")
    token = csrf_from(client.get("/marking/").get_data(as_text=True))
    response = client.post(f"/admin/sessions/{exam_id}/keys/1", data={"key": "B", "csrf_token": token})
    assert response.status_code == 403
