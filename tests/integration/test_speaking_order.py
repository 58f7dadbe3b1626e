"""出场顺序 (issue 12): the organisers set a round's speaking order on the round page or with `flask contest order`,
typed or drawn; judges' sheets and the lecture score sheet follow it; the contest page shows the organisation tree."""
import io
import re

import openpyxl
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import AuditEvent, Organisation, Round, RoundEntry, RoundStatus
from plugins.accounts import csrf_from
from plugins.contests import (
    CONTEST,
    PRELIMINARY,
    client_for,
    dialog_of,
    load,
    post,
    score,
    text_of,
)

ORDER = f"{PRELIMINARY}/order"
DRAW = f"{PRELIMINARY}/order/draw"
# The preliminary's lecturers (郑七 of the direct branch goes on directly) by committee in the file's order, then by
# name in pinyin: 钱二 before 赵一, 李四 before 孙三, 吴六 before 周五.
FILE_ORDER = ["qian", "zhao", "li", "sun", "wu", "zhou"]


def orders(app) -> dict[str, int | None]:
    with app.app_context():
        entries = db.session.scalars(select(RoundEntry).join(Round).where(Round.slug == "preliminary"))
        return {entry.user.username: entry.speaking_order for entry in entries}


def listed(html: str) -> list[str]:
    """The usernames of the round page's speaking-order list, top to bottom."""
    section = re.search(r'<section class="card" id="speaking">(.*?)</section>', html, re.S).group(1)
    return re.findall(r'<li data-username="(\w+)"', section)


def typed(numbers: dict[str, int | str]) -> MultiDict:
    return MultiDict([pair for username, number in numbers.items()
                      for pair in (("entrant", username), ("order", str(number)))])


def send(client, url: str, data: MultiDict):
    data.add("csrf_token", csrf_from(client.get(PRELIMINARY).get_data(as_text=True)))
    return client.post(url, data=data)


def events(app) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "round.speaking_order").order_by(AuditEvent.id))]


def confirm_dialog(client, response):
    """Post the open dialog's own form, as the browser does on 确认."""
    dialog = dialog_of(response.get_data(as_text=True))
    action = re.search(r'<form method="post" action="([^"]+)"', dialog).group(1)
    return client.post(action, data=MultiDict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', dialog)))


# -- the round page ---------------------------------------------------------------------------------------------

def test_lecturers_are_listed_by_organisation_then_pinyin_until_an_order_is_set(app, organiser_client, contest):
    html = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert listed(html) == FILE_ORDER
    assert "zheng" not in listed(html)
    assert set(orders(app).values()) == {None}


def test_a_typed_order_is_kept_audited_and_lists_the_round(app, organiser_client, contest):
    wanted = {"zhou": 1, "qian": 2, "sun": 3, "zhao": 4, "wu": 5, "li": 6}
    response = send(organiser_client, ORDER, typed(wanted))
    assert response.status_code == 302 and response.headers["Location"].endswith("#speaking")
    assert {k: v for k, v in orders(app).items() if k != "zheng"} == wanted
    assert orders(app)["zheng"] is None
    assert events(app) == [{"drawn": False, "order": ["zhou", "qian", "sun", "zhao", "wu", "li"], "scored": 0}]
    page = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert listed(page) == ["zhou", "qian", "sun", "zhao", "wu", "li"]
    assert "出场顺序 设定 6 人" in text_of(page)
    assert send(organiser_client, ORDER, typed(wanted)).status_code == 302
    assert len(events(app)) == 1, "the same order again is no change"


def test_a_bad_order_is_refused_with_its_reason_and_changes_nothing(app, organiser_client, contest):
    repeated = dict(zip(FILE_ORDER, [1, 1, 2, 3, 4, 5], strict=True))
    too_big = dict(zip(FILE_ORDER, [1, 2, 3, 4, 5, 7], strict=True))
    short = dict(zip(FILE_ORDER[:5], [1, 2, 3, 4, 5], strict=True))
    for numbers, message in ((repeated, "出场顺序不能重复（第 1 位：钱二、赵一）"),
                             (too_big, "周五的出场顺序应是 1 到 6 之间的整数，而不是“7”"),
                             ({**repeated, "qian": ""}, "请填写钱二的出场顺序（1 到 6）"),
                             (short, "缺少周五的出场顺序"),
                             ({**too_big, "zheng": 6}, "不是本轮讲党课的考生：zheng")):
        response = send(organiser_client, ORDER, typed(numbers))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    html = send(organiser_client, ORDER, typed(repeated)).get_data(as_text=True)
    assert re.findall(r'name="order"[^>]*value="(\d*)"', html) == ["1", "1", "2", "3", "4", "5"], "shown as typed"
    assert set(orders(app).values()) == {None}
    assert events(app) == []


def test_a_draw_asks_first_then_numbers_everyone_and_is_audited(app, organiser_client, contest):
    first = post(organiser_client, DRAW, {})
    assert first.status_code == 200
    dialog = dialog_of(first.get_data(as_text=True))
    assert "随机抽签" in dialog and "6 位讲党课的考生" in dialog
    assert set(orders(app).values()) == {None}, "the first POST only asks"
    response = confirm_dialog(organiser_client, first)
    assert response.status_code == 302
    drawn = orders(app)
    assert sorted(v for k, v in drawn.items() if k != "zheng") == [1, 2, 3, 4, 5, 6]
    (event,) = events(app)
    assert event["drawn"] is True
    assert event["order"] == sorted(FILE_ORDER, key=drawn.get)
    again = post(organiser_client, DRAW, {})
    assert "替换现有的出场顺序" in dialog_of(again.get_data(as_text=True))


def test_changing_the_order_after_lectures_are_scored_asks_first(app, organiser_client, contest):
    assert score(app, client_for(app, "j1"), "zhao", "88").status_code == 302
    wanted = dict(zip(FILE_ORDER, [6, 5, 4, 3, 2, 1], strict=True))
    first = send(organiser_client, ORDER, typed(wanted))
    assert first.status_code == 200
    assert "本轮已有 1 条党课成绩" in text_of(dialog_of(first.get_data(as_text=True)))
    assert set(orders(app).values()) == {None}
    assert confirm_dialog(organiser_client, first).status_code == 302
    assert {k: v for k, v in orders(app).items() if k != "zheng"} == wanted
    assert events(app)[0]["scored"] == 1


def test_only_organisers_set_the_order_and_not_in_a_closed_round(app, organiser_client, contest):
    for username in ("j1",):
        judge = client_for(app, username)
        token = csrf_from(judge.get("/scoring/").get_data(as_text=True))
        for url in (ORDER, DRAW):
            assert judge.post(url, data={"csrf_token": token, "confirmed": "1"}).status_code == 403
    with app.app_context():
        db.session.scalar(select(Round).where(Round.slug == "preliminary")).status = RoundStatus.CLOSED
        db.session.commit()
    response = post(organiser_client, DRAW, {"confirmed": "1"}, page="/admin/contests")
    assert response.status_code == 422 and "初赛已结束，不能再改出场顺序" in response.get_data(as_text=True)
    assert set(orders(app).values()) == {None}


# -- what follows the order -------------------------------------------------------------------------------------

def test_judges_see_lecturers_in_speaking_order_with_their_turn(app, organiser_client, contest):
    send(organiser_client, ORDER, typed(dict(zip(FILE_ORDER, [6, 5, 4, 3, 2, 1], strict=True))))
    judge = client_for(app, "j2")
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.slug == "preliminary"))
    html = judge.get(f"/scoring/rounds/{round_id}").get_data(as_text=True)
    groups = re.findall(r'<section class="sheet-group" id="g-(\w+)"', html)
    assert groups == ["c01", "c02"], "groups in the file's order"
    assert re.findall(r'id="c-(\w+)"', html) == ["zhao", "qian", "sun", "li"]
    assert "第5位 赵一" in text_of(html) and "第6位 钱二" in text_of(html)


def test_the_lecture_sheet_lists_the_speaking_order_first(app, organiser_client, contest):
    send(organiser_client, ORDER, typed(dict(zip(FILE_ORDER, [6, 5, 4, 3, 2, 1], strict=True))))
    sheet = organiser_client.get(f"{PRELIMINARY}/scores/lecture.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "出场顺序"
    assert list(dict.fromkeys((row[0], row[3]) for row in rows[1:])) == [
        (1, "zhou"), (2, "wu"), (3, "sun"), (4, "li"), (5, "zhao"), (6, "qian")]


def test_the_contest_page_shows_the_tree_with_names_and_counts_per_round(app, organiser_client, contest):
    html = organiser_client.get("/admin/contests/test-2026").get_data(as_text=True)
    tree = text_of(re.search(r'<ul class="org-tree">.*</ul>\s*</section>', html, re.S).group(0))
    assert re.search(r"第一联系片组 联系片组 · g1 · 4 人 初赛 4 教育局机关党委 .* 钱二、赵一 "
                     r"卫健委机关党委 .* 李四、孙三 第二联系片组", tree)
    assert "档案馆党支部 直属党支部 · d01 · 1 人 初赛 1 郑七" in tree


# -- order in the contest file and on the command line ----------------------------------------------------------

def test_organisations_keep_the_file_order_and_a_new_order_is_loaded(app, runner, organiser_client, contest):
    with app.app_context():
        assert [o.code for o in db.session.scalars(select(Organisation).order_by(Organisation.position))] == [
            "g1", "g2", "c01", "c02", "c03", "d01"]
    c01 = "  - {id: c01, name: 教育局机关党委, type: committee, parent: g1}\n"
    d01 = "  - {id: d01, name: 档案馆党支部, type: direct_branch, parent: g2}\n"
    moved = CONTEST.replace(c01, "").replace(d01, d01 + c01)
    assert moved != CONTEST
    load(runner, contest, moved, name="moved.yaml")
    with app.app_context():
        assert db.session.scalar(select(Organisation.position).where(Organisation.code == "c01")) == 5
    html = organiser_client.get(PRELIMINARY).get_data(as_text=True)
    assert listed(html) == ["li", "sun", "qian", "zhao", "wu", "zhou"], "c01 now follows c02 within 第一联系片组"


def test_the_command_line_shows_draws_and_reads_a_file(app, runner, contest, tmp_path):
    shown = runner.invoke(args=["contest", "order", "test-2026/preliminary"])
    assert shown.exit_code == 0
    assert shown.output.splitlines() == ["order,username,name", ",qian,钱二", ",zhao,赵一", ",li,李四", ",sun,孙三",
                                         ",wu,吴六", ",zhou,周五"]
    drawn = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--draw"])
    assert drawn.exit_code == 0 and "speaking order drawn" in drawn.output
    assert sorted(v for v in orders(app).values() if v) == [1, 2, 3, 4, 5, 6]
    sheet = tmp_path / "order.csv"
    sheet.write_text("\ufeff账号,姓名,出场顺序\n" + "".join(
        f"{u},x,{n}\n" for u, n in zip(FILE_ORDER, range(1, 7), strict=True)), encoding="utf-8")
    assert score(app, client_for(app, "j1"), "zhao", "88").status_code == 302
    refused = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--file", str(sheet)])
    assert refused.exit_code == 1 and "add --yes" in refused.output
    forced = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--file", str(sheet), "--yes"])
    assert forced.exit_code == 0, forced.output
    assert {k: v for k, v in orders(app).items() if k != "zheng"} == dict(zip(FILE_ORDER, range(1, 7), strict=True))
    assert [e["drawn"] for e in events(app)] == [True, False]


def test_the_command_line_refuses_a_bad_file_and_changes_nothing(app, runner, contest, tmp_path):
    sheet = tmp_path / "order.csv"
    sheet.write_text("username,order\nqian,1\nzhao,1\n", encoding="utf-8")
    result = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--file", str(sheet)])
    assert result.exit_code == 1 and "缺少" in result.output
    sheet.write_text("name,order\n", encoding="utf-8")
    result = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--file", str(sheet)])
    assert result.exit_code == 1 and "表头应有 username,order" in result.output
    both = runner.invoke(args=["contest", "order", "test-2026/preliminary", "--file", str(sheet), "--draw"])
    assert both.exit_code != 0
    assert set(orders(app).values()) == {None} and events(app) == []
