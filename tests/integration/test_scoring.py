"""Judges' Party-lecture scores over HTTP (issue 4 §2): the rounds and groups a judge is given, one score per
candidate, corrections that keep the old value, and every bad input refused with nothing written."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ScoreEntry
from plugins.contests import cells, client_for, confirm, count, round_id, score, text_of, upload


def sheet(app) -> str:
    return f"/scoring/rounds/{round_id(app)}"


def entries(app) -> list[tuple[str, str, int, str, str]]:
    with app.app_context():
        return [(e.user.username, e.judge.username, e.hundredths, e.channel, e.entered_by.username)
                for e in db.session.scalars(select(ScoreEntry).order_by(ScoreEntry.id))]


def headings(html: str) -> list[str]:
    return [text_of(h).split(" 已评")[0].strip() for h in re.findall(r"<h2>(.*?)</h2>", html, re.S)]


def rows(html: str) -> list[str]:
    return re.findall(r'<li class="sheet-row[^"]*" id="c-(\w+)"', html)


# -- who scores what ----------------------------------------------------------------------------------------------

def test_a_judge_sees_the_rounds_and_groups_given_to_them(app, contest):
    j1 = client_for(app, "j1")
    index = text_of(j1.get("/scoring/").get_data(as_text=True))
    assert "测试比武 · 初赛" in index and "复赛" not in index
    assert "党课 · 教育局机关党委" in index and "已评 0 / 2 人" in index
    page = j1.get(sheet(app)).get_data(as_text=True)
    assert headings(page) == ["教育局机关党委"] and rows(page) == ["qian", "zhao"]
    assert "评委满 5 人时去掉 1 个最高分和 1 个最低分后取平均，不足时取平均" in page

    both = client_for(app, "j2").get(sheet(app)).get_data(as_text=True)
    assert headings(both) == ["教育局机关党委", "卫健委机关党委"] and rows(both) == ["qian", "zhao", "li", "sun"]


def test_organisers_may_score_any_group_but_direct_entries_are_not_scored(app, organiser_client, contest):
    page = organiser_client.get(sheet(app)).get_data(as_text=True)
    assert headings(page) == ["教育局机关党委", "卫健委机关党委", "财政局机关党委"]
    assert "zheng" not in rows(page)
    assert "测试比武 · 决赛" in text_of(organiser_client.get("/scoring/").get_data(as_text=True))
    assert score(app, organiser_client, "zhou", "77").status_code == 302
    assert entries(app) == [("zhou", "organiser1", 7700, "web", "organiser1")]
    assert score(app, organiser_client, "zheng", "77").status_code == 422


def test_others_may_not_score(app, contest, make_user):
    make_user("reader", role="candidate")
    j3 = client_for(app, "j3")
    assert "目前没有分配给您的评分轮次" in j3.get("/scoring/").get_data(as_text=True)
    assert j3.get(sheet(app)).status_code == 403
    assert score(app, j3, "zhao", "80").status_code == 403
    reader = client_for(app, "reader")
    assert reader.get("/scoring/").status_code == 403
    assert reader.get(sheet(app)).status_code == 403
    assert app.test_client().get("/scoring/").status_code == 302
    assert client_for(app, "j1").get("/scoring/rounds/999").status_code == 404
    assert count(app, ScoreEntry) == 0


# -- saving -------------------------------------------------------------------------------------------------------

def test_a_judge_saves_and_corrects_a_score(app, contest):
    j1 = client_for(app, "j1")
    saved = score(app, j1, "zhao", "85")
    assert saved.status_code == 302 and saved.location.endswith("#c-zhao")
    page = j1.get(saved.location).get_data(as_text=True)
    assert "已保存赵一的分数：85.00" in page
    zhao = text_of(re.search(r'id="c-zhao".*?</li>', page, re.S).group(0))
    assert "当前 85.00" in zhao and "已修改" not in zhao and 'value="85.00"' in page

    assert score(app, j1, "zhao", "87.5").status_code == 302
    page = j1.get(sheet(app)).get_data(as_text=True)
    assert "已修改赵一的分数：85.00 → 87.50" in page
    assert "当前 87.50" in text_of(page) and "已修改（原 85.00）" in text_of(page)
    assert score(app, j1, "zhao", "87.50").status_code == 302
    assert "赵一的分数未变（87.50）" in j1.get(sheet(app)).get_data(as_text=True)
    assert score(app, j1, "zhao", "90").status_code == 302
    assert "已修改（原 85.00、87.50）" in text_of(j1.get(sheet(app)).get_data(as_text=True))

    assert entries(app) == [("zhao", "j1", 8500, "web", "j1"), ("zhao", "j1", 8750, "web", "j1"),
                            ("zhao", "j1", 9000, "web", "j1")]
    with app.app_context():
        chain = db.session.scalars(select(ScoreEntry).order_by(ScoreEntry.id)).all()
        assert chain[1].replaces_id == chain[0].id and chain[2].replaces_id == chain[1].id
    assert "已评 1 / 2 人" in text_of(j1.get("/scoring/").get_data(as_text=True))


def test_each_judge_sees_only_their_own_score(app, contest):
    assert score(app, client_for(app, "j1"), "zhao", "80").status_code == 302
    j2 = client_for(app, "j2")
    zhao = re.search(r'id="c-zhao".*?</li>', j2.get(sheet(app)).get_data(as_text=True), re.S).group(0)
    assert "未评分" in zhao and "80.00" not in zhao
    assert score(app, j2, "zhao", "90").status_code == 302
    assert [(e[0], e[1], e[2]) for e in entries(app)] == [("zhao", "j1", 8000), ("zhao", "j2", 9000)]


@pytest.mark.parametrize("candidate, value, message", [
    ("zhao", "101", "分数应在 0 到 100 之间，而不是 101"),
    ("zhao", "-1", "分数应在 0 到 100 之间，而不是 -1"),
    ("zhao", "abc", "分数 &#39;abc&#39; 不是数字"),
    ("zhao", "85.123", "分数最多两位小数：85.123"),
    ("zhao", "NaN", "分数应在 0 到 100 之间"),
    ("zhao", " ", "请填写分数（0 到 100，最多两位小数）"),
    ("sun", "80", "这位考生不在您负责评分的组中"),
    ("zhou", "80", "这位考生不在您负责评分的组中"),
])
def test_bad_input_writes_nothing(app, contest, candidate, value, message):
    j1 = client_for(app, "j1")
    response = score(app, j1, candidate, value)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert count(app, ScoreEntry) == 0
    if candidate == "zhao":
        row = re.search(r'id="c-zhao".*?</li>', page, re.S).group(0)
        assert "has-error" in page and 'aria-invalid="true"' in row and message in row


def test_only_judged_components_and_open_rounds_take_scores(app, organiser_client, contest):
    j1 = client_for(app, "j1")
    written = score(app, j1, "zhao", "80", component="written")
    assert written.status_code == 422 and "初赛的笔试成绩不由评委打分" in written.get_data(as_text=True)
    assert j1.get(f"{sheet(app)}?component=written").status_code == 404

    sheet_csv = "username,score\nzhao,90\nqian,80\nsun,70\nli,60\nzhou,50\nwu,40\n"
    upload(organiser_client, "written", sheet_csv)
    upload(organiser_client, "lecture", sheet_csv)
    assert confirm(organiser_client, "/admin/contests/test-2026/rounds/preliminary/close", {}).status_code == 302
    closed = score(app, j1, "zhao", "80")
    assert closed.status_code == 422 and "初赛已结束，成绩不能再修改" in closed.get_data(as_text=True)
    page = j1.get(sheet(app)).get_data(as_text=True)
    assert "本轮已结束，分数不能再修改" in page and 'name="score"' not in page
    assert count(app, ScoreEntry) == 12


# -- the page's script ----------------------------------------------------------------------------------------------

def test_a_save_from_the_script_returns_the_row(app, contest):
    j1 = client_for(app, "j1")
    first = score(app, j1, "qian", "88.25", script=True)
    assert first.status_code == 200 and first.json["ok"] is True
    assert first.json["message"] == "已保存钱二的分数：88.25"
    assert 'id="c-qian"' in first.json["html"]
    assert '当前 <strong class="current-score">88.25</strong>' in first.json["html"]
    again = score(app, j1, "qian", "86", script=True)
    assert "已修改（原 88.25）" in again.json["html"]

    refused = score(app, j1, "qian", "100.5", script=True)
    assert refused.status_code == 422 and refused.json["ok"] is False
    assert refused.json["message"] == "分数应在 0 到 100 之间，而不是 100.5"
    assert 'value="100.5"' in refused.json["html"] and "has-error" in refused.json["html"]
    outside = score(app, j1, "sun", "80", script=True)
    assert outside.status_code == 422 and outside.json["html"] is None
    assert [e[2] for e in entries(app)] == [8825, 8600]


def test_scores_entered_by_judges_make_the_standings(app, organiser_client, contest):
    upload(organiser_client, "written", "username,score\nzhao,80\nqian,90\n")
    for judge, marks in (("j1", ("95", "80")), ("j2", ("85", "70"))):
        client = client_for(app, judge)
        score(app, client, "zhao", marks[0])
        score(app, client, "qian", marks[1])
    page = organiser_client.get(f"/standings/rounds/{round_id(app)}").get_data(as_text=True)
    assert cells(page, "zhao")[0] == ["1", "赵一", "教育局机关党委", "80.00",
                                      "90.00 2 位评委，不足 5 人取平均", "85.00", "晋级"]
    assert cells(page, "qian")[0][0::5] == ["2", "82.50"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScoreEntry).where(ScoreEntry.channel == "web")) == 4
