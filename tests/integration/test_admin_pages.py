"""Organiser pages over the banks, as an organiser (and others) reach them over HTTP."""
import re
from datetime import timedelta

import pytest

from app.banks.service import CheckedSources, import_banks, import_sources
from app.domain.banks import validate_texts
from app.domain.papers import parse_blueprint
from app.extensions import db
from app.models import Question, User
from app.scheduling.service import schedule_session
from plugins.accounts import login
from plugins.banks import MATERIAL_BANK, VALID
from plugins.exams import BLUEPRINT, START

XSS = """\
bank: hostile
title: 恶意内容测试
category: theory
questions:
  - id: X-1
    type: single
    stem: "请选择 <script>alert('stem')</script> <img src=x onerror=alert(1)> [点我](javascript:alert(2))"
    options: {A: "<b onclick=alert(3)>甲</b>", B: "<a href='javascript:alert(4)'>乙</a>"}
    answer: A
    explanation: "<iframe src=//evil></iframe>解析 <svg onload=alert(5)>"
    source: 测试
"""


def load(app, *texts: str) -> None:
    with app.app_context():
        banks, problems = validate_texts([(f"bank{i}.yaml", t) for i, t in enumerate(texts)])
        assert not [p for p in problems if not p.warning]
        import_banks(banks)
        db.session.commit()


@pytest.fixture
def banks(app):
    load(app, VALID, XSS)


def test_bank_overview_counts_by_type_and_difficulty(organiser_client, banks):
    page = organiser_client.get("/admin/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "党务业务知识" in html and "现行题目 <strong>5</strong> 道" in html
    assert 'href="/admin/questions?bank=party-affairs&amp;difficulty=2">2 级 <strong>1</strong></a>' in html
    assert 'href="/admin/questions?bank=party-affairs&amp;type=short">简答题 <strong>1</strong></a>' in html
    assert "最近的导入" in html
    assert "下载的文件中不含" not in html


def test_bank_overview_says_what_each_download_leaves_out(organiser_client, app):
    load(app, MATERIAL_BANK)
    html = organiser_client.get("/admin/").get_data(as_text=True)
    assert "下载的文件中不含：Excel 缺材料分析题 1 道；Moodle XML 缺材料分析题 1 道；GIFT 缺材料分析题 1 道；" in html
    assert "YAML 保留全部题目" in html


@pytest.mark.parametrize("query, expected, absent", [
    ("bank=party-affairs", ["PA-0001", "PA-0005"], ["X-1"]),
    ("type=judge", ["PA-0003"], ["PA-0001", "X-1"]),
    ("tag=组织设置", ["PA-0001"], ["PA-0002"]),
    ("difficulty=2", ["PA-0001"], ["PA-0002"]),
    ("q=三会一课", ["PA-0002"], ["PA-0001"]),
    ("q=pa-0004", ["PA-0004"], ["PA-0003"]),
])
def test_question_filters(organiser_client, banks, query, expected, absent):
    html = organiser_client.get(f"/admin/questions?{query}").get_data(as_text=True)
    for ref in expected:
        assert ref in html, (query, ref)
    for ref in absent:
        assert ref not in html, (query, ref)


def test_question_page_shows_key_explanation_source_and_history(app, organiser_client, banks, tmp_path):
    load(app, VALID.replace("answer: A\n", "answer: B\n"))
    listing = organiser_client.get("/admin/questions?q=PA-0001").get_data(as_text=True)
    question_url = listing.split('href="/admin/questions/')[1].split('"')[0]
    html = organiser_client.get(f"/admin/questions/{question_url}").get_data(as_text=True)
    assert "<strong>答案：</strong>B" in html
    assert "《中国共产党支部工作条例（试行）》第五条" in html
    assert "第 2 版" in html and "第 1 版" in html and "答案" in html and "首次导入" in html
    old = organiser_client.get(f"/admin/questions/{question_url}?rev=1").get_data(as_text=True)
    assert "<strong>答案：</strong>A" in old and "非现行版本" in old


def test_candidates_and_judges_get_403(client, make_user, banks):
    make_user("cand", role="candidate")
    make_user("judge", role="judge")
    for username in ("cand", "judge"):
        login(client, username)
        for path in ("/admin/", "/admin/questions", "/admin/questions/1"):
            assert client.get(path).status_code == 403, (username, path)
        client.post("/logout", data={"csrf_token": _token(client)})


def _token(client) -> str:
    from plugins.accounts import csrf_from
    return csrf_from(client.get("/exam/").get_data(as_text=True))


def test_strangers_are_sent_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nothing_from_a_bank_can_run_in_a_page(organiser_client, banks):
    listing = organiser_client.get("/admin/questions?bank=hostile").get_data(as_text=True)
    question_id = listing.split('href="/admin/questions/')[1].split('"')[0]
    html = organiser_client.get(f"/admin/questions/{question_id}").get_data(as_text=True).lower()
    html = re.sub(r'<script src="/static/js/[a-z]+\.js" defer></script>', "", html)    # the app's own, from static/
    for needle in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg"):
        assert needle not in html, needle
    assert "请选择" in html and "甲" in html and "解析" in html


def test_organisers_see_why_a_bank_and_a_question_are_open_to_practice_or_not(app, organiser_client, banks, clock):
    """XSS is a closed bank; VALID (party-affairs) is open, and a running exam takes its questions out."""
    overview = organiser_client.get("/admin/").get_data(as_text=True)
    assert overview.count('badge-open">开放练兵') == 1 and overview.count('badge-closed">不开放练兵') == 1
    with app.app_context():
        ids = dict(db.session.execute(db.select(Question.code, Question.id)).all())
    closed = organiser_client.get(f"/admin/questions/{ids['X-1']}").get_data(as_text=True)
    assert "不用于练习" in closed and "不开放练兵（题库文件未写 <code>practice: true</code>）" in closed
    assert "可以练习" in organiser_client.get(f"/admin/questions/{ids['PA-0001']}").get_data(as_text=True)
    short = organiser_client.get(f"/admin/questions/{ids['PA-0005']}").get_data(as_text=True)
    assert "简答题由评委评分，练习只用客观题" in short

    with app.app_context():
        import_sources(CheckedSources([], [parse_blueprint(BLUEPRINT, "papers/five.yaml")[0]], []))
        db.session.add(User(username="cand1", name="考生", role="candidate", password_hash=""))
        db.session.commit()
        session_id = schedule_session(blueprint_slug="five", title="复赛笔试", opens_at=START,
                                      closes_at=START + timedelta(hours=2), usernames=["cand1"], org_code=None,
                                      review="after_close", show_key=True, actor=None).id
    held = organiser_client.get(f"/admin/questions/{ids['PA-0001']}").get_data(as_text=True)
    assert "暂停练习" in held and "复赛笔试" in held and f"/admin/sessions/{session_id}" in held
    assert "5</strong> 道题正用于尚未结束的考试" in organiser_client.get("/admin/").get_data(as_text=True)
    clock.now = START + timedelta(hours=3)
    assert "可以练习" in organiser_client.get(f"/admin/questions/{ids['PA-0001']}").get_data(as_text=True)
