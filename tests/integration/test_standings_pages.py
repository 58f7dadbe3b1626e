"""Standings pages over HTTP (issue 4 §3): who sees which round, each group's table with how its scores were
reached, incomplete candidates and direct entries apart, ties at the line, awards, downloads, the projector view."""
import csv
import io
import re
import textwrap

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.users.service import set_password
from plugins.contests import (
    CONTEST,
    PRELIMINARY,
    TIED,
    cells,
    client_for,
    confirm,
    load,
    round_id,
    text_of,
    upload,
    with_judges,
)

FIVE_JUDGES = "[" + ", ".join(f"{{username: j{n}}}" for n in range(1, 6)) + "]"
WRITTEN = "username,score\nzhao,90\nqian,80\nsun,70\nli,75\nzhou,60\n"
LECTURE = "username,judge,score\n" + "".join(
    f"{username},j{judge},{value}\n" for username, marks in
    {"zhao": (80, 82, 84, 86, 99), "qian": (90, 90, 93), "sun": (85,), "li": (80, 80), "wu": (70,)}.items()
    for judge, value in enumerate(marks, start=1))


@pytest.fixture
def scored(runner, organiser_client, contest, make_user):
    """The preliminary round with five judges on every group, its written test and lecture scores in.

    c01: zhao 90 / 84.00 (five judges, trimmed) = 87.00, qian 80 / 91.00 (three, plain mean) = 85.50.
    c02: li 75 / 80 = 77.50 and sun 70 / 85 = 77.50: the written tie-break puts li first.
    c03: zhou has no lecture score, wu no written score — both incomplete. zheng (direct branch) skips the round.
    """
    for username in ("j4", "j5"):
        make_user(username, role="judge")
    load(runner, contest, with_judges(CONTEST, FIVE_JUDGES))
    assert upload(organiser_client, "written", WRITTEN).status_code == 302
    assert upload(organiser_client, "lecture", LECTURE).status_code == 302
    return organiser_client


def page_of(client, app, suffix: str = "", slug: str = "preliminary"):
    return client.get(f"/standings/rounds/{round_id(app, slug)}{suffix}")


# -- who sees which round ---------------------------------------------------------------------------------------------

def test_rounds_listed_for_each_kind_of_user(app, organiser_client, contest, make_user):
    make_user("reader", role="candidate")
    for client in (organiser_client, client_for(app, "j1")):
        listing = text_of(client.get("/standings/").get_data(as_text=True))
        assert ("测试比武" in listing and "初赛 未公布" in listing
                and "复赛 未公布" in listing and "决赛 未公布" in listing)
    reader = client_for(app, "reader")
    assert "还没有公布的排名" in reader.get("/standings/").get_data(as_text=True)
    for suffix in ("", "/screen", ".csv", ".xlsx"):
        assert page_of(reader, app, suffix).status_code == 404, suffix
        assert page_of(client_for(app, "j3"), app, suffix).status_code == 200, suffix
    confirm(organiser_client, f"{PRELIMINARY}/publish", {})
    listing = text_of(reader.get("/standings/").get_data(as_text=True))
    assert "初赛 已公布" in listing and "复赛" not in listing
    for suffix in ("", "/screen", ".csv", ".xlsx"):
        assert page_of(reader, app, suffix).status_code == 200, suffix
    assert page_of(reader, app, slug="semifinal").status_code == 404
    assert reader.get("/standings/rounds/999").status_code == 404
    assert app.test_client().get(f"/standings/rounds/{round_id(app)}").status_code == 302


# -- the tables -----------------------------------------------------------------------------------------------------

def test_group_tables_show_components_totals_ranks_and_outcomes(app, scored):
    html = page_of(scored, app).get_data(as_text=True)
    assert cells(html, "zhao") == [["1", "赵一", "教育局机关党委", "90.00",
                                    "84.00 5 位评委，去掉最高最低各 1", "87.00", "晋级"]]
    assert cells(html, "qian") == [["2", "钱二", "教育局机关党委", "80.00",
                                    "91.00 3 位评委，不足 5 人取平均", "85.50", "—"]]
    assert cells(html, "li")[0][0::5] == ["1", "77.50"] and cells(html, "li")[0][-1] == "晋级"
    assert cells(html, "sun")[0][0::5] == ["2", "77.50"] and cells(html, "sun")[0][-1] == "—"
    assert cells(html, "sun")[0][4] == "85.00", "a single judge's score stands without a note"
    page = text_of(html)
    assert "党课 评委满 5 人时去掉 1 个最高分和 1 个最低分后取平均，不足时取平均" in page
    assert "总分 笔试 × 50% + 党课 × 50%" in page and "依次比较笔试、党课；仍相同则名次并列" in page
    assert "财政局机关党委 0 人排名，2 人成绩不全" in page and "成绩不全（不排名）" in page
    assert cells(html, "zhou") == [["周五", "财政局机关党委", "60.00", "缺"]]
    assert cells(html, "wu") == [["吴六", "财政局机关党委", "缺", "70.00"]]
    assert cells(html, "zheng") == [["郑七", "档案馆党支部", "直接晋级"]]
    assert "直接晋级 直属党支部，不参加本轮排名" in page
    assert "本轮排名尚未公布，考生还看不到" in page and "晋级线上有并列" not in page


def test_a_tie_across_the_line_is_shown_for_the_organisers_to_settle(app, organiser_client, contest, make_user):
    upload(organiser_client, "written", TIED)
    upload(organiser_client, "lecture", TIED)
    html = page_of(organiser_client, app).get_data(as_text=True)
    assert cells(html, "zhao")[0][0] == cells(html, "qian")[0][0] == "1"
    assert cells(html, "zhao")[0][-1] == cells(html, "qian")[0][-1] == "并列待定"
    notice = text_of(html)
    assert "晋级线上有并列：钱二（教育局机关党委）、赵一（教育局机关党委）" in notice
    assert "不作随机取舍，由组织者决定谁晋级（如加赛），在 结束本轮 时勾选晋级者" in notice
    assert f'href="{PRELIMINARY}#close"' in html
    confirm(organiser_client, f"{PRELIMINARY}/publish", {})
    make_user("reader", role="candidate")
    seen = page_of(client_for(app, "reader"), app).get_data(as_text=True)
    assert "晋级线上有并列" in seen and "#close" not in seen and "管理本轮" not in seen


# The sample contest's organisations and candidates, with a final as its only round.
FINAL_ONLY = CONTEST.split("rounds:\n")[0].replace("contest: test-2026\ntitle: 测试比武",
                                                   "contest: final-2026\ntitle: 决赛专场") \
    + textwrap.dedent("""\
    rounds:
      - id: final
        title: 决赛
        group_by: all
        components: [{name: written, weight: 0.4}, {name: lecture, weight: 0.6, trim: 1}]
        awards: [{title: 一等奖, top: 1}, {title: 二等奖, top: 2}]
        special_awards: [{title: 十佳党课, component: lecture, top: 2}]
    """)


@pytest.fixture
def final(runner, tmp_path):
    """Everyone in one final: qian 89 (一等奖), zheng 88 and sun 82 (二等奖), zhao 78, zhou 71, li 60; wu has
    no lecture. The two best lectures (十佳党课 here) are qian's 95 and sun's 90, whatever the totals."""
    load(runner, tmp_path, FINAL_ONLY)
    for component, scores in (("written", "zhao,90\nqian,80\nsun,70\nli,60\nzhou,50\nwu,40\nzheng,100\n"),
                              ("lecture", "zhao,70\nqian,95\nsun,90\nli,60\nzhou,85\nzheng,80\n")):
        sheet = tmp_path / f"{component}.csv"
        sheet.write_text("username,score\n" + scores, encoding="utf-8")
        result = runner.invoke(args=["contest", "scores", "final-2026/final", component, str(sheet)])
        assert result.exit_code == 0, result.output


def test_the_final_shows_awards_and_the_ten_best_lectures(app, organiser_client, final):
    html = page_of(organiser_client, app, slug="final").get_data(as_text=True)
    assert cells(html, "qian")[0] == ["1", "钱二 教育局机关党委", "教育局机关党委", "80.00", "95.00", "89.00", "一等奖"]
    assert [cells(html, u)[0][-1] for u in ("zheng", "sun", "zhao", "zhou", "li")] == ["二等奖", "二等奖", "", "", ""]
    assert [cells(html, u)[0][0] for u in ("zheng", "sun", "zhao", "zhou", "li")] == ["2", "3", "4", "5", "6"]
    assert "结果" not in text_of(html).split("全体")[1].split("十佳党课")[0], "no advancement column in a final"
    assert cells(html, "qian")[1] == ["1", "钱二", "教育局机关党委", "95.00"]
    assert cells(html, "sun")[1] == ["2", "孙三", "卫健委机关党委", "90.00"]
    assert len(cells(html, "zhou")) == 1, "85 is the third best lecture"
    assert "十佳党课 按党课成绩取前 2 名，与总分无关" in text_of(html)
    assert cells(html, "wu") == [["吴六", "财政局机关党委", "40.00", "缺"]]


# -- downloads ------------------------------------------------------------------------------------------------------

def test_csv_download_has_a_bom_and_every_table_in_chinese(app, scored):
    response = page_of(scored, app, ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["名次", "组别", "姓名", "账号", "笔试", "党课", "总分", "晋级"]
    table = {row[3]: row for row in rows[1:]}
    assert table["zhao"] == ["1", "教育局机关党委", "赵一", "zhao", "90.00", "84.00", "87.00", "是"]
    assert (table["sun"][0], table["sun"][-1]) == ("2", "否")
    assert table["zhou"][-1] == "成绩不全" and table["zhou"][0] == ""
    assert table["zheng"][-1] == "直接晋级" and len(rows) == 8


def test_xlsx_download_opens_in_openpyxl_with_numbers_and_readable_widths(app, scored):
    response = page_of(scored, app, ".xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "初赛"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("名次", "组别", "姓名", "账号", "笔试", "党课", "总分", "晋级")
    table = {row[3]: row for row in values[1:]}
    assert table["zhao"] == (1, "教育局机关党委", "赵一", "zhao", 90, 84, 87, "是")
    assert table["qian"][5:7] == (91, 85.5)
    assert table["wu"][0] is None and table["wu"][4] is None and table["wu"][7] == "成绩不全"
    assert sheet.column_dimensions["B"].width >= 2 * len("教育局机关党委")


def test_final_downloads_carry_awards_and_special_awards(app, organiser_client, final):
    rows = list(csv.reader(io.StringIO(page_of(organiser_client, app, ".csv", "final").data.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["晋级", "奖项", "十佳党课"]
    table = {row[3]: row for row in rows[1:]}
    assert table["qian"][-2:] == ["一等奖", "是"] and table["sun"][-2:] == ["二等奖", "是"]
    assert table["zheng"][-2:] == ["二等奖", ""] and table["zhou"][-2:] == ["", ""]
    book = openpyxl.load_workbook(io.BytesIO(page_of(organiser_client, app, ".xlsx", "final").data))
    assert [row[-2:] for row in book.active.iter_rows(values_only=True) if row[3] == "qian"] == [("一等奖", "是")]


# -- the projector ----------------------------------------------------------------------------------------------------

def screen_of(client, app, slug: str, query: str = "") -> str:
    response = page_of(client, app, f"/screen{query}", slug)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def attribute(html: str, name: str) -> str:
    return re.search(rf'<main class="board"[^>]* {name}="([^"]*)"', html).group(1)


def test_projector_view_is_large_dark_and_turns_its_screens(app, organiser_client, final):
    first = screen_of(organiser_client, app, "final")
    url = f"/standings/rounds/{round_id(app, 'final')}/screen"
    assert '<body class="screen">' in first and "projector.css" in first and "projector.js" in first
    assert "topbar" not in first and "退出" not in first
    assert [attribute(first, n) for n in ("data-screen", "data-screens", "data-every", "data-refresh")] == \
        ["1", "2", "12", "10"]
    assert f'<noscript><meta http-equiv="refresh" content="12; url={url}?screen=2"></noscript>' in first
    assert cells(first, "qian") == [["1", "钱二", "教育局机关党委", "80.00", "95.00", "89.00", "一等奖"]]
    assert cells(first, "wu") == [["—", "吴六", "财政局机关党委", "40.00", "—", "待评", ""]]
    assert "决赛专场 · 决赛" in text_of(first) and "第 1/2 屏" in text_of(first) and "十佳党课" not in first

    awards = screen_of(organiser_client, app, "final", "?screen=2")
    assert f'content="12; url={url}?screen=1"' in awards and "第 2/2 屏" in text_of(awards)
    assert cells(awards, "qian") == [["一等奖", "钱二", "教育局机关党委", "89.00"],     # 获奖名单
                                     ["1", "钱二", "教育局机关党委", "95.00"]]         # 十佳党课
    assert cells(awards, "sun") == [["二等奖", "孙三", "卫健委机关党委", "82.00"],
                                    ["2", "孙三", "卫健委机关党委", "90.00"]]
    assert [u for u in ("zheng", "zhao", "zhou", "li", "wu") if cells(awards, u)] == ["zheng"]
    assert re.findall(r"<h2>(.*?)</h2>", awards) == ["获奖名单", "十佳党课"]


def test_projector_view_reads_its_numbers_within_bounds_and_keeps_them_from_screen_to_screen(
        app, organiser_client, final):
    for query, expected in (("?refresh=1", ("1", "12", "2")), ("?refresh=x&every=1", ("1", "2", "10")),
                            ("?every=99999999999&screen=7", ("1", "12", "10")), ("?screen=-1", ("1", "12", "10")),
                            ("?screen=2&every=400", ("2", "300", "10"))):
        html = screen_of(organiser_client, app, "final", query)
        assert tuple(attribute(html, n) for n in ("data-screen", "data-every", "data-refresh")) == expected, query
    html = screen_of(organiser_client, app, "final", "?every=15&refresh=5")
    assert f"url=/standings/rounds/{round_id(app, 'final')}/screen?refresh=5&amp;every=15&amp;screen=2" in html


def test_projector_view_of_a_grouped_round_fits_one_screen_with_those_still_waiting(app, scored):
    html = page_of(scored, app, "/screen").get_data(as_text=True)
    assert cells(html, "zhao") == [["1", "赵一", "教育局机关党委", "90.00", "84.00", "87.00", "晋级"]]
    assert cells(html, "zhou") == [["—", "周五", "财政局机关党委", "60.00", "—", "待评", ""]]
    assert re.findall(r"<h2>(.*?)</h2>", html) == ["教育局机关党委", "卫健委机关党委", "财政局机关党委"]
    assert attribute(html, "data-screens") == "1" and "board-pages" not in html
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html, "one screen reloads itself"


# -- a candidate's own place ------------------------------------------------------------------------------------------

def signed_in_as(app, username: str):
    """A contest candidate (loaded without a password) given one and signed in."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        set_password(user, "secret-pass-1")
        user.must_change_password = False
        db.session.commit()
    return client_for(app, username)


def test_a_candidate_finds_their_place_first_and_their_row_marked(app, scored):
    confirm(scored, f"{PRELIMINARY}/publish", {})
    html = page_of(signed_in_as(app, "sun"), app).get_data(as_text=True)
    mine = text_of(html[html.index('id="my-place"'):html.index("</section>", html.index('id="my-place"'))])
    assert "我的名次" in mine and "第 2 名 / 2 人 · 卫健委机关党委 · 总分 77.50" in mine
    assert html.index('<h2>卫健委机关党委') < html.index('<h2>教育局机关党委'), "their own group opens the page"
    assert re.search(r'<tr class="[^"]* me" data-username="sun" id="me">', html)
    assert html.count('id="me"') == 1

    incomplete = text_of(page_of(signed_in_as(app, "wu"), app).get_data(as_text=True))
    assert "财政局机关党委：您的成绩还不全，暂不排名。" in incomplete
    direct = text_of(page_of(signed_in_as(app, "zheng"), app).get_data(as_text=True))
    assert "您所在的单位直接进入下一轮，本轮不参加排名" in direct
    assert 'id="my-place"' not in page_of(scored, app).get_data(as_text=True), "an organiser has no place of their own"


def test_the_projector_is_the_same_public_screen_for_a_candidate(app, scored):
    """Candidates may open the projector view too (it is linked from their standings): it shows them what the hall
    sees, the groups in the file's order and nobody's row marked."""
    confirm(scored, f"{PRELIMINARY}/publish", {})
    html = page_of(signed_in_as(app, "sun"), app, "/screen").get_data(as_text=True)
    assert re.findall(r"<h2>(.*?)</h2>", html) == ["教育局机关党委", "卫健委机关党委", "财政局机关党委"]
    assert 'id="me"' not in html and " me" not in html and "我的名次" not in html
    assert html == page_of(scored, app, "/screen").get_data(as_text=True)
