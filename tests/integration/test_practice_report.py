"""The organisers' weekly report (练兵通报) on hand-made data: the numbers per organisation, the period read in
Beijing time, the chart, and the CSV (with BOM) and XLSX downloads carrying the same table."""
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import PracticeAnswer, QuestionRevision, User
from app.scheduling.service import schedule_session
from plugins.accounts import login
from plugins.exams import START, load_exam_content, sit
from plugins.practice import PER_ATTEMPT

PERIOD = {"start": "2026-12-01", "end": "2026-12-07"}
HEADER = ["组织", "上级组织", "人数", "参与练习人数", "参与率(%)", "答题数", "答对数", "正确率(%)", "模拟考试次数"]
# b1's mock on 1 December adds its four objective answers (one right) the moment it is submitted. Organisations made
# here have no place in a contest file, so the tree lists them by code: c01 before c02.
EXPECTED = [
    ["教育局机关党委", "第一联系片组", "3", "2", "66.7", "4", "2", "50", "0"],
    ["<b>财政局</b>机关党委", "第一联系片组", "1", "1", "100", "6", "3", "50", "1"],
    ["未分配组织", "", "1", "1", "100", "1", "1", "100", "0"],
    ["合计", "", "5", "4", "80", "11", "6", "54.5", "1"],
]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def answered(username: str, correct: bool, at: datetime) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    revision = db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "judge"))
    db.session.add(PracticeAnswer(user_id=user.id, question_id=revision.question_id, revision_id=revision.id,
                                  source="drill", response=correct, correct=correct, answered_at=at))


def mock(title: str, usernames: list[str], opens: datetime) -> int:
    return schedule_session(blueprint_slug="five-mock", title=title, opens_at=opens,
                            closes_at=opens + timedelta(days=3), usernames=usernames, org_code=None, review="immediate",
                            show_key=True, actor=None, mock=True, max_attempts=3).id


@pytest.fixture
def week(app, make_org, make_user, organiser, clock):
    make_org("g1", "第一联系片组", kind="liaison_group")
    make_org("c01", "教育局机关党委", parent="g1")
    make_org("c02", "<b>财政局</b>机关党委", parent="g1")
    for username, org in (("a1", "c01"), ("a2", "c01"), ("a3", "c01"), ("b1", "c02"), ("n1", None)):
        make_user(username, role="candidate", org=org)
    make_user("judge1", role="judge", org="c01")
    with app.app_context():
        load_exam_content()
        load_exam_content(blueprint=PER_ATTEMPT)
        for correct in (True, True, False):
            answered("a1", correct, utc(2026, 12, 1, 2))
        answered("a2", False, utc(2026, 11, 30, 16, 30))    # 00:30 on 1 December in Beijing: in
        answered("a2", True, utc(2026, 11, 30, 15, 30))     # 23:30 on 30 November in Beijing: out
        answered("b1", True, utc(2026, 12, 7, 15))
        answered("b1", True, utc(2026, 12, 7, 15, 59))
        answered("b1", False, utc(2026, 12, 7, 16))         # midnight starting 8 December: out
        answered("n1", True, utc(2026, 12, 3))
        db.session.commit()
        sit("b1", mock("本周模拟", ["b1"], START), {"judge": True}, at=START + timedelta(minutes=5))
        sit("a1", mock("上周模拟", ["a1"], utc(2026, 11, 24)), {}, at=utc(2026, 11, 25))


def rows_in(html: str) -> list[list[str]]:
    body = re.search(r'<table id="report"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def test_the_report_counts_each_organisation_over_the_period(client, week):
    login(client, "organiser1")
    html = client.get("/admin/reports/practice", query_string=PERIOD).get_data(as_text=True)
    assert "2026年12月1日 至 2026年12月7日" in html
    shown = [[cell.replace("&lt;", "<").replace("&gt;", ">").rstrip("%") for cell in row] for row in rows_in(html)]
    assert shown == EXPECTED
    assert "<b>财政局" not in html, "an organisation's name is text, in the table and in the chart"
    assert html.count('<svg class="chart bar-chart"') == 2
    assert "&lt;b&gt;财政局&lt;/b&gt;机关党委：1/1 人 100%" in html
    assert "教育局机关党委：4 题 正确率 50%" in html


def test_the_csv_has_a_bom_and_the_same_table(client, week):
    login(client, "organiser1")
    reply = client.get("/admin/reports/practice.csv", query_string=PERIOD)
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert reply.data.startswith(b"\xef\xbb\xbf")
    assert "2026-12-01" in reply.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig")))) == [HEADER, *EXPECTED]


def test_the_xlsx_opens_with_the_same_table_and_numbers_as_numbers(client, week):
    login(client, "organiser1")
    reply = client.get("/admin/reports/practice.xlsx", query_string=PERIOD)
    assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(reply.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "练兵通报" and rows[0] == HEADER
    assert rows[1] == ["教育局机关党委", "第一联系片组", 3, 2, 66.7, 4, 2, 50.0, 0]
    assert rows[3][0] == "未分配组织" and rows[3][1] in ("", None)
    assert [row[0] for row in rows[1:]] == [row[0] for row in EXPECTED]


def test_the_default_is_the_last_seven_days_in_beijing(client, week):
    login(client, "organiser1")
    html = client.get("/admin/reports/practice").get_data(as_text=True)
    assert "2026年11月25日 至 2026年12月1日" in html
    assert rows_in(html)[-1] == ["合计", "", "5", "3", "60%", "13", "4", "30.8%", "2"]


@pytest.mark.parametrize("query", [{"start": "2026-13-01", "end": "2026-12-07"}, {"start": "2026-12-07"},
                                   {"start": "2026-12-07", "end": "2026-12-01"}])
def test_unreadable_dates_fall_back_to_the_last_seven_days_with_a_reason(client, week, query):
    login(client, "organiser1")
    reply = client.get("/admin/reports/practice", query_string=query)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "已改为显示最近 7 天" in html
    assert "2026年11月25日 至 2026年12月1日" in html


@pytest.mark.parametrize("path", ["/admin/reports/practice", "/admin/reports/practice.csv",
                                  "/admin/reports/practice.xlsx"])
def test_the_report_is_for_organisers_only(app, client, make_user, path):
    assert "/login" in client.get(path).location
    for role in ("candidate", "judge"):
        make_user(f"some-{role}", role=role)
        someone = app.test_client()
        login(someone, f"some-{role}")
        assert someone.get(path).status_code == 403


def test_people_are_listed_by_organisation_order_then_pinyin(client, week, make_user):
    make_user("a4", role="candidate", org="c01", name="张明")
    make_user("a5", role="candidate", org="c01", name="李四")
    login(client, "organiser1")
    html = client.get("/admin/reports/practice", query_string=PERIOD).get_data(as_text=True)
    section = re.search(r'<table id="people-table"[^>]*>(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-username="(\w+)"', section) == ["a1", "a2", "a3", "a5", "a4", "b1", "n1"]
    reply = client.get("/admin/reports/practice/people.csv", query_string=PERIOD)
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0] == ["组织", "姓名", "账号", "答题数", "答对数", "正确率(%)", "模拟考试次数"]
    assert rows[1] == ["教育局机关党委", "a1", "a1", "3", "2", "66.7", "0"]
    assert [row[2] for row in rows[1:]] == ["a1", "a2", "a3", "a5", "a4", "b1", "n1"]
    assert rows[-1][:3] == ["未分配组织", "n1", "n1"]
