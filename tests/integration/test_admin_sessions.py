"""Organiser pages for exam sessions over HTTP: scheduling, watching, extending, results, downloads, analysis."""
import csv
import io
import re
from datetime import timedelta
from html import unescape

import openpyxl
import pytest
from sqlalchemy import func, select

from app.attempts.service import save_responses, start_attempt
from app.extensions import db
from app.models import Attempt, AttemptEvent, AuditEvent, ExamSession, RoundEntry, User
from plugins.accounts import csrf_from, login
from plugins.exams import BLUEPRINT, START, Candidate, load_exam_content, sit

SECTIONS = ["一、单选", "二、多选", "三、判断", "四、填空", "五、简答"]
RIGHT = {"single": "A", "multiple": ["A", "B", "C"], "judge": True, "blank": ["义务", "纪律"],
         "short": "宣传和执行党的路线方针政策"}


def post(client, url: str, data: dict, page: str | None = None):
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def session_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ExamSession))


@pytest.fixture
def sat(app, exam):
    """cand1 all right, cand2 half right, cand3 only the judge item; all submitted, short items unmarked."""
    with app.app_context():
        sit("cand1", exam, {**RIGHT, "short": "宣传和执行党的路线方针政策"})
        sit("cand2", exam, {"single": "A", "multiple": ["A", "B"], "judge": False, "blank": ["党员义务", "规矩"]})
        sit("cand3", exam, {"single": "B", "multiple": ["D"], "judge": True})
    return exam


# -- who may see what -------------------------------------------------------------------------------------------

def organiser_pages(exam_id: int, attempt_id: int) -> list[str]:
    base = f"/admin/sessions/{exam_id}"
    return ["/admin/sessions", "/admin/sessions/new", base, f"{base}/results", f"{base}/results?sort=score&dir=desc",
            f"{base}/results.csv", f"{base}/results.xlsx", f"{base}/attempts/{attempt_id}"]


def test_organiser_pages_are_for_organisers_only(app, client, make_user, sat):
    with app.app_context():
        attempt_id = db.session.scalar(select(Attempt.id).limit(1))
    make_user("organiser1", role="organiser")
    make_user("judge1", role="judge")
    login(client, "organiser1")
    for url in organiser_pages(sat, attempt_id):
        assert client.get(url).status_code == 200, url
    for username in ("cand1", "judge1"):
        home = client.get("/", follow_redirects=True).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(home)})
        login(client, username)
        for url in organiser_pages(sat, attempt_id):
            assert client.get(url).status_code == 403, (username, url)


def test_nav_links_to_sessions_for_organisers(organiser_client):
    html = organiser_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/sessions">考试场次</a>' in html and 'href="/marking/">阅卷</a>' in html


def test_unknown_session_is_404(organiser_client):
    assert organiser_client.get("/admin/sessions/999").status_code == 404
    assert organiser_client.get("/admin/sessions/999/results").status_code == 404


# -- scheduling ---------------------------------------------------------------------------------------------------

def schedule_form(**changes) -> dict:
    return {"blueprint": "five", "title": "2026年度复赛笔试", "opens": "2026-12-01T09:00", "closes": "2026-12-01T11:00",
            "usernames": "cand1, cand2\ncand3", "organisation": "", "review": "after_close", **changes}


def test_schedule_form_lists_blueprints_and_organisations(organiser_client, exam, make_org):
    make_org("c01", "市教育体育局机关党委")
    html = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    assert '<option value="five">五题小卷（five）</option>' in html
    assert '<option value="c01">市教育体育局机关党委（基层党委 · 0 人）</option>' in html
    assert 'type="datetime-local"' in html and "交卷后立即公布" in html


def test_schedule_form_creates_a_session_read_in_shanghai_time(app, organiser_client, exam):
    response = post(organiser_client, "/admin/sessions/new", schedule_form(show_key="y"))
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(ExamSession).order_by(ExamSession.id.desc()).limit(1))
        assert session.title == "2026年度复赛笔试" and session.id != exam
        assert session.opens_at == START and session.closes_at == START + timedelta(hours=2)
        assert sorted(c.user.username for c in session.candidates) == ["cand1", "cand2", "cand3"]
        assert session.review == "after_close" and session.show_key and session.paper is not None
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.schedule",
                                                           AuditEvent.subject == f"session:{session.id}"))
        assert audit.channel == "web" and audit.actor.username == "organiser1"
        new_id = session.id
    assert response.headers["Location"] == f"/admin/sessions/{new_id}"
    page = organiser_client.get(f"/admin/sessions/{new_id}").get_data(as_text=True)
    assert "已安排考试“2026年度复赛笔试”，考生 3 人。" in page
    assert "2026-12-01 09:00 至 2026-12-01 11:00" in page


def test_schedule_form_by_organisation_includes_its_branches(app, organiser_client, exam, make_org, make_user):
    make_org("g1", "第一联系片组", kind="liaison_group")
    make_org("c01", "市教育体育局机关党委", parent="g1")
    make_user("zhang", org="c01")
    make_user("li", org="g1")
    response = post(organiser_client, "/admin/sessions/new", schedule_form(usernames="cand1", organisation="g1"))
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(ExamSession).order_by(ExamSession.id.desc()).limit(1))
        assert sorted(c.user.username for c in session.candidates) == ["cand1", "li", "zhang"]


def test_schedule_form_lists_organisations_as_a_tree_in_the_contest_file_order(organiser_client, exam, contest):
    html = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="organisation"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="(\w*)">([^<]*)</option>', select_html)
    indent = "\u3000\u3000"
    assert options == [
        ("", "（不按组织选择）"),
        ("g1", "第一联系片组（联系片组 · 4 人）"),
        ("c01", f"{indent}教育局机关党委（基层党委 · 2 人）"),
        ("c02", f"{indent}卫健委机关党委（基层党委 · 2 人）"),
        ("g2", "第二联系片组（联系片组 · 3 人）"),
        ("c03", f"{indent}财政局机关党委（基层党委 · 2 人）"),
        ("d01", f"{indent}档案馆党支部（直属党支部 · 1 人）"),
    ]


def test_a_blank_schedule_form_proposes_the_next_full_hour_in_local_time(organiser_client, exam):
    html = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    assert 'name="opens" required type="datetime-local" value="2026-12-01T10:00"' in html
    assert 'name="closes" required type="datetime-local" value="2026-12-01T12:00"' in html
    assert "试卷方案" in html and "试卷蓝图" not in html


def test_schedule_form_ties_a_session_to_a_round_whose_entrants_sit_it(app, organiser_client, exam, contest):
    html = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    assert '<option value="test-2026/preliminary">' in html
    response = post(organiser_client, "/admin/sessions/new",
                    schedule_form(round="test-2026/preliminary", usernames="", title="初赛笔试"))
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(ExamSession).where(ExamSession.title == "初赛笔试"))
        entrants = set(db.session.scalars(select(User.username).join(RoundEntry, RoundEntry.user_id == User.id)
                                          .where(RoundEntry.round_id == session.round_id)))
        # zheng's organisation goes on to the next round directly, so does not sit the written test.
        assert session.round_id is not None and {c.user.username for c in session.candidates} == entrants - {"zheng"}
        assert len(entrants) > 3
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == f"session:{session.id}"))
        assert audit.details["round"] == "test-2026/preliminary"
    refused = post(organiser_client, "/admin/sessions/new", schedule_form(round="test-2026/nowhere"))
    assert refused.status_code == 422 and "没有轮次 &#39;test-2026/nowhere&#39;" in refused.get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"usernames": "cand1 ghost"}, "没有这些账号：ghost"),
    ({"usernames": "organiser1"}, "这些账号不是考生：organiser1"),
    ({"usernames": ""}, "没有考生：请指定考生账号或组织"),
    ({"closes": "2026-12-01T08:00"}, "结束时间必须晚于开始时间"),
    ({"opens": "明天上午"}, "请按“年-月-日 时:分”填写时间。"),
    ({"title": "  "}, "请填写考试名称。"),
    ({"blueprint": "nope"}, "没有试卷方案 'nope'"),
    ({"organisation": "nowhere"}, "没有组织 'nowhere'"),
    ({"review": "sometimes"}, "成绩公布方式应为 immediate | after_close | never 之一"),
])
def test_schedule_form_errors_say_why_and_write_nothing(app, organiser_client, exam, changes, message):
    before = session_count(app)
    response = post(organiser_client, "/admin/sessions/new", schedule_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in unescape(html)
    assert session_count(app) == before
    assert 'value="2026年度复赛笔试"' in html or changes.get("title"), "the form comes back filled in"


# -- watching a session and extending time -----------------------------------------------------------------------

@pytest.fixture
def running(app, exam):
    """cand1 answering (started 09:05, one save at 09:07), cand2 submitted, cand3 not started."""
    with app.app_context():
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        attempt = start_attempt(exam, cand1, START + timedelta(minutes=5))
        save_responses(attempt.id, cand1, {"1": None}, 1, START + timedelta(minutes=7))
        sit("cand2", exam, RIGHT, at=START + timedelta(minutes=6))
        return attempt.id


def row_of(html: str, username: str) -> str:
    return html.split(f'id="candidate-{username}"')[1].split("</tr>")[0]


def test_session_page_shows_each_candidates_state(organiser_client, exam, running):
    html = organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert "考生 <strong>3</strong>" in html and "作答中 <strong>1</strong>" in html
    assert "已交卷 <strong>1</strong>" in html and "未开始 <strong>1</strong>" in html
    first = row_of(html, "cand1")
    assert "作答中" in first and "截止 <strong>12-01 09:35:00</strong>" in first and "最后保存 09:07:00" in first
    assert 'name="minutes"' in first and 'name="reason"' in first
    second = row_of(html, "cand2")
    assert "已交卷" in second and "交卷 12-01 09:06:00" in second and '6 <span class="badge">待评</span>' in second
    assert "未开始" in row_of(html, "cand3") and 'name="minutes"' not in row_of(html, "cand3")


def test_session_page_shows_the_drawn_papers_duration_after_a_blueprint_reimport(app, organiser_client, exam):
    """The session's attempts get the 30 minutes its paper was drawn with, whatever the blueprint says later."""
    with app.app_context():
        load_exam_content(BLUEPRINT.replace("duration: 30", "duration: 90"))
    html = organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert "· 30 分钟 ·" in html and "90 分钟" not in html


def test_extend_time_moves_the_deadline_and_is_recorded(app, client, organiser, exam, running, clock):
    login(client, "organiser1")
    url = f"/admin/sessions/{exam}/attempts/{running}/extend"
    asked = post(client, url, {"minutes": "10", "reason": "电脑死机"}, page=f"/admin/sessions/{exam}")
    dialog = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<dialog" in dialog and "09:35:00" in dialog and "09:45:00" in dialog
    with app.app_context():
        assert db.session.get(Attempt, running).deadline == START + timedelta(minutes=35), "asked, nothing changed"
    response = post(client, url, {"minutes": "10", "reason": "电脑死机", "confirmed": "1"},
                    page=f"/admin/sessions/{exam}")
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, running)
        assert attempt.deadline == START + timedelta(minutes=45)
        event = db.session.scalar(select(AttemptEvent).where(AttemptEvent.attempt_id == running,
                                                             AttemptEvent.kind == "extend"))
        assert event.actor.username == "organiser1" and event.details["reason"] == "电脑死机"
        assert (event.details["minutes"] == 10
                and event.details["old_deadline"] == (START + timedelta(minutes=35)).isoformat())
    html = client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert "截止 <strong>12-01 09:45:00</strong>" in html
    record = client.get(f"/admin/sessions/{exam}/attempts/{running}").get_data(as_text=True)
    assert "延长时间" in record and "电脑死机" in record and "组织者甲" in record

    client.post("/logout", data={"csrf_token": csrf_from(html)})
    clock.now = START + timedelta(minutes=40)   # past the old deadline, before the new one
    candidate = Candidate(client, "cand1")
    saved = candidate.call("PUT", f"/attempts/{running}/responses", {"responses": {"1": "A"}, "seq": 2})
    assert saved.status_code == 200 and saved.get_json()["deadline"] == (START + timedelta(minutes=45)).isoformat()


@pytest.mark.parametrize("data, message", [
    ({"minutes": "0", "reason": "断网"}, "延长时间应为 1 到 240 之间的整数分钟。"),
    ({"minutes": "十", "reason": "断网"}, "延长时间应为 1 到 240 之间的整数分钟。"),
    ({"minutes": "²", "reason": "断网"}, "延长时间应为 1 到 240 之间的整数分钟。"),
    ({"minutes": "241", "reason": "断网"}, "延长时间应为 1 到 240 之间的整数分钟。"),
    ({"minutes": "10", "reason": ""}, "请填写延长原因。"),
])
def test_extend_errors_change_nothing(app, organiser_client, exam, running, data, message):
    response = post(organiser_client, f"/admin/sessions/{exam}/attempts/{running}/extend", data,
                    page=f"/admin/sessions/{exam}")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, running).deadline == START + timedelta(minutes=35)
        assert not db.session.scalar(
            select(func.count()).select_from(AttemptEvent).where(AttemptEvent.kind == "extend"))


def test_a_finished_attempt_cannot_be_extended(app, organiser_client, exam, running):
    with app.app_context():
        submitted = db.session.scalar(select(Attempt.id).where(Attempt.id != running))
    response = post(organiser_client, f"/admin/sessions/{exam}/attempts/{submitted}/extend",
                    {"minutes": "5", "reason": "误操作"}, page=f"/admin/sessions/{exam}")
    assert (response.status_code == 422
            and "答卷已经结束（已交卷或已到时收卷），不能延长时间" in response.get_data(as_text=True))


def test_an_attempt_past_its_deadline_and_grace_cannot_be_revived(app, organiser_client, exam, running, clock):
    clock.now = START + timedelta(minutes=35, seconds=31)     # deadline 09:35 plus the 30 s grace
    response = post(organiser_client, f"/admin/sessions/{exam}/attempts/{running}/extend",
                    {"minutes": "5", "reason": "迟到", "confirmed": "1"}, page=f"/admin/sessions/{exam}")
    assert response.status_code == 422 and "已到时收卷" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, running).deadline == START + timedelta(minutes=35)


def test_sweep_button_closes_overdue_attempts(app, organiser_client, exam, running, clock):
    assert "超时答卷" not in organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    clock.now = START + timedelta(minutes=50)
    html = organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert "已超时，待收卷" in row_of(html, "cand1") and "收取 1 份超时答卷" in html
    response = post(organiser_client, f"/admin/sessions/{exam}/sweep", {}, page=f"/admin/sessions/{exam}")
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, running)
        assert attempt.status == "closed" and attempt.finished_at == attempt.deadline
    assert "到时收卷" in row_of(organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True), "cand1")


def test_sessions_list_counts(organiser_client, exam, running):
    html = organiser_client.get("/admin/sessions").get_data(as_text=True)
    row = html.split(f'href="/admin/sessions/{exam}">')[1].split("</tr>")[0]
    assert "测试场次" in row and "进行中" in row
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["3", "2", "1"]


# -- results -------------------------------------------------------------------------------------------------------

HEADER = ["用户名", "姓名", "组织", "状态", "得分", *SECTIONS, "阅卷完成", "切屏次数"]


def table_usernames(html: str) -> list[str]:
    body = re.split(r'<table class="results[^"]*">', html)[1].split("</table>")[0]
    return re.findall(r'<tr>\s*<td>(?:<a [^>]*>)?(cand\d)', body)


def test_results_table_sorts_by_any_column(organiser_client, sat):
    url = f"/admin/sessions/{sat}/results"
    assert table_usernames(organiser_client.get(url).get_data(as_text=True)) == ["cand1", "cand2", "cand3"]
    by_score = organiser_client.get(f"{url}?sort=score&dir=desc").get_data(as_text=True)
    assert table_usernames(by_score) == ["cand1", "cand2", "cand3"]
    assert 'aria-sort="descending"' in by_score and "sort=score&amp;dir=asc" in by_score
    assert table_usernames(organiser_client.get(f"{url}?sort=score&dir=asc").get_data(as_text=True)) == \
        ["cand3", "cand2", "cand1"]
    assert table_usernames(organiser_client.get(f"{url}?sort=s2&dir=asc").get_data(as_text=True))[0] == "cand2"
    assert table_usernames(organiser_client.get(f"{url}?sort=bogus").get_data(as_text=True)) == \
        ["cand1", "cand2", "cand3"]


def test_results_csv_has_bom_chinese_and_the_tables_columns(organiser_client, sat):
    response = organiser_client.get(f"/admin/sessions/{sat}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    # cand1: 1 + 2 + 1 + 2 = 6, the short item waits for a judge; cand2: 1 + 1 (half) + 0 + 1 (one blank) = 3
    # and cand3, who left the short item blank, get 0 for it at once, so their totals are final.
    assert rows[1] == ["cand1", "cand1", "", "已交卷", "6", "1", "2", "1", "2", "", "否", "0"]
    assert rows[2] == ["cand2", "cand2", "", "已交卷", "3", "1", "1", "0", "1", "0", "是", "0"]
    assert rows[3] == ["cand3", "cand3", "", "已交卷", "1", "0", "0", "1", "0", "0", "是", "0"]


def test_results_xlsx_reads_back_with_the_same_columns_and_numbers(organiser_client, sat):
    response = organiser_client.get(f"/admin/sessions/{sat}/results.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1][:6] == ["cand1", "cand1", None, "已交卷", 6, 1] and rows[1][-2:] == ["否", 0]
    assert rows[2][4] == 3 and rows[3][4] == 1


def test_exports_keep_names_that_look_like_formulas_as_text(app, organiser_client, exam, make_user):
    from app.exports import to_csv, to_xlsx
    assert to_csv(["姓名"], [["=1+1"]]).decode("utf-8-sig").splitlines()[1] == "'=1+1"
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(["姓名"], [["=1+1"]]))).active
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"


def test_results_page_shows_a_histogram_and_summary(organiser_client, sat):
    html = organiser_client.get(f"/admin/sessions/{sat}/results").get_data(as_text=True)
    svg = html.split('<svg class="histogram"')[1].split("</svg>")[0]
    # 11 points in bins of 2: scores 6, 3 and 1 fall in 6–8, 2–4 and 0–2
    assert svg.count("<rect") == 6
    assert "6–8 分：1 人" in svg and "2–4 分：1 人" in svg and "0–2 分：1 人" in svg and "4–6 分：0 人" in svg
    assert "平均分 <strong>3.33</strong>" in html and "最高分 <strong>6</strong>" in html


def item_section(html: str, ref: str) -> str:
    return html.split(f"<h3>{ref} ")[1].split("</section>")[0]


def test_item_analysis_numbers_and_option_choices(organiser_client, sat):
    html = organiser_client.get(f"/admin/sessions/{sat}/results").get_data(as_text=True)
    single = item_section(html, "party-affairs/PA-0001")
    # Right: cand1 (6) and cand2 (3); wrong: cand3 (1). Groups of one: D = (1 − 0) / 1.
    assert "得分率 <strong>0.67</strong>" in single and "区分度 D <strong>1.00</strong>" in single
    # rest of the paper 5, 2, 1 against 1, 1, 0: r = (15/9) / √(6/9 × 78/9) = 15 / √468 = 0.69
    assert "点双列 r <strong>0.69</strong>" in single
    options = re.findall(r'<tr class="(is-key)?">\s*<td>([A-D])[^<]*(?:<span[^>]*>[^<]*</span>)?</td>\s*'
                         r'<td>[^<]*</td>\s*<td class="num">(\d+)</td>', single)
    assert options == [("is-key", "A", "2"), ("", "B", "1"), ("", "C", "0"), ("", "D", "0")]
    multiple = item_section(html, "party-affairs/PA-0002")
    assert "得分率 <strong>0.50</strong>" in multiple      # 2 + 1 + 0 of 3 × 2
    judge = item_section(html, "party-affairs/PA-0003")
    # Right: cand1 and cand3; the middle candidate got it wrong.
    assert "得分率 <strong>0.67</strong>" in judge and "正确 ✓" in judge
    short = item_section(html, "party-affairs/PA-0005")
    assert "人数 <strong>2</strong>" in short and "更正本题答案" not in short, "the two left blank, scored 0"


def test_bad_item_shows_itself(app, organiser_client, exam, make_user):
    """The strong candidates pick B while the key says A: the page says so."""
    with app.app_context():
        sit("cand1", exam, {**RIGHT, "single": "B"})
        sit("cand2", exam, {**RIGHT, "single": "B", "blank": ["义务", "x"]})
        sit("cand3", exam, {"single": "A"})
    single = item_section(organiser_client.get(f"/admin/sessions/{exam}/results").get_data(as_text=True),
                          "party-affairs/PA-0001")
    assert "区分度为负" in single and "干扰项 B 的选择人数多于正确答案" in single


def test_attempt_record_replays_answers_and_events(app, organiser_client, sat):
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).join(User).where(User.username == "cand3"))
        attempt_id = attempt.id
    html = organiser_client.get(f"/admin/sessions/{sat}/attempts/{attempt_id}").get_data(as_text=True)
    assert "答卷记录" in html and "cand3" in html
    for step in ("开考", "保存", "交卷"):
        assert f"<td>{step}</td>" in html
    assert "题库字母" in html and "未作答" in html


def test_schedule_a_mock_from_the_form(app, organiser_client, make_user, clock):
    make_user("cadre", role="candidate")
    with app.app_context():
        load_exam_content()
        load_exam_content(blueprint=BLUEPRINT.replace("paper: five", "paper: five-mock")
                          .replace("draw: per_session", "draw: per_attempt"))
    form = organiser_client.get("/admin/sessions/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "blueprint": "five-mock", "title": "十二月练兵模拟",
            "opens": "2026-12-01T09:00", "closes": "2026-12-31T18:00", "usernames": "cadre", "organisation": "",
            "review": "never", "mock": "y", "max_attempts": "3"}
    response = organiser_client.post("/admin/sessions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        from app.models import ExamSession
        session = db.session.scalar(select(ExamSession).where(ExamSession.title == "十二月练兵模拟"))
        assert session.mock and session.max_attempts == 3 and session.review == "immediate" and session.show_key
    refused = organiser_client.post("/admin/sessions/new", data={**data, "blueprint": "five", "title": "同题模拟"})
    assert refused.status_code == 422 and "five 是同场同题" in refused.get_data(as_text=True)
