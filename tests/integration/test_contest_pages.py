"""Organiser contest pages over HTTP (issue 4 §1): the contest as loaded, judges per group, score sheets uploaded,
rounds published and closed — a tie across the line settled by ticking who goes on."""
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import (
    AuditEvent,
    JudgeAssignment,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreEntry,
    StandingsVersion,
    User,
)
from plugins.accounts import csrf_from, login
from plugins.contests import (
    CONTEST,
    PRELIMINARY,
    TIED,
    client_for,
    confirm,
    count,
    dialog_of,
    load,
    post,
    round_id,
    text_of,
    upload,
)

# -- who may see what -------------------------------------------------------------------------------------------

def test_contest_pages_are_for_organisers_only(app, client, organiser, contest, make_user):
    make_user("reader", role="candidate")
    login(client, "organiser1")
    pages = ["/admin/contests", "/admin/contests/test-2026", PRELIMINARY]
    for url in pages:
        assert client.get(url).status_code == 200, url
    for username in ("j1", "reader"):
        other = client_for(app, username)
        for url in pages:
            assert other.get(url).status_code == 403, (username, url)
        token = csrf_from(other.get("/standings/").get_data(as_text=True))
        for action in ("judges", "judges/remove", "scores", "publish", "close"):
            response = other.post(f"{PRELIMINARY}/{action}", data={"csrf_token": token, "judge": "j3", "group": "*"})
            assert response.status_code == 403, (username, action)
    assert app.test_client().get("/admin/contests").status_code == 302
    assert client.get("/admin/contests/nope").status_code == 404
    assert client.get("/admin/contests/test-2026/rounds/nope").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Round.status).where(Round.slug == "preliminary")) == RoundStatus.DRAFT
        assert db.session.scalar(select(func.count()).select_from(JudgeAssignment)) == 3


def test_contest_list_marks_demo_data(runner, organiser_client, contest):
    demo = CONTEST.replace("contest: test-2026\n", "contest: demo-2026\ndemo: true\n") \
        .replace("title: 测试比武", "title: 演示比武")
    load(runner, contest, demo, "demo.yaml")
    page = organiser_client.get("/admin/contests").get_data(as_text=True)
    rows = dict(re.findall(r"<tr>\s*<td><a [^>]*>([^<]+)</a>(.*?)</tr>", page, re.S))
    assert "演示数据" in rows["演示比武"] and "演示数据" not in rows["测试比武"]
    assert "flask contest load" in page
    assert "演示数据" in organiser_client.get("/admin/contests/demo-2026").get_data(as_text=True)


def test_contest_page_shows_the_tree_the_candidates_and_the_rounds(organiser_client, contest):
    page = text_of(organiser_client.get("/admin/contests/test-2026").get_data(as_text=True))
    assert "以比赛文件 contest.yaml 为准：修改文件后在 上传比赛文件 页面重新上传" in page
    assert "第一联系片组 联系片组 · g1 · 4 人" in page
    assert "教育局机关党委 基层党委 · c01 · 2 人" in page
    assert "档案馆党支部 直属党支部 · d01 · 1 人" in page and "第二联系片组 联系片组 · g2 · 3 人" in page
    assert "考生 7 人" in page
    assert "笔试 50%；党课 50%（评委满 5 人去掉最高最低各 1）" in page
    assert "每组前 1 名；直属党支部直接进入下一轮" in page
    assert "一等奖 1 名，二等奖 1 名；十佳党课（党课前 2 名）" in page
    assert "笔试 40%；党课 60%" in page
    search = text_of(organiser_client.get("/admin/contests/test-2026?q=孙").get_data(as_text=True))
    assert "sun 孙三 卫健委机关党委 初赛" in search and "zhao" not in search and "考生 1 人" in search
    by_org = text_of(organiser_client.get("/admin/contests/test-2026?q=财政局").get_data(as_text=True))
    assert "zhou" in by_org and "wu" in by_org and "考生 2 人" in by_org
    assert "没有符合条件的考生" in organiser_client.get("/admin/contests/test-2026?q=nobody%").get_data(as_text=True)


def test_round_page_shows_rules_and_judges(organiser_client, contest):
    page = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "test-2026/preliminary · 按基层党委排名 · 7 人" in page
    assert "评委甲 j1 教育局机关党委" in page and "评委乙 j2 卫健委机关党委" in page
    assert "重新加载时以文件为准" in page


# -- judges per group ---------------------------------------------------------------------------------------------

def test_assign_and_remove_a_judge(app, organiser_client, contest):
    response = post(organiser_client, f"{PRELIMINARY}/judges", {"judge": "j3", "group": "c03"})
    assert response.status_code == 302 and response.location.endswith("#judges")
    page = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "已分配评委评委丙负责财政局机关党委" in page and "评委丙 j3 财政局机关党委" in page
    assert post(organiser_client, f"{PRELIMINARY}/judges", {"judge": "j3", "group": "*"}).status_code == 302
    with app.app_context():
        j3 = db.session.scalar(select(User).where(User.username == "j3"))
        groups = set(db.session.scalars(select(JudgeAssignment.group_code).where(JudgeAssignment.judge_id == j3.id)))
        assert groups == {"c03", "*"}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.judge_assigned").limit(1))
        assert (event.subject, event.actor.username, event.channel) == ("test-2026/preliminary", "organiser1", "web")
        assert event.details == {"judge": "j3", "group": "c03"}

    removed = post(organiser_client, f"{PRELIMINARY}/judges/remove", {"judge": "j3", "group": "c03"})
    assert removed.status_code == 302
    assert "已取消评委评委丙对财政局机关党委的评分分配" in organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert count(app, JudgeAssignment) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "round.judge_removed")) == 1


@pytest.mark.parametrize("data, message", [
    ({"judge": "j1", "group": "c01"}, "评委甲已经负责教育局机关党委"),
    ({"judge": "nobody", "group": "c01"}, "没有评委账号 nobody"),
    ({"judge": "zhao", "group": "c01"}, "没有评委账号 zhao"),
    ({"judge": "organiser1", "group": "c01"}, "没有评委账号 organiser1"),
    ({"judge": "j3", "group": "g1"}, "初赛没有组 g1"),
    ({"judge": "j3", "group": ""}, "初赛没有组"),
])
def test_bad_judge_assignment_changes_nothing(app, organiser_client, contest, data, message):
    before = count(app, AuditEvent)
    response = post(organiser_client, f"{PRELIMINARY}/judges", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app, JudgeAssignment) == 3 and count(app, AuditEvent) == before
    missing = post(organiser_client, f"{PRELIMINARY}/judges/remove", {"judge": "j3", "group": "c01"})
    assert missing.status_code == 422 and "评委丙并未负责教育局机关党委" in missing.get_data(as_text=True)


# -- score sheets -------------------------------------------------------------------------------------------------

def test_upload_a_score_sheet(app, organiser_client, contest):
    response = upload(organiser_client, "written", "\ufeffusername,score\nzhao,90\nqian,80\nsun,70\n", "笔试.csv")
    assert response.status_code == 302 and response.location.endswith("#scores")
    page = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "已从 笔试.csv 导入笔试成绩 3 条" in page and "笔试已有 3 人；党课已有 0 人" in page
    lecture = upload(organiser_client, "lecture", "username,judge,score\nzhao,j1,85.5\nqian,j2,88\n")
    assert lecture.status_code == 302
    with app.app_context():
        entries = db.session.scalars(select(ScoreEntry).order_by(ScoreEntry.id)).all()
        assert [(e.user.username, e.component, e.hundredths, e.channel) for e in entries][-2:] == [
            ("zhao", "lecture", 8550, "csv"), ("qian", "lecture", 8800, "csv")]
        assert {e.entered_by.username for e in entries} == {"organiser1"}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scores.imported").limit(1))
        assert event.details == {"component": "written", "added": 3, "file": "笔试.csv"} and event.channel == "web"
    shown = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "组织者甲 · 导入成绩 笔试成绩 3 条（笔试.csv）" in shown


def test_a_bad_score_sheet_imports_nothing_and_names_every_line(app, organiser_client, contest):
    sheet = "username,judge,score\nzhao,j1,80\nqian,j1,101\nnobody,j1,70\nsun,j1,75\nwu,j9,60\nli,j2,8.123\n"
    response = upload(organiser_client, "lecture", sheet, "lecture.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "lecture.csv 有问题，没有导入任何成绩" in page
    for line in ("lecture.csv:3: 分数应在 0 到 100 之间，而不是 101", "lecture.csv:4: 没有考生 nobody",
                 "lecture.csv:5: 评委 j1 没有被分配评孙三所在的组", "lecture.csv:6: 没有评委 j9",
                 "lecture.csv:7: 分数最多两位小数：8.123"):
        assert line in page, line
    assert count(app, ScoreEntry) == 0 and count(app, AuditEvent) == 1   # the contest load only


@pytest.mark.parametrize("component, data, message", [
    ("written", b"user,score\nzhao,50\n",
     "scores.csv:1: 表头应为 username,score 或 username,judge,score（也可写 账号、评委账号、成绩）"),
    ("written", "username,score\nzhao,五十\n".encode("gbk"), "不是 UTF-8 编码"),
    ("written", b"", "请选择要上传的成绩表（CSV 或 Excel）"),
    ("essay", b"username,score\nzhao,50\n", "初赛没有成绩项 essay"),
])
def test_unreadable_score_sheets_are_refused(app, organiser_client, contest, component, data, message):
    response = upload(organiser_client, component, data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app, ScoreEntry) == 0


def test_the_downloaded_sheet_filled_in_uploads_with_its_chinese_headers(app, organiser_client, contest):
    sheet = organiser_client.get(f"{PRELIMINARY}/scores/lecture.xlsx")
    assert sheet.status_code == 200 and "attachment" in sheet.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("出场顺序", "组别", "姓名", "账号", "评委账号", "成绩")
    zhao = [row for row in rows[1:] if row[3] == "zhao"]
    assert sorted(row[4] for row in zhao) == ["j1", "j2"], "a row for each judge of 教育局机关党委"
    assert "zheng" not in {row[3] for row in rows}, "who goes on directly sits no lecture here"
    for row in book.active.iter_rows(min_row=2):
        if row[4].value in ("j1", "j2") and row[3].value in ("zhao", "qian"):
            row[5].value = 86.5
    filled = io.BytesIO()
    book.save(filled)
    response = upload(organiser_client, "lecture", filled.getvalue(), "党课成绩.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        entries = db.session.scalars(select(ScoreEntry)).all()
        assert sorted((e.user.username, e.judge.username, e.hundredths) for e in entries) == [
            ("qian", "j1", 8650), ("qian", "j2", 8650), ("zhao", "j1", 8650), ("zhao", "j2", 8650)]

    written = organiser_client.get(f"{PRELIMINARY}/scores/written.csv").data.decode("utf-8-sig")
    assert written.splitlines()[0] == "序号,组别,姓名,账号,成绩"
    typed = "账号,姓名,成绩\r\nsun,孙三,77\r\n"
    assert upload(organiser_client, "written", typed, "笔试.csv").status_code == 302
    assert organiser_client.get(f"{PRELIMINARY}/scores/essay.csv").status_code == 404


# -- publish and close --------------------------------------------------------------------------------------------

def test_publish_asks_first_then_freezes_version_1_for_candidates(app, organiser_client, contest, make_user):
    make_user("reader", role="candidate")
    reader = client_for(app, "reader")
    standings = f"/standings/rounds/{round_id(app)}"
    assert reader.get(standings).status_code == 404
    page = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert "公布第 1 版" in page and not dialog_of(page)

    first = post(organiser_client, f"{PRELIMINARY}/publish", {})
    dialog = text_of(dialog_of(first.get_data(as_text=True)))
    assert first.status_code == 200
    assert "公布第 1 版排名" in dialog and "这是本轮第一次公布" in dialog and "考生和大屏将看到此版本" in dialog
    assert "确认公布" in dialog and "取消" in dialog
    with app.app_context():
        assert db.session.scalar(select(Round.status).where(Round.slug == "preliminary")) == RoundStatus.DRAFT
    assert count(app, StandingsVersion) == 0 and reader.get(standings).status_code == 404

    response = confirm(organiser_client, f"{PRELIMINARY}/publish", {})
    assert response.status_code == 302 and response.location.endswith("#status")
    page = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "已公布初赛排名第 1 版，考生和大屏现在看到此版本" in page
    assert "公布 第 1 版 ·" in page and "组织者甲" in page and "草稿与已公布的第 1 版相同" in page
    assert "组织者甲 · 公布第 1 版" in page
    assert reader.get(standings).status_code == 200
    again = post(organiser_client, f"{PRELIMINARY}/publish", {})
    assert (again.status_code == 422
            and "初赛的排名与已公布的第 1 版相同，没有可公布的变化" in again.get_data(as_text=True))
    assert count(app, StandingsVersion) == 1
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.published"))
        assert (event.actor.username, event.channel) == ("organiser1", "web")
        assert event.details == {"version": 1, "moved": 0, "decided": 0, "final": False}


def test_a_confirmation_for_standings_that_changed_meanwhile_is_asked_again(app, organiser_client, contest):
    """A judge's score arriving between the dialog and the click: the dialog comes back with the new consequence."""
    first = post(organiser_client, f"{PRELIMINARY}/publish", {})
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', dialog_of(first.get_data(as_text=True)))
    assert upload(organiser_client, "written", "username,score\nzhao,90\n").status_code == 302
    stale = organiser_client.post(f"{PRELIMINARY}/publish", data=MultiDict(fields))
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "排名在您确认前又有变化" in dialog_of(page)
    assert count(app, StandingsVersion) == 0
    assert confirm(organiser_client, f"{PRELIMINARY}/publish", {}).status_code == 302
    assert count(app, StandingsVersion) == 1



def test_close_settles_a_tie_across_the_line(app, organiser_client, contest):
    assert upload(organiser_client, "written", TIED).status_code == 302
    assert upload(organiser_client, "lecture", TIED).status_code == 302
    page = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="settle" value="(\w+)">', page)
    assert boxes == ["qian", "zhao"]
    assert "晋级线上有并列" in page
    assert "结束后，孙三、吴六及勾选的考生进入复赛，郑七直接进入" in text_of(page)

    refused = post(organiser_client, f"{PRELIMINARY}/close", {})
    assert (refused.status_code == 422
            and "晋级线上有并列（qian, zhao），请先决定谁晋级" in refused.get_data(as_text=True))
    wrong = post(organiser_client, f"{PRELIMINARY}/close", {"settle": ["sun"]})
    assert wrong.status_code == 422 and "这些考生并非并列待定：sun" in wrong.get_data(as_text=True)

    asked = post(organiser_client, f"{PRELIMINARY}/close", {"settle": ["qian"]})
    dialog = text_of(dialog_of(asked.get_data(as_text=True)))
    assert asked.status_code == 200
    assert "进入复赛（3 人）： 孙三、钱二、吴六" in dialog and "其中并列者由组织者决定晋级：钱二" in dialog
    assert "直接进入复赛（1 人）： 郑七" in dialog
    assert "本轮尚未公布，结束时将公布 第 1 版，即最终结果" in dialog and "结束后本轮成绩不能再修改" in dialog
    assert 'name="settle" value="qian"' in dialog_of(asked.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Round.status).where(Round.slug == "preliminary")) == RoundStatus.DRAFT
    assert count(app, StandingsVersion) == 0 and count(app, RoundEntry) == 7

    done = confirm(organiser_client, f"{PRELIMINARY}/close", {"settle": ["qian"]})
    assert done.status_code == 302 and done.location.endswith("#status")
    page = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert "初赛已结束，4 人进入复赛；第 1 版为最终结果" in page
    assert 'name="settle"' not in page and "上传成绩" not in page and "公布第" not in page.split("操作记录")[0]
    assert "组织者甲 · 结束本轮 4 人进入下一轮；组织者决定晋级：qian" in text_of(page)
    assert "组织者甲 · 公布第 1 版（最终版）" in text_of(page)
    with app.app_context():
        semifinal = db.session.scalar(select(Round).where(Round.slug == "semifinal"))
        assert {e.user.username: e.via for e in semifinal.entries} == {
            "qian": "advanced", "sun": "advanced", "wu": "advanced", "zheng": "direct"}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed"))
        assert (event.actor.username, event.details["settled"], event.details["version"]) == ("organiser1", ["qian"], 1)
        final = db.session.scalar(select(StandingsVersion))
        rows = {row["username"]: row for group in final.snapshot["groups"] for row in group["ranked"]}
        assert (rows["qian"]["advanced"], rows["qian"]["tied_at_cut"]) == (True, False), "the settled tie, frozen"
        assert (rows["zhao"]["advanced"], rows["zhao"]["tied_at_cut"]) == (False, False)
    again = post(organiser_client, f"{PRELIMINARY}/close", {})
    assert again.status_code == 422 and "初赛已经结束" in again.get_data(as_text=True)
    late = upload(organiser_client, "written", "username,score\nzhao,99\n")
    assert late.status_code == 422 and "初赛已结束，成绩不能再修改" in late.get_data(as_text=True)
    assign = post(organiser_client, f"{PRELIMINARY}/judges", {"judge": "j3", "group": "c01"})
    assert assign.status_code == 422 and "初赛已结束，不能再分配评委" in assign.get_data(as_text=True)
    semifinal_page = text_of(organiser_client.get("/admin/contests/test-2026/rounds/semifinal").get_data(as_text=True))
    assert "按联系片组排名 · 4 人" in semifinal_page
